"""OAuth source against a loopback server: credentials, headers, errors, 429 cooldown, owned refresh."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from werkzeug import Response

from codexbar.errors import FetchError
from codexbar.providers.claude import oauth
from codexbar.providers.claude.oauth import OAuthSource

from .conftest import FIX, ORIGINS, ROOT, TOKEN, USAGE, fixture_json

SOURCE = OAuthSource()


@pytest.fixture
def server(overrides, httpserver):
    overrides(*ORIGINS)
    return httpserver


def serve_usage(server, name="usage-max.json", **headers):
    expected = {"Authorization": "Bearer " + TOKEN, "anthropic-beta": "oauth-2025-04-20",
                "Accept": "application/json", "Content-Type": "application/json"}
    expected.update(headers)
    server.expect_request(USAGE, method="GET", headers=expected).respond_with_json(fixture_json("oauth/" + name))


def fetch_error(ctx) -> FetchError:
    with pytest.raises(FetchError) as caught:
        SOURCE.fetch(ctx)
    error = caught.value
    assert TOKEN not in error.message and TOKEN not in (error.hint or "")
    return error


def test_credentials_file_to_snapshot_with_exact_headers(server, credentials, ctx_factory):
    credentials("max-20x.json")
    serve_usage(server, **{"User-Agent": "claude-code/2.1.0"})
    ctx = ctx_factory(runtime="cli", source_mode="oauth")
    assert SOURCE.available(ctx)
    data = SOURCE.fetch(ctx).dump()
    assert data["source"] == "oauth" and data["provider"] == "claude"
    usage = data["usage"]
    assert (usage["primary"]["usedPercent"], usage["secondary"]["usedPercent"], usage["tertiary"]["usedPercent"]) == (28, 59, 12)
    assert usage["loginMethod"] == "Claude Max 20x"
    assert usage["providerCost"]["used"] == 12.34
    assert len(server.log) == 1


def test_plugin_runtime_sends_the_installed_cli_version(server, credentials, ctx_factory, fake_claude):
    credentials("max-20x.json")
    serve_usage(server, **{"User-Agent": "claude-code/2.1.70"})
    assert SOURCE.fetch(ctx_factory(runtime="plugin")).usage.primary.usedPercent == 28


def test_env_token_never_expires_and_defaults_to_profile_scope(server, ctx_factory, monkeypatch):
    monkeypatch.setenv("CODEXBAR_CLAUDE_OAUTH_TOKEN", TOKEN)
    serve_usage(server, "usage-basic.json")
    data = SOURCE.fetch(ctx_factory(runtime="cli")).dump()
    assert data["usage"]["primary"] == {"usedPercent": 12.5, "windowMinutes": 300, "resetsAt": "2026-08-03T15:00:00Z",
                                        "resetDescription": "Aug 3 at 3:00PM"}
    assert "loginMethod" not in data["usage"]


def test_env_scopes_without_profile_fail_before_any_request(server, ctx_factory, monkeypatch):
    monkeypatch.setenv("CODEXBAR_CLAUDE_OAUTH_TOKEN", TOKEN)
    monkeypatch.setenv("CODEXBAR_CLAUDE_OAUTH_SCOPES", "user:inference")
    error = fetch_error(ctx_factory())
    assert error.message.startswith("Claude OAuth token missing 'user:profile' scope (has: user:inference).")
    assert server.log == []


def test_token_account_is_used_and_is_an_authority_boundary(server, credentials, ctx_factory):
    credentials("expired.json")  # must not be consulted
    serve_usage(server, "usage-basic.json")
    ctx = ctx_factory(account={"label": "work", "token": "Bearer " + TOKEN})
    assert SOURCE.fetch(ctx).usage.secondary.usedPercent == 30
    assert not SOURCE.available(ctx_factory(account={"label": "web", "token": "sk-ant-sid01-FAKEcookie"}))


@pytest.mark.parametrize("variable", ["CLAUDE_CONFIG_DIR", "CLAUDE_SECURESTORAGE_CONFIG_DIR"])
def test_config_dir_variables_locate_the_credentials(server, credentials, ctx_factory, monkeypatch, tmp_path, variable):
    folder = tmp_path / "profile root"
    credentials("max-20x.json", folder)
    credentials("expired.json")  # ~/.claude must be ignored
    monkeypatch.setenv(variable, str(folder))
    serve_usage(server)
    assert SOURCE.fetch(ctx_factory()).usage.primary.usedPercent == 28


def test_securestorage_dir_wins_over_config_dir(ctx_factory, monkeypatch, tmp_path):
    from codexbar.env import Env
    from codexbar.providers.claude.paths import credentials_path

    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("CLAUDE_SECURESTORAGE_CONFIG_DIR", str(tmp_path / "secure"))
    assert credentials_path(Env.from_process()) == tmp_path / "secure" / ".credentials.json"
    monkeypatch.setenv("CLAUDE_SECURESTORAGE_CONFIG_DIR", "")
    assert credentials_path(Env.from_process()) == Path(os.environ["HOME"]) / ".claude" / ".credentials.json"


def test_expired_cli_token_is_not_refreshed(server, credentials, ctx_factory):
    credentials("expired.json")
    error = fetch_error(ctx_factory())
    assert error.kind == "auth_expired"
    assert error.message == ("Claude OAuth token expired. codexbar does not launch Claude to refresh credentials. "
                             "Run `claude login`, then retry.")
    assert SOURCE.falls_back_on(error)
    assert server.log == []


@pytest.mark.parametrize("name, kind, message", [
    ("mcp-only.json", "missing_credential", "Claude keychain contains MCP OAuth state only (no claudeAiOauth)."),
    ("corrupt.json", "missing_credential", "Claude OAuth credentials are invalid."),
    ("empty-token.json", "missing_credential", "Claude OAuth access token missing. Run `claude` to authenticate."),
])
def test_broken_credential_files(credentials, ctx_factory, name, kind, message):
    credentials(name)
    error = fetch_error(ctx_factory(source_mode="oauth"))
    assert error.kind == kind and error.message.startswith(message)


def test_missing_credentials(ctx_factory):
    assert not SOURCE.available(ctx_factory())
    assert SOURCE.available(ctx_factory(source_mode="oauth"))  # explicit: the real error surfaces
    error = fetch_error(ctx_factory(source_mode="oauth"))
    assert (error.kind, error.message) == ("missing_credential",
                                           "Claude OAuth credentials not found. Run `claude` to authenticate.")


@pytest.mark.parametrize("status, body, content_type, kind, message", [
    (401, '{"error":"unauthorized"}', "application/json", "auth_expired",
     "Claude OAuth request unauthorized. Run `claude` to re-authenticate."),
    (403, (FIX / "oauth" / "error-403-scope.json").read_text(), "application/json", "auth_expired",
     "Claude OAuth token does not meet scope requirement 'user:profile'. Run `claude setup-token` to "
     "re-generate credentials, or switch Claude Source to Web/CLI."),
    (500, (FIX / "oauth" / "error-500.html").read_text(), "text/html", "unavailable",
     "Claude OAuth error: HTTP 500 \u2013 <!DOCTYPE html><html><body> <h1>Internal error</h1> </body></html>"),
    (502, "token sk-ant-oat01-FAKEaccess rejected", "text/plain", "unavailable",
     "Claude OAuth error: HTTP 502 \u2013 token *** rejected"),
])
def test_http_errors(server, credentials, ctx_factory, status, body, content_type, kind, message):
    credentials("max-20x.json")
    server.expect_request(USAGE).respond_with_data(body, status=status, content_type=content_type)
    error = fetch_error(ctx_factory())
    assert (error.kind, error.message) == (kind, message)
    assert error.hint


@pytest.mark.parametrize("body, message", [
    ("{not json", "Claude OAuth returned invalid JSON."),
    ("<html><body>Sign in</body></html>", "Claude OAuth returned a web page instead of JSON (HTTP 200)."),
    ("", "Claude OAuth returned an empty answer instead of JSON."),
])
def test_bad_bodies_are_parse_errors(server, credentials, ctx_factory, body, message):
    credentials("max-20x.json")
    server.expect_request(USAGE).respond_with_data(body, status=200)
    error = fetch_error(ctx_factory())
    assert (error.kind, error.message) == ("parse", message)


def test_timeout_is_a_one_line_error(server, credentials, ctx_factory):
    from codexbar.access.http import Http

    credentials("max-20x.json")

    def slow(request):
        time.sleep(1.5)
        return Response("{}", content_type="application/json")

    server.expect_request(USAGE).respond_with_handler(slow)
    ctx = ctx_factory()
    ctx.http = Http(ctx.env, deadline=time.monotonic() + 0.6)
    error = fetch_error(ctx)
    assert error.kind == "timeout"
    assert error.message == "Claude OAuth did not answer within 1 s."
    end = time.monotonic() + 5  # let the slow handler finish inside this test
    while not server.log and time.monotonic() < end:
        time.sleep(0.05)


# -- 429 cooldown ---------------------------------------------------------------------------------


def test_429_starts_a_cooldown_keyed_by_the_token_hash(server, credentials, ctx_factory):
    credentials("max-20x.json")
    server.expect_oneshot_request(USAGE).respond_with_data('{"error":{"type":"rate_limit_error"}}', status=429,
                                                            headers={"Retry-After": "120"})
    ctx = ctx_factory()
    error = fetch_error(ctx)
    assert error.kind == "rate_limited"
    assert error.message == oauth.RATE_LIMITED
    assert "rate_limit_error" not in error.message
    assert "rate limited" in error.message and "claude logout && claude login" in error.message
    key = oauth.cooldown_key(TOKEN)
    assert key.endswith(oauth.token_hash(TOKEN)) and TOKEN not in key
    assert ctx.cache.get(key) == ctx.now.timestamp() + 120
    # background run inside the cooldown: no request at all
    again = fetch_error(ctx_factory())
    assert again.message == oauth.RATE_LIMITED and 0 < again.retry_after <= 120
    assert len(server.log) == 1
    # a user-initiated fetch bypasses the cooldown, and a 200 clears it
    serve_usage(server)
    assert SOURCE.fetch(ctx_factory(interactive=True)).usage.primary.usedPercent == 28
    assert ctx.cache.get(key) is None


def test_retry_after_http_date_and_later_block_kept(server, credentials, ctx_factory):
    credentials("max-20x.json")
    server.expect_oneshot_request(USAGE).respond_with_data("{}", status=429,
                                                            headers={"Retry-After": "Mon, 03 Aug 2026 12:30:00 GMT"})
    ctx = ctx_factory(interactive=True)
    fetch_error(ctx)
    assert ctx.cache.get(oauth.cooldown_key(TOKEN)) == ctx.now.timestamp() + 1800
    # a shorter block afterwards does not shorten the stored one
    server.expect_oneshot_request(USAGE).respond_with_data("{}", status=429, headers={"Retry-After": "60"})
    fetch_error(ctx_factory(interactive=True))
    assert ctx.cache.get(oauth.cooldown_key(TOKEN)) == ctx.now.timestamp() + 1800


def test_429_without_retry_after_blocks_five_minutes(server, credentials, ctx_factory):
    credentials("max-20x.json")
    server.expect_oneshot_request(USAGE).respond_with_data("{}", status=429)
    ctx = ctx_factory()
    fetch_error(ctx)
    assert ctx.cache.get(oauth.cooldown_key(TOKEN)) == ctx.now.timestamp() + 300


SECOND_PROCESS = """
import json
from codexbar.access.http import Http
from codexbar.cache import Store
from codexbar.descriptor import FetchContext
from codexbar.env import Env
from codexbar.errors import FetchError
from codexbar.providers.claude.sources import SOURCES
env = Env.from_process()
ctx = FetchContext(env=env, config={"id": "claude"}, http=Http(env), runtime="plugin", cache=Store(env.cache_dir))
try:
    SOURCES["oauth"].fetch(ctx)
    print(json.dumps({"ok": True}))
