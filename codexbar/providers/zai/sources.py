"""z.ai fetch: API key → quota (+ CN balance, + hourly/daily model usage, best effort)."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from codexbar.credentials import Chain, FromConfig, FromEnv, FromFirstLine, FromTokenAccount, OnlyIf
from codexbar.descriptor import FetchContext, Source
from codexbar.errors import ConfigError, FetchError
from codexbar.model import ProviderResult
from codexbar.providers.zai import parse, settings


def _cn(ctx: FetchContext) -> bool:
    return settings.region_of(ctx.config) == "bigmodel-cn"


API_KEY = Chain("z.ai API key", (
    FromTokenAccount(),
    FromConfig("apiKey"),                 # config wins over a real env var (CodexBar projects it)
    FromEnv("Z_AI_API_KEY"),
    OnlyIf(_cn, FromEnv("BIGMODEL_API_KEY", "ZHIPU_API_KEY", "ZHIPUAI_API_KEY", "GLM_API_KEY")),
    OnlyIf(_cn, FromFirstLine("~/.coding-relay/glm-api-key", "~/.config/bigmodel/api_key", "~/.config/zhipu/api_key")),
), hint="Set Z_AI_API_KEY, or apiKey for zai in ~/.config/codexbar/config.json.")

LABEL = "z.ai"


def team_scope(ctx: FetchContext) -> Optional[Tuple[str, str]]:
    """(organization, project) for a team-scoped account; None for personal scope."""
    account = ctx.account or {}
    if account:
        if account.get("usageScope") != "team":
            return None     # a personal account clears inherited team settings
        org = str(account.get("organizationId") or "").strip()
        project = str(account.get("workspaceID") or "").strip()
    else:
        org = ctx.env.get("Z_AI_BIGMODEL_ORGANIZATION") or ""
        project = ctx.env.get("Z_AI_BIGMODEL_PROJECT") or ""
        if not org and not project:
            return None
    if not org or not project:
        raise ConfigError("z.ai BigModel team usage requires both Organization ID and Project ID.",
                          hint="Set organizationId and workspaceID on the team token account.")
    return org, project


def _with_query(url: str, drop: str, extra: Dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != drop]
    query.extend(extra.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def endpoints(ctx: FetchContext) -> Dict[str, str]:
    region = settings.region_of(ctx.config)
    if region not in settings.REGIONS:
        raise ConfigError("Unknown z.ai region %r (use global or bigmodel-cn)." % region)
    base = settings.REGIONS[region]
    quota_url, usage_url = base + settings.QUOTA_PATH, base + settings.MODEL_USAGE_PATH
    host = settings.checked_override("Z_AI_API_HOST", ctx.env.get("Z_AI_API_HOST"), region)
    if host:
        parts = urlsplit(host)
        if parts.path and parts.path != "/":
            quota_url = host
            usage_url = "%s://%s%s" % (parts.scheme, parts.netloc, settings.MODEL_USAGE_PATH)
        else:
            quota_url, usage_url = host + settings.QUOTA_PATH, host + settings.MODEL_USAGE_PATH
    explicit = settings.checked_override("Z_AI_QUOTA_URL", ctx.env.get("Z_AI_QUOTA_URL"), region)
    if explicit:
        quota_url = explicit
    balance = settings.checked_override("Z_AI_BALANCE_URL", ctx.env.get("Z_AI_BALANCE_URL")) or settings.BALANCE_URL
    # any query already in the model-usage base is dropped
    usage_parts = urlsplit(usage_url)
    usage_url = urlunsplit((usage_parts.scheme, usage_parts.netloc, usage_parts.path, "", ""))
    return {"quota": quota_url, "usage": usage_url, "balance": balance, "region": region}


class ApiSource(Source):
    id = "api"
    retry_transient = True   # 429/5xx on the quota call: the whole fetch is retried once

    def available(self, ctx: FetchContext) -> bool:
        return API_KEY.peek(ctx) is not None

    def unavailable_reason(self, ctx: FetchContext) -> str:
        return "no API key (Z_AI_API_KEY or config apiKey)"

    def fetch(self, ctx: FetchContext) -> ProviderResult:
        key = API_KEY.require(ctx)
        urls = endpoints(ctx)
        team = team_scope(ctx)
        headers = {}
        quota_url = urls["quota"]
        if team is not None:
            headers = {"Bigmodel-Organization": team[0], "Bigmodel-Project": team[1]}
            quota_url = _with_query(quota_url, "type", {"type": "2"})
        response = ctx.http.request("GET", quota_url, label=LABEL, bearer=key.secret, headers=headers)
        try:
            ctx.http.check_status(response, label=LABEL)
        except FetchError as error:
            if error.kind == "auth_expired":
                error.hint = "Check the z.ai API key (Z_AI_API_KEY or apiKey in the config)."
            raise
        body = ctx.http.decode_json(response, label=LABEL)

        balance = None
        if urls["region"] == "bigmodel-cn":
            balance = self._best_effort(ctx, urls["balance"], key, {}, timeout=5.0)
        usage_bodies = []
        for _name, start, end in parse.model_usage_ranges(ctx.now):
            params = {"startTime": start, "endTime": end}
            if team is not None:
                params["type"] = "3"
            usage_bodies.append(self._best_effort(ctx, urls["usage"] + "?" + urlencode(params), key, headers))
        snapshot = parse.quota(body, now=ctx.now, balance=balance, hourly=usage_bodies[0], daily=usage_bodies[1])
        return ProviderResult(provider="zai", source="api", usage=snapshot,
                              account=(ctx.account or {}).get("label") if ctx.account else None)

    @staticmethod
    def _best_effort(ctx: FetchContext, url: str, key: Any, headers: Dict[str, str],
                     timeout: Optional[float] = None) -> Any:
        """Balance and model usage never fail the fetch."""
        try:
            return ctx.http.get_json(url, label=LABEL, bearer=key.secret, headers=headers, timeout=timeout)
        except FetchError:
            return None

    def falls_back_on(self, error: FetchError) -> bool:
        return False


SOURCES = {"api": ApiSource()}
