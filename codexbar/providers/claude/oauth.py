"""The OAuth source: Claude Code's subscription token against ``api.anthropic.com/api/oauth/usage``.

Credential order (spec §3, adapted so a scheduled run never raises a Keychain prompt):
1. the selected token account (``sk-ant-oat…``) or ``CODEXBAR_CLAUDE_OAUTH_TOKEN`` — owner "environment";
2. codexbar's own credential file (``<data_dir>/claude/oauth.json``) — owner "codexbar", refreshed by us;
3. our keyring item ``codexbar/claude-oauth`` (filled by ``codexbar login claude`` from Claude Code's
   Keychain item) — a copy of Claude Code's token, so owner "claude-cli";
4. Claude Code's ``<root>/.credentials.json`` — owner "claude-cli".
Claude Code's Keychain item itself is only read by ``codexbar login claude`` (an explicit action):
Claude Code recreates that item on each refresh, which resets "Always Allow" and would prompt.

Tokens owned by the Claude CLI are never refreshed here (rotating its refresh token would log
Claude Code out); an expired one fails with "run `claude login`" and the plugin moves on to the
CLI source, which refreshes it as a side effect.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, List, Optional, Tuple

from codexbar.descriptor import FetchContext, Source
from codexbar.errors import AuthExpired, FetchError, MissingCredential, RateLimited
from codexbar.model import ProviderResult

from . import parse
from .paths import credentials_path, local_zone, owned_store_path

USAGE_URL = "https://api.anthropic.com/api/oauth/usage"
PROFILE_URL = "https://api.anthropic.com/api/oauth/profile"
TOKEN_URL = "https://platform.claude.com/v1/oauth/token"
CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
BETA = "oauth-2025-04-20"
FALLBACK_VERSION = "2.1.0"
KEYRING_ACCOUNT = "claude-oauth"
COOLDOWN_SECONDS = 300.0
LABEL = "Claude OAuth"

RATE_LIMITED = ("Claude OAuth usage endpoint is rate limited by Anthropic right now. Wait a few minutes, then "
                "click Refresh. If it keeps happening, run `claude logout && claude login`, then try again.")
NOT_FOUND = "Claude OAuth credentials not found. Run `claude` to authenticate."
EXPIRED_CLI = ("Claude OAuth token expired. codexbar does not launch Claude to refresh credentials. "
               "Run `claude login`, then retry.")
LOGIN_HINT = "Run `claude login` in a terminal (on macOS then `codexbar login claude`), or use the cli source."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def cooldown_key(token: str) -> str:
    return "claude/oauth-cooldown/" + token_hash(token)


def is_oauth_token(value: str) -> bool:
    token = value.strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    return token.startswith("sk-ant-oat") and "=" not in token


def account_kind(account: Optional[Dict[str, Any]]) -> Optional[str]:
    """Token-account routing: admin → api, oat → oauth, anything else → web cookie."""
    if not account:
        return None
    token = account.get("token")
    if not isinstance(token, str) or not token.strip():
        return "none"
    token = token.strip()
    if token.startswith("sk-ant-admin"):
        return "api"
    if is_oauth_token(token):
        return "oauth"
    return "web"


# -- credentials --------------------------------------------------------------------------------


def _env_record(ctx: FetchContext) -> Optional[parse.OAuthRecord]:
    kind = account_kind(ctx.account)
    if kind == "oauth":
        token = str(ctx.account["token"]).strip()  # type: ignore[index]
        origin = "config token account %s" % (ctx.account.get("label") or "?")  # type: ignore[union-attr]
    else:
        token = ctx.env.get("CODEXBAR_CLAUDE_OAUTH_TOKEN") or ""
        origin = "env CODEXBAR_CLAUDE_OAUTH_TOKEN"
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        return None
    scopes_raw = ctx.env.get("CODEXBAR_CLAUDE_OAUTH_SCOPES")
    scopes = [s.strip() for s in scopes_raw.split(",") if s.strip()] if scopes_raw else [parse.REQUIRED_SCOPE]
    return parse.OAuthRecord(access_token=token, scopes=scopes, owner="environment", origin=origin,
                             expires_at=None, raw={})


def read_owned(ctx: FetchContext) -> Optional[Dict[str, Any]]:
    path = owned_store_path(ctx.env)
    if not path.exists():
        return None
    from codexbar.access.files import read_json

    return read_json(path, "codexbar's Claude credentials")  # type: ignore[no-any-return]


def _keyring_payload(ctx: FetchContext) -> Optional[Dict[str, Any]]:
    from codexbar.access import keyring_store

    if not ctx.env.is_macos:
        return None  # keyring only on macOS (spec); Linux reads Claude's file directly

    value = keyring_store.get(KEYRING_ACCOUNT)
    if not value:
        return None
    data = json.loads(value)
    return data if isinstance(data, dict) else None


def candidates(ctx: FetchContext) -> Tuple[List[parse.OAuthRecord], List[FetchError]]:
    """Every usable record in order, plus the problems of the unusable ones."""
    found: List[parse.OAuthRecord] = []
    problems: List[FetchError] = []
    env_record = _env_record(ctx)
    if env_record is not None:
        return [env_record], []
    if account_kind(ctx.account) is not None:
        return [], []  # a selected account is an authority boundary
    loaders = (
        ("codexbar", str(owned_store_path(ctx.env)), lambda: read_owned(ctx)),
        ("claude-cli", "keyring codexbar/%s" % KEYRING_ACCOUNT, lambda: _keyring_payload(ctx)),
        ("claude-cli", str(credentials_path(ctx.env)), lambda: _read_file(ctx)),
    )
    for owner, origin, load in loaders:
        try:
            data = load()
        except (FetchError, ValueError):
            problems.append(parse.CredentialError("Claude OAuth credentials are invalid.",
                                                  hint="Fix or delete %s, or run `claude` to sign in again." % origin))
            continue
        if data is None:
            continue
        try:
            found.append(parse.oauth_record(data, owner=owner, origin=origin))
        except FetchError as error:
            problems.append(error)
    return found, problems


def _read_file(ctx: FetchContext) -> Optional[Dict[str, Any]]:
    path = credentials_path(ctx.env)
    if not path.exists():
        return None
    from codexbar.access.files import read_json

    return read_json(path, "Claude credentials")  # type: ignore[no-any-return]


def choose(ctx: FetchContext) -> parse.OAuthRecord:
    records, problems = candidates(ctx)
    if not records:
        if problems:
            raise problems[0]
        raise MissingCredential(NOT_FOUND, hint=LOGIN_HINT)
    now = ctx.now
    return next((r for r in records if r.owner == "environment" or not r.is_expired(now)), records[0])


# -- refresh (codexbar-owned credentials only) --------------------------------------------------


def refresh_owned(ctx: FetchContext, record: parse.OAuthRecord) -> parse.OAuthRecord:
    """Refresh under a cross-process lock and write the file back atomically, other fields kept."""
    from codexbar.access.files import write_json
    from codexbar.access.http import HttpStatusError

    if not record.refresh_token:
        raise AuthExpired("Claude OAuth refresh token missing. Run `claude` to authenticate.", hint=LOGIN_HINT)
    gate = "claude/oauth-refresh-blocked/" + token_hash(record.refresh_token)
    lock = ctx.cache.lock("claude-oauth-refresh") if ctx.cache is not None else None
    if lock is not None:
        lock.acquire(timeout=30)
    try:
        # another process may have refreshed while we waited for the lock
        current = read_owned(ctx)
        if current is not None:
            fresh = parse.oauth_record(current, owner="codexbar", origin=record.origin)
            if fresh.access_token != record.access_token and not fresh.is_expired(ctx.now):
                return fresh
            record = fresh
        blocked = ctx.cache.get(gate) if ctx.cache is not None else None
        if blocked == "terminal":
            raise AuthExpired("Claude OAuth refresh was rejected (invalid_grant). Sign in again.", hint=LOGIN_HINT)
        if blocked == "transient":
            raise FetchError("Claude OAuth token refresh failed recently; retrying in a few minutes.",
                             kind="network", hint="Check your network connection.")
        client_id = ctx.env.get("CODEXBAR_CLAUDE_OAUTH_CLIENT_ID") or CLIENT_ID
        form = {"grant_type": "refresh_token", "refresh_token": record.refresh_token, "client_id": client_id}
        try:
            response = ctx.http.request("POST", TOKEN_URL, label="Claude OAuth refresh", form=form,
                                        headers={"Accept": "application/json"}, timeout=30)
            ctx.http.check_status(response, label="Claude OAuth refresh")
            body = ctx.http.decode_json(response, label="Claude OAuth refresh")
        except HttpStatusError as error:
            if error.status in (400, 401) and "invalid_grant" in error.body:
                if ctx.cache is not None:
                    ctx.cache.set(gate, "terminal")
                raise AuthExpired("Claude OAuth refresh was rejected (invalid_grant). Sign in again.",
                                  hint=LOGIN_HINT) from None
            if ctx.cache is not None:
                ctx.cache.set(gate, "transient", expire=COOLDOWN_SECONDS)
            raise
        updated = parse.refreshed_record(record, body, ctx.now)
        document = dict(current) if isinstance(current, dict) else {}
        document["claudeAiOauth"] = updated
        write_json(owned_store_path(ctx.env), document, pretty=True)
        return parse.oauth_record(document, owner="codexbar", origin=record.origin)
    finally:
        if lock is not None:
            lock.release()


# -- the request --------------------------------------------------------------------------------


def user_agent(ctx: FetchContext) -> str:
    """``claude-code/<version>``: the app (plugin) asks the CLI; the CLI runtime does not probe."""
    if ctx.runtime == "cli":
        return "claude-code/" + FALLBACK_VERSION
    from .cli_pty import cached_version, resolve_binary

    binary = resolve_binary(ctx.env)
    version = cached_version(ctx, binary) if binary is not None else None
    return "claude-code/" + (version or FALLBACK_VERSION)


def record_rate_limit(ctx: FetchContext, token: str, retry_after: Optional[float]) -> float:
    """Store the cooldown end (epoch s); a later block already stored is kept."""
    now = ctx.now.timestamp()
    candidate = now + retry_after if retry_after else now + COOLDOWN_SECONDS
    if ctx.cache is None:
        return candidate
    existing = ctx.cache.get(cooldown_key(token))
    until = max(candidate, existing) if isinstance(existing, (int, float)) else candidate
    ctx.cache.set(cooldown_key(token), until, expire=max(1.0, until - now))
    return until


def request_usage(ctx: FetchContext, record: parse.OAuthRecord) -> Any:
    from codexbar.access.http import parse_retry_after
    from codexbar.secret import Secret

    token = record.access_token
    if not ctx.interactive and ctx.cache is not None:
        until = ctx.cache.get(cooldown_key(token))
        if isinstance(until, (int, float)) and until > ctx.now.timestamp():
            raise RateLimited(RATE_LIMITED, retry_after=until - ctx.now.timestamp(),
                              hint="Waiting out Anthropic's rate limit before asking again.")
    response = ctx.http.request(
        "GET", USAGE_URL, label=LABEL, bearer=Secret(token), timeout=30, user_agent=user_agent(ctx),
        headers={"Accept": "application/json", "Content-Type": "application/json", "anthropic-beta": BETA})
    status = response.status
    if status == 200:
        if ctx.cache is not None:
            ctx.cache.delete(cooldown_key(token))
        return ctx.http.decode_json(response, label=LABEL)
    if status == 401:
        raise AuthExpired("Claude OAuth request unauthorized. Run `claude` to re-authenticate.", hint=LOGIN_HINT)
    if status == 429:
        retry = parse_retry_after(response.header("retry-after"), ctx.now)
        until = record_rate_limit(ctx, token, retry)
        raise RateLimited(RATE_LIMITED, retry_after=max(0.0, until - ctx.now.timestamp()),
                          hint="Waiting out Anthropic's rate limit before asking again.")
    from codexbar.secret import redact

    body = redact(response.text, [Secret(token)])
    if status == 403 and "user:profile" in body:
        raise AuthExpired("Claude OAuth token does not meet scope requirement 'user:profile'. Run `claude "
                          "setup-token` to re-generate credentials, or switch Claude Source to Web/CLI.",
                          hint="Run `claude setup-token`, or set source to web or cli for claude in the config.")
    flat = " ".join(body.replace("\n", " ").split())
    short = flat[:400] + "\u2026" if len(flat) > 400 else flat
    message = "Claude OAuth error: HTTP %d" % status + (" \u2013 " + short if short else "")
    raise FetchError(message, kind="auth_expired" if status == 403 else "unavailable",
                     hint="Try again later; if it persists run `claude login`.")


class OAuthSource(Source):
    id = "oauth"

    def available(self, ctx: FetchContext) -> bool:
        kind = account_kind(ctx.account)
        if kind is not None:
            return kind == "oauth"
        if ctx.source_mode == "oauth":
            return True  # explicit: always try, so the real error surfaces
        records, problems = candidates(ctx)
        return bool(records or problems)

    def unavailable_reason(self, ctx: FetchContext) -> str:
        if account_kind(ctx.account) not in (None, "oauth"):
            return "the selected token account is not an OAuth token"
        return "no Claude OAuth credentials (env, codexbar login, or %s)" % credentials_path(ctx.env)

    def falls_back_on(self, error: FetchError) -> bool:
        return True

    def fetch(self, ctx: FetchContext) -> ProviderResult:
        record = choose(ctx)
        parse.check_scope(record)
        if record.owner != "environment" and record.is_expired(ctx.now):
            if record.owner == "codexbar":
                record = refresh_owned(ctx, record)
            elif record.refresh_token is None and record.expires_at is not None:
                raise AuthExpired("Claude OAuth refresh token missing. Run `claude` to authenticate.", hint=LOGIN_HINT)
            else:
                raise AuthExpired(EXPIRED_CLI, hint=LOGIN_HINT)
        try:
            body = request_usage(ctx, record)
        except AuthExpired:
            if record.owner != "codexbar" or not record.refresh_token:
                raise
            record = refresh_owned(ctx, record)  # a 401 on a token we own: refresh once, retry
            body = request_usage(ctx, record)
        snapshot = parse.oauth_usage(body, record, ctx.now, local_zone(ctx.env))
        return ProviderResult(provider="claude", source="oauth", usage=snapshot)