except FetchError as error:
    print(json.dumps({"kind": error.kind, "message": error.message}))
"""


def test_cooldown_is_shared_with_another_process(server, credentials, ctx_factory):
    credentials("max-20x.json")
    server.expect_oneshot_request(USAGE).respond_with_data("{}", status=429, headers={"Retry-After": "600"})
    fetch_error(ctx_factory())
    done = subprocess.run([sys.executable, "-c", SECOND_PROCESS], capture_output=True, text=True, timeout=60,
                          cwd=str(ROOT), env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert json.loads(done.stdout) == {"kind": "rate_limited", "message": oauth.RATE_LIMITED}
    assert len(server.log) == 1  # the second process never called Anthropic
    assert TOKEN not in done.stdout + done.stderr


# -- tokens codexbar owns ----------------------------------------------------------------------


def owned_store(home: Path, name: str) -> Path:
    from codexbar.env import Env
    from codexbar.providers.claude.paths import owned_store_path

    path = owned_store_path(Env.from_process())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((FIX / "credentials" / name).read_text())
    return path


def test_owned_expired_token_is_refreshed_and_written_back(server, home, ctx_factory):
    path = owned_store(home, "owned-expired.json")
    server.expect_oneshot_request("/v1/oauth/token", method="POST", data=(
        "grant_type=refresh_token&refresh_token=sk-ant-ort01-FAKEownedrefresh"
        "&client_id=9d1c250a-e61b-44d9-88ed-5944d1962f5e")).respond_with_json(fixture_json("oauth/token-refresh.json"))
    server.expect_request(USAGE, headers={"Authorization": "Bearer sk-ant-oat01-FAKEownednew"}).respond_with_json(
        fixture_json("oauth/usage-basic.json"))
    ctx = ctx_factory()
    data = SOURCE.fetch(ctx).dump()
    assert data["usage"]["loginMethod"] == "Claude Team"
    written = json.loads(path.read_text())
    assert written["note"] == "kept on write-back"
    assert written["claudeAiOauth"]["accessToken"] == "sk-ant-oat01-FAKEownednew"
    assert written["claudeAiOauth"]["refreshToken"] == "sk-ant-ort01-FAKEownedrotated"
    assert written["claudeAiOauth"]["expiresAt"] == int((ctx.now.timestamp() + 28800) * 1000)
    assert written["claudeAiOauth"]["rateLimitTier"] == "default_claude_max_5x"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700 or path.parent.exists()


def test_invalid_grant_is_terminal(server, home, ctx_factory):
    owned_store(home, "owned-expired.json")
    server.expect_oneshot_request("/v1/oauth/token", method="POST").respond_with_json(
        fixture_json("oauth/token-invalid-grant.json"), status=400)
    error = fetch_error(ctx_factory())
    assert (error.kind, error.message) == ("auth_expired",
                                           "Claude OAuth refresh was rejected (invalid_grant). Sign in again.")
    again = fetch_error(ctx_factory())
    assert again.message == error.message
    assert len(server.log) == 1  # blocked until the credentials change


def test_client_id_override(server, home, ctx_factory, monkeypatch):
    owned_store(home, "owned-expired.json")
    monkeypatch.setenv("CODEXBAR_CLAUDE_OAUTH_CLIENT_ID", "test-client")
    server.expect_oneshot_request("/v1/oauth/token", method="POST", data=(
        "grant_type=refresh_token&refresh_token=sk-ant-ort01-FAKEownedrefresh&client_id=test-client"
    )).respond_with_json(fixture_json("oauth/token-refresh.json"))
    server.expect_request(USAGE).respond_with_json(fixture_json("oauth/usage-basic.json"))
    assert SOURCE.fetch(ctx_factory()).usage.primary.usedPercent == 12.5


def test_owned_token_rejected_with_401_is_refreshed_once(server, home, ctx_factory):
    path = owned_store(home, "owned-expired.json")
    document = json.loads(path.read_text())
    document["claudeAiOauth"]["expiresAt"] = 1786528800000  # still valid by the clock, revoked by the server
    path.write_text(json.dumps(document))
    server.expect_oneshot_request(USAGE, headers={"Authorization": "Bearer sk-ant-oat01-FAKEownedold"}).respond_with_data(
        '{"error":"revoked"}', status=401)
    server.expect_oneshot_request("/v1/oauth/token", method="POST").respond_with_json(
        fixture_json("oauth/token-refresh.json"))
    server.expect_request(USAGE, headers={"Authorization": "Bearer sk-ant-oat01-FAKEownednew"}).respond_with_json(
        fixture_json("oauth/usage-basic.json"))
    assert SOURCE.fetch(ctx_factory()).usage.primary.usedPercent == 12.5
    assert [r.path for r, _ in server.log] == [USAGE, "/v1/oauth/token", USAGE]


@pytest.mark.parametrize("name, primary, secondary, tertiary, cost", [
    ("usage-basic.json", (12.5, 300), (30, 10080), 5, None),
    ("usage-opus-only.json", (1, 300), (2, 10080), 33, None),
    ("usage-no-five-hour.json", (41, 10080), (41, 10080), None, None),
    ("usage-cents-small.json", (1, 300), None, None, (3.25, 20.5, "USD", "Monthly cap")),
    ("usage-cents-large.json", (1, 300), None, None, (1234.56, 10000, "USD", "Monthly cap")),
    ("usage-extra-disabled.json", (1, 300), None, None, None),
    ("usage-enterprise-spend-limit.json", None, None, None, (7.63, 20, "EUR", "Spend limit")),
])
def test_recorded_usage_variants_over_http(server, ctx_factory, monkeypatch, name, primary, secondary, tertiary, cost):
    monkeypatch.setenv("CODEXBAR_CLAUDE_OAUTH_TOKEN", TOKEN)
    serve_usage(server, name)
    usage = SOURCE.fetch(ctx_factory()).dump()["usage"]

    def lane(window):
        return None if window is None else (window["usedPercent"], window["windowMinutes"])

    assert lane(usage["primary"]) == primary
    assert lane(usage["secondary"]) == secondary
    assert (usage["tertiary"] or {}).get("usedPercent") == tertiary
    got = usage.get("providerCost")
    assert (None if got is None else (got["used"], got["limit"], got["currencyCode"], got["period"])) == cost


def test_empty_usage_over_http_is_a_parse_error(server, ctx_factory, monkeypatch):
    monkeypatch.setenv("CODEXBAR_CLAUDE_OAUTH_TOKEN", TOKEN)
    serve_usage(server, "usage-empty.json")
    error = fetch_error(ctx_factory())
    assert (error.kind, error.message) == ("parse", "Could not parse Claude usage: missing session data")
