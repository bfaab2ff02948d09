"""The ``oauth`` source: the Codex CLI's own login from auth.json, sent to ChatGPT's usage API.

auth.json is never rewritten: when its tokens are stale the Codex CLI (which owns the refresh
token) is asked instead, through its app-server (``auto`` falls back to the ``cli`` source;
an explicit ``--source oauth`` runs that hand-off itself).
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from codexbar.descriptor import FetchContext, Source
from codexbar.errors import FetchError
from codexbar.model import Credits, ProviderResult
from codexbar.providers.codex import api, auth, binary, cli, parse, parse_side, toml_config
from codexbar.providers.codex.errors import CodexError, credential_error

SOURCE_LABEL = "oauth"
FALLBACK_REASONS = ("unauthorized", "not_found", "unreadable", "missing_tokens", "native_refresh_required")


def allow_external(ctx: FetchContext) -> bool:
    """Opt-in (config ``allowExternalOAuthSources: true``): ~/.config/codex, OpenCode's auth.json."""
    return ctx.config.get("allowExternalOAuthSources") is True


def _reset_credits(ctx: FetchContext, base: str, creds: auth.OAuthCredentials) -> Optional[Dict[str, Any]]:
    """Enrichment only: any failure means "not known", never a failed fetch."""
    headers = api.oauth_headers(creds.account_id, {"OpenAI-Beta": "codex-1", "originator": "Codex Desktop"},
                                account_header="ChatGPT-Account-ID")
    try:
        body = api.get_json(ctx, toml_config.reset_credits_url(base), token=creds.access_token, headers=headers,
                            user_agent="CodexBar", timeout=api.SIDE_TIMEOUT)
        return parse_side.parse_reset_credits(body, ctx.now)
    except FetchError:
        return None


def _monthly_limit(ctx: FetchContext, base: str, creds: auth.OAuthCredentials,
                   usage: parse.UsageBody) -> Optional[Dict[str, Any]]:
    account_id = creds.account_id or usage.account_id
    url = toml_config.monthly_usage_url(base, account_id or "")
    if url is None:
        return None
    try:
        body = api.get_json(ctx, url, token=creds.access_token, headers=api.oauth_headers(account_id),
                            user_agent="CodexBar", timeout=api.SIDE_TIMEOUT)
        limit, _failed = parse_side.parse_monthly_usage(body, ctx.now)
        return limit
    except FetchError:
        return None


def _borrow_cli_limit(ctx: FetchContext, result: ProviderResult) -> ProviderResult:
    """auto only: credits at 0 with no monthly limit and no reset credit → the CLI's RPC may know
    the workspace's monthly limit; take it only for the same account (email)."""
    credits, usage = result.credits, result.usage
    if ctx.source_mode not in (None, "auto") or credits is None or usage is None:
        return result
    if credits.remaining != 0 or credits.codexCreditLimit is not None:
        return result
    if parse.available_reset_credits(getattr(usage, "codexResetCredits", None), usage.updatedAt) > 0:
        return result
    if binary.find_codex(ctx.env) is None:
        return result
    try:
        snapshot = cli.read_snapshot(ctx)
    except FetchError:
        return result
    cli_limit = snapshot.credits.codexCreditLimit if snapshot.credits else None
    cli_email = (snapshot.identity.accountEmail if snapshot.identity else None) or ""
    ours = (usage.identity.accountEmail if usage.identity else None) or ""
    if not cli_limit or not cli_email.strip() or cli_email.strip().lower() != ours.strip().lower():
        return result
    result.credits = Credits(remaining=credits.remaining, events=credits.events, updatedAt=credits.updatedAt,
                             codexCreditLimit=cli_limit, unlimited=credits.unlimited)
    return result


def fetch_oauth(ctx: FetchContext) -> ProviderResult:
    creds = auth.load_oauth(ctx.env, allow_external(ctx))
    if creds.needs_refresh(ctx.now):
        raise credential_error("native_refresh_required" if creds.source == auth.NATIVE else "read_only_source")
    base = api.base_url(ctx)
    body = api.get_json(ctx, toml_config.usage_url(base), token=creds.access_token,
                        headers=api.oauth_headers(creds.account_id), user_agent="CodexBar", timeout=api.USAGE_TIMEOUT)
    usage = parse.parse_usage(body, ctx.now)
    wants_credits = cli.include_credits(ctx)
    reset_credits = _reset_credits(ctx, base, creds) if wants_credits else None
    result = parse.build_result(usage, source=SOURCE_LABEL, email=creds.email, plan_fallback=creds.plan,
                                now=ctx.now, reset_credits=reset_credits, version=cli.version(ctx),
                                include_credits=wants_credits)
    if wants_credits and parse.should_fetch_monthly_limit(usage, ctx.now):
        limit = _monthly_limit(ctx, base, creds, usage)
        if limit is not None:
            old = result.credits
            result.credits = Credits(remaining=old.remaining if old else 0.0, events=[], updatedAt=ctx.now,
                                     codexCreditLimit=limit, unlimited=old.unlimited if old else None)
    return _borrow_cli_limit(ctx, result) if wants_credits else result


class OAuthSource(Source):
    id = "oauth"

    def available(self, ctx: FetchContext) -> bool:
        try:
            auth.load_oauth(ctx.env, allow_external(ctx))
        except CodexError:
            return False
        return True

    def unavailable_reason(self, ctx: FetchContext) -> str:
        where = auth.display_path(ctx.env, auth.auth_path(ctx.env))
        try:
            auth.load_oauth(ctx.env, allow_external(ctx))
        except CodexError as error:
            if error.reason == "not_found":
                return "no Codex login at %s" % where
            return "%s (%s)" % (error.message.rstrip("."), where)
        return "available"

    def fetch(self, ctx: FetchContext) -> ProviderResult:
        try:
            return fetch_oauth(ctx)
        except CodexError as error:
            # explicit --source oauth: stale native tokens are refreshed by the Codex CLI itself
            if (error.reason == "native_refresh_required" and ctx.source_mode == "oauth"
                    and binary.find_codex(ctx.env) is not None):
                return cli.fetch_result(ctx)
            raise

    def falls_back_on(self, error: FetchError) -> bool:
        return isinstance(error, CodexError) and error.reason in FALLBACK_REASONS
