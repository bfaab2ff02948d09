"""Codex CLI credentials: ``auth.json`` under ``$CODEX_HOME`` or ``~/.codex`` (never written here).

The Codex CLI owns that file and its refresh-token lifecycle, so codexbar only reads it; stale
native credentials are handed to the CLI (see oauth.py). The parse functions are pure; the
``load_*`` functions do the one file read each.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

from codexbar.env import Env, parse_instant
from codexbar.providers.codex.errors import CodexError, credential_error
from codexbar.secret import Secret

NATIVE, LEGACY, OPENCODE = "codexHome", "legacyCodexHome", "openCode"
STALE_AFTER = timedelta(days=8)
EXPIRY_MARGIN = timedelta(seconds=60)


@dataclass(frozen=True)
class OAuthCredentials:
    access_token: Secret
    refresh_token: Secret
    id_token: Optional[Secret]
    account_id: Optional[str]
    last_refresh: Optional[datetime]
    expires_at: Optional[datetime] = None
    source: str = NATIVE
    is_api_key: bool = False

    def needs_refresh(self, now: datetime) -> bool:
        """CodexBar's rule: an explicit expiry within 60 s, else last_refresh missing or > 8 days old."""
        if self.is_api_key:
            return False
        if self.expires_at is not None:
            return self.expires_at - now <= EXPIRY_MARGIN
        if self.last_refresh is None:
            return True
        return now - self.last_refresh > STALE_AFTER

    @property
    def claims(self) -> Dict[str, Any]:
        return jwt_claims(self.id_token.reveal()) if self.id_token else {}

    @property
    def email(self) -> Optional[str]:
        return email_from_claims(self.claims)

    @property
    def plan(self) -> Optional[str]:
        return plan_from_claims(self.claims)


# -- paths ------------------------------------------------------------------------------------


def codex_home(env: Env) -> Path:
    """``$CODEX_HOME`` when set and non-blank (``~`` expanded), else ``~/.codex``."""
    raw = (env.environ.get("CODEX_HOME") or "").strip()
    return env.expand(raw) if raw else env.home / ".codex"


def auth_path(env: Env) -> Path:
    return codex_home(env) / "auth.json"


def display_path(env: Env, path: Path) -> str:
    """``~/.codex/auth.json`` rather than the full home path in menus and messages."""
    try:
        return "~/" + str(path.relative_to(env.home))
    except ValueError:
        return str(path)


# -- pure parsing -----------------------------------------------------------------------------


def _clean(value: Any) -> Optional[str]:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text or None


