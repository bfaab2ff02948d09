"""auth.json reading: formats, account ids from JWT claims, staleness, external files, CODEX_HOME."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from codexbar.env import Env
from codexbar.providers.codex import auth
from codexbar.providers.codex.errors import CodexError

NOW = datetime(2026, 8, 3, 12, 0, tzinfo=timezone.utc)


def env() -> Env:
    return Env.from_process()


def test_snake_case_tokens(codex_auth):
    codex_auth("oauth.json")
    creds = auth.load_oauth(env())
    assert creds.access_token.reveal() == "FAKE-oauth-access-token-0001"
    assert creds.account_id == "1b2c3d4e-0000-4000-8000-abcdefabcdef"
    assert (creds.email, creds.plan) == ("dev@example.com", "plus")
    assert creds.last_refresh == datetime(2026, 8, 1, 12, 34, 56, 123456, tzinfo=timezone.utc)
    assert not creds.needs_refresh(NOW) and not creds.is_api_key


def test_camel_case_tokens_take_the_account_id_from_the_jwt_auth_claim(codex_auth):
    codex_auth("oauth-camel.json")
    creds = auth.load_oauth(env())
    assert creds.refresh_token.reveal() == "FAKE-oauth-refresh-token-0001"
    assert creds.account_id == "acct-from-jwt"


def test_blank_account_id_falls_back_to_first_organization_and_profile_email(codex_auth):
    codex_auth("oauth-profile-claims.json")
    creds = auth.load_oauth(env())
    assert creds.account_id == "org-FAKE-first"
    assert (creds.email, creds.plan) == ("profile@example.com", "team")


def test_direct_claim_wins_over_nested_and_opaque_tokens_are_skipped():
    import base64

    payload = base64.urlsafe_b64encode(json.dumps({"chatgpt_account_id": "direct", "https://api.openai.com/auth": {
        "chatgpt_account_id": "nested"}}).encode()).decode().rstrip("=")
    assert auth.account_id_from_jwts("opaque-token", "x.%s.sig" % payload) == "direct"
    assert auth.account_id_from_jwts("a.b", None, "not.base64!.x") is None


def test_api_key_wins_over_tokens_and_is_never_stale(codex_auth):
    codex_auth("api-key.json")
    creds = auth.load_oauth(env())
    assert creds.is_api_key and creds.access_token.reveal() == "sk-FAKE-placeholder"
    assert creds.account_id is None and not creds.needs_refresh(NOW)


def test_pat_only_file_is_not_oauth(codex_auth):
    codex_auth("pat.json")
    with pytest.raises(CodexError) as caught:
        auth.load_oauth(env())
    assert caught.value.reason == "missing_tokens"
    assert caught.value.message == "Codex auth.json exists but contains no tokens."
    assert auth.load_pat(env()).reveal() == "at-FAKE-pat-0001"


def test_pat_camel_case_and_not_confused_with_the_api_key(codex_auth):
    codex_auth("pat-camel.json")
    assert auth.load_pat(env()).reveal() == "at-FAKE-pat-0002"
    codex_auth("api-key.json")
    with pytest.raises(CodexError):
        auth.load_pat(env())


@pytest.mark.parametrize("name, reason, message", [
    ("corrupt.json", "decode_failed", "Failed to decode Codex credentials: Invalid JSON"),
    ("no-tokens.json", "missing_tokens", "Codex auth.json exists but contains no tokens."),
])
def test_broken_files(codex_auth, name, reason, message):
    codex_auth(name)
    with pytest.raises(CodexError) as caught:
        auth.load_oauth(env())
    assert (caught.value.reason, caught.value.message) == (reason, message)
    assert caught.value.hint


def test_missing_and_unreadable(codex_auth, home):
    with pytest.raises(CodexError) as caught:
        auth.load_oauth(env())
    assert caught.value.message == "Codex auth.json not found. Run `codex login` to sign in."
    (home / ".codex" / "auth.json").mkdir(parents=True)    # present but not readable as a file
    with pytest.raises(CodexError) as caught:
        auth.load_oauth(env())
    assert caught.value.reason == "unreadable" and caught.value.kind == "permission_denied"
    assert caught.value.message.startswith("Codex auth.json could not be read.")


def test_staleness_rules(codex_auth):
    codex_auth("oauth-stale.json")
    assert auth.load_oauth(env()).needs_refresh(NOW)
    fresh = auth.OAuthCredentials(access_token=auth.Secret("a"), refresh_token=auth.Secret("r"), id_token=None,
                                  account_id=None, last_refresh=None)
    assert fresh.needs_refresh(NOW)   # no last_refresh at all
    expiring = auth.OAuthCredentials(access_token=auth.Secret("a"), refresh_token=auth.Secret("r"), id_token=None,
                                     account_id=None, last_refresh=None,
                                     expires_at=datetime(2026, 8, 3, 12, 0, 59, tzinfo=timezone.utc))
    assert expiring.needs_refresh(NOW)
    later = auth.OAuthCredentials(access_token=auth.Secret("a"), refresh_token=auth.Secret("r"), id_token=None,
                                  account_id=None, last_refresh=None,
                                  expires_at=datetime(2026, 8, 3, 12, 5, tzinfo=timezone.utc))
    assert not later.needs_refresh(NOW)


def test_codex_home_isolation(codex_auth, home, monkeypatch):
    codex_auth("oauth.json")
    other = home / "profiles" / "work"
    monkeypatch.setenv("CODEX_HOME", str(other))
    with pytest.raises(CodexError) as caught:
        auth.load_oauth(env(), allow_external=True)   # no fallback to ~/.codex or external files
    assert caught.value.reason == "not_found"
    codex_auth("oauth-camel.json", folder=other)
    assert auth.load_oauth(env()).account_id == "acct-from-jwt"


def test_codex_home_tilde_is_expanded(codex_auth, home, monkeypatch):
    codex_auth("oauth-camel.json", folder=home / "alt")
    monkeypatch.setenv("CODEX_HOME", "~/alt")
    assert auth.load_oauth(env()).account_id == "acct-from-jwt"


def test_pat_falls_back_from_a_codex_home_without_one_to_the_ambient_file(codex_auth, home, monkeypatch):
    codex_auth("pat.json")
    codex_auth("oauth.json", folder=home / "profile")
    monkeypatch.setenv("CODEX_HOME", str(home / "profile"))
    assert auth.load_pat(env()).reveal() == "at-FAKE-pat-0001"


def test_external_sources_are_opt_in_and_only_when_native_is_missing(home, codex_auth):
    import shutil

    from tests.providers.codex.conftest import FIX

    target = home / ".local" / "share" / "opencode" / "auth.json"
    target.parent.mkdir(parents=True)
    shutil.copyfile(FIX / "auth" / "opencode.json", target)
    with pytest.raises(CodexError):
        auth.load_oauth(env())                       # not opted in
    creds = auth.load_oauth(env(), allow_external=True)
    assert creds.source == auth.OPENCODE and creds.account_id == "acct-opencode"
    assert creds.expires_at == datetime(2026, 8, 6, 7, 6, 40, tzinfo=timezone.utc)  # date -u -d @1786000000
    legacy = home / ".config" / "codex"
    codex_auth("oauth-camel.json", folder=legacy)
    assert auth.load_oauth(env(), allow_external=True).source == auth.LEGACY
    codex_auth("corrupt.json")                       # a broken native file is not replaced
    with pytest.raises(CodexError) as caught:
        auth.load_oauth(env(), allow_external=True)
    assert caught.value.reason == "decode_failed"
