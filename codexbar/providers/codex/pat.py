"""The ``api`` source: a personal access token from auth.json (``personal_access_token``),
identified through OpenAI's whoami endpoint, sent the way the Codex CLI sends it."""

from __future__ import annotations

from codexbar.descriptor import FetchContext, Source
from codexbar.errors import FetchError
from codexbar.model import ProviderResult
from codexbar.providers.codex import api, auth, binary, cli, parse, parse_side, toml_config
from codexbar.providers.codex.errors import CodexError

SOURCE_LABEL = "pat"
FALLBACK_REASONS = ("unauthorized", "not_found", "unreadable", "missing_tokens")


def fetch_pat(ctx: FetchContext) -> ProviderResult:
    token = auth.load_pat(ctx.env)
    path = binary.find_codex(ctx.env)
    raw_version = binary.raw_version(ctx, path) if path is not None else None
    agent = binary.pat_user_agent(ctx.env, raw_version)
    headers = {"Accept": "application/json", "originator": "codex_cli_rs"}
    whoami = parse_side.parse_whoami(api.get_json(ctx, api.WHOAMI_URL, token=token, headers=headers,
                                             user_agent=agent, timeout=api.USAGE_TIMEOUT))
    usage_headers = api.oauth_headers(whoami.account_id, headers)
    body = api.get_json(ctx, toml_config.usage_url(api.base_url(ctx)), token=token, headers=usage_headers,
                        user_agent=agent, timeout=api.USAGE_TIMEOUT)
    usage = parse.parse_usage(body, ctx.now)
    return parse.build_result(usage, source=SOURCE_LABEL, email=whoami.email, plan_fallback=whoami.plan,
                              now=ctx.now, version=binary.display_version(raw_version),
                              include_credits=cli.include_credits(ctx))


class PatSource(Source):
    id = "api"

    def available(self, ctx: FetchContext) -> bool:
        try:
            auth.load_pat(ctx.env)
        except CodexError:
            return False
        return True

    def unavailable_reason(self, ctx: FetchContext) -> str:
        return "no personal access token"

    def fetch(self, ctx: FetchContext) -> ProviderResult:
        return fetch_pat(ctx)

    def falls_back_on(self, error: FetchError) -> bool:
        return isinstance(error, CodexError) and error.reason in FALLBACK_REASONS