def _token(tokens: Mapping[str, Any], snake: str, camel: str) -> Optional[str]:
    for key in (snake, camel):
        value = tokens.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def jwt_claims(token: str) -> Dict[str, Any]:
    """The payload of a JWT, or {} when it is not one (opaque tokens are normal, not errors)."""
    parts = token.split(".")
    if len(parts) < 2:
        return {}
    encoded = parts[1].replace("-", "+").replace("_", "/")
    encoded += "=" * (-len(encoded) % 4)
    try:
        payload = json.loads(base64.b64decode(encoded, validate=False).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {}
    return payload if isinstance(payload, dict) else {}


def email_from_claims(claims: Mapping[str, Any]) -> Optional[str]:
    profile = claims.get("https://api.openai.com/profile")
    email = claims.get("email")
    if not isinstance(email, str) and isinstance(profile, dict):
        email = profile.get("email")
    return email.strip() if isinstance(email, str) else None


def plan_from_claims(claims: Mapping[str, Any]) -> Optional[str]:
    auth = claims.get("https://api.openai.com/auth")
    plan = auth.get("chatgpt_plan_type") if isinstance(auth, dict) else None
    if not isinstance(plan, str):
        plan = claims.get("chatgpt_plan_type")
    return plan.strip() if isinstance(plan, str) else None


def account_id_from_jwts(*tokens: Optional[str]) -> Optional[str]:
    """Older auth files omit ``account_id``; OpenAI also carries it in the JWT claims."""
    for token in tokens:
        if not token or token.count(".") != 2:
            continue
        claims = jwt_claims(token)
        if not claims:
            continue
        direct = _clean(claims.get("chatgpt_account_id"))
        if direct:
            return direct
        auth = claims.get("https://api.openai.com/auth")
        nested = _clean(auth.get("chatgpt_account_id")) if isinstance(auth, dict) else None
        if nested:
            return nested
        orgs = claims.get("organizations")
        if isinstance(orgs, list):
            for org in orgs:
                org_id = _clean(org.get("id")) if isinstance(org, dict) else None
                if org_id:
                    return org_id
    return None


def parse_last_refresh(value: Any) -> Optional[datetime]:
    return parse_instant(value) if isinstance(value, str) and value else None


def decode_object(text: str) -> Dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        raise credential_error("decode_failed") from None
    if not isinstance(data, dict):
        raise credential_error("decode_failed")
    return data


def parse_pat(data: Mapping[str, Any]) -> Optional[Secret]:
    token = _clean(data.get("personal_access_token")) or _clean(data.get("personalAccessToken"))
    return Secret(token) if token else None


def parse_token_credentials(data: Mapping[str, Any], source: str = NATIVE) -> Optional[OAuthCredentials]:
    tokens = data.get("tokens")
    if not isinstance(tokens, dict):
        return None
    access = _token(tokens, "access_token", "accessToken")
    refresh = _token(tokens, "refresh_token", "refreshToken")
    if not access or not refresh:
        return None
    id_token = _token(tokens, "id_token", "idToken")
    account_id = _clean(_token(tokens, "account_id", "accountId")) or account_id_from_jwts(id_token, access)
    return OAuthCredentials(
        access_token=Secret(access), refresh_token=Secret(refresh),
        id_token=Secret(id_token) if id_token else None, account_id=account_id,
        last_refresh=parse_last_refresh(data.get("last_refresh")), source=source)


def parse_oauth(data: Mapping[str, Any], source: str = NATIVE) -> OAuthCredentials:
    """API key (wins, never stale, no account id) → tokens → ``missing_tokens``."""
    api_key = data.get("OPENAI_API_KEY")
    if isinstance(api_key, str) and api_key.strip():
        return OAuthCredentials(access_token=Secret(api_key), refresh_token=Secret(""), id_token=None,
                                account_id=None, last_refresh=None, source=source, is_api_key=True)
    found = parse_token_credentials(data, source)
    if found is None:
        raise credential_error("missing_tokens")
    return found


def parse_opencode(data: Mapping[str, Any]) -> OAuthCredentials:
    """OpenCode's ``{"openai": {"type": "oauth", "access", "refresh", "expires" (ms), "accountId"}}``."""
    entry = data.get("openai")
    if not isinstance(entry, dict) or (_clean(entry.get("type")) or "").lower() != "oauth":
        raise credential_error("missing_tokens")
    access = _clean(entry.get("access"))
    if not access:
        raise credential_error("missing_tokens")
    expires = entry.get("expires")
    expires_at = None
    if isinstance(expires, (int, float)) and not isinstance(expires, bool) and expires >= 0:
        expires_at = datetime.fromtimestamp(expires / 1000.0, tz=timezone.utc)
    return OAuthCredentials(access_token=Secret(access), refresh_token=Secret(_clean(entry.get("refresh")) or ""),
                            id_token=None, account_id=_clean(entry.get("accountId")), last_refresh=None,
                            expires_at=expires_at, source=OPENCODE)


# -- file reads -------------------------------------------------------------------------------


def read_text(path: Path) -> str:
    """One read, no exists-check first (the CLI replaces the file atomically)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise credential_error("not_found") from None
    except (OSError, UnicodeDecodeError):
        raise credential_error("unreadable") from None


def load_native(env: Env) -> OAuthCredentials:
    return parse_oauth(decode_object(read_text(auth_path(env))), NATIVE)


def load_oauth(env: Env, allow_external: bool = False) -> OAuthCredentials:
    """The native file; external OAuth files only when opted in, without CODEX_HOME, and only
    when the native file is missing (a broken native file is an identity boundary)."""
    try:
        return load_native(env)
    except CodexError as error:
        if not allow_external or error.reason != "not_found" or (env.environ.get("CODEX_HOME") or "").strip():
            raise
        native_error = error
    legacy = env.home / ".config" / "codex" / "auth.json"
    try:
        found = parse_token_credentials(decode_object(read_text(legacy)), LEGACY)
        if found is not None:
            return found
    except CodexError:
        pass
    data_home = (env.environ.get("XDG_DATA_HOME") or "").strip()
    root = env.expand(data_home) if data_home and env.expand(data_home).is_absolute() else env.home / ".local" / "share"
    try:
        return parse_opencode(decode_object(read_text(root / "opencode" / "auth.json")))
    except CodexError:
        raise native_error from None


def load_pat(env: Env) -> Secret:
    """The PAT from ``$CODEX_HOME/auth.json`` when that home has one, else from ``~/.codex``."""
    homes = [auth_path(env)]
    ambient = env.home / ".codex" / "auth.json"
    if ambient not in homes:
        homes.append(ambient)
    last: Optional[CodexError] = None
    for path in homes:
        try:
            token = parse_pat(decode_object(read_text(path)))
        except CodexError as error:
            last = error
            continue
        if token is not None:
            return token
        last = credential_error("missing_tokens")
    assert last is not None
    raise last
