"""Admin API mode: organization spend and tokens for an ``sk-ant-admin…`` key (spec §3, §4, §6 Admin).

No quota lanes: 30-day spend becomes ``providerCost`` and the breakdown ``details``.
``report`` is pure (decoded JSON + now → snapshot); ``AdminSource`` does the two requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Tuple

from codexbar.descriptor import FetchContext, Source
from codexbar.errors import AuthExpired, FetchError, MissingCredential, ParseError
from codexbar.model import (Chart, ChartPoint, DetailRow, DetailSection, Identity, ProviderCost,
                            ProviderResult, UsageSnapshot)
from codexbar.render.formatting import currency

from .oauth import account_kind

COST_URL = "https://api.anthropic.com/v1/organizations/cost_report"
MESSAGES_URL = "https://api.anthropic.com/v1/organizations/usage_report/messages"
DAYS = 31
MISSING = "Claude API usage needs an Anthropic Admin API key."
HINT = "Set ANTHROPIC_ADMIN_KEY, or apiKey for claude in ~/.config/codexbar/config.json (an sk-ant-admin\u2026 key)."


@dataclass
class Day:
    start: datetime
    end: datetime
    cost: float = 0.0
    input: int = 0
    cache_creation: int = 0
    cache_read: int = 0
    output: int = 0
    costs: Dict[str, float] = field(default_factory=dict)
    models: Dict[str, int] = field(default_factory=dict)  # model → total tokens

    @property
    def total(self) -> int:
        return self.input + self.cache_creation + self.cache_read + self.output


def _instant(value: Any) -> Optional[datetime]:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _int(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _name(value: Any, fallback: str = "Claude API") -> str:
    return value.strip() if isinstance(value, str) and value.strip() else fallback


def date_range(now: datetime) -> Tuple[str, str]:
    """31 UTC days ending tomorrow 00:00 (RFC 3339)."""
    today = now.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    start, end = today - timedelta(days=DAYS - 1), today + timedelta(days=1)
    return start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")


def _buckets(body: Any, endpoint: str) -> List[Dict[str, Any]]:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise ParseError("Failed to parse Claude API usage %s: no data array." % endpoint)
    return [b for b in data if isinstance(b, dict)]


def days(costs: Any, messages: Any, now: datetime) -> List[Day]:
    table: Dict[str, Day] = {}

    def day_for(bucket: Dict[str, Any]) -> Optional[Day]:
        key = bucket.get("starting_at")
        start, end = _instant(key), _instant(bucket.get("ending_at"))
        if start is None or end is None:
            return None
        return table.setdefault(str(key), Day(start, end))

    for bucket in _buckets(costs, "cost_report"):
        day = day_for(bucket)
        for result in bucket.get("results") or []:
            if day is None or not isinstance(result, dict):
                continue
            try:
                value = float(str(result.get("amount") or "0")) / 100.0  # decimal string, US cents
            except ValueError:
                value = 0.0
            day.cost += value
            item = _name(result.get("description") or result.get("cost_type"))
            day.costs[item] = day.costs.get(item, 0.0) + value
    for bucket in _buckets(messages, "messages"):
        day = day_for(bucket)
        for result in bucket.get("results") or []:
            if day is None or not isinstance(result, dict):
                continue
            creation = result.get("cache_creation") if isinstance(result.get("cache_creation"), dict) else {}
            parts = (_int(result.get("uncached_input_tokens")), _int(creation.get("total_input_tokens")),
                     _int(result.get("cache_read_input_tokens")), _int(result.get("output_tokens")))
            day.input += parts[0]
            day.cache_creation += parts[1]
            day.cache_read += parts[2]
            day.output += parts[3]
            model = _name(result.get("model"))
            day.models[model] = day.models.get(model, 0) + sum(parts)
    return sorted((d for d in table.values() if d.start <= now), key=lambda d: d.start)


def _count(value: int) -> str:
    return "{:,}".format(value)


def report(costs: Any, messages: Any, now: datetime) -> UsageSnapshot:
    """Both Admin API answers → the snapshot CodexBar shows for Admin API mode."""
    daily = days(costs, messages, now)
    last30, last7 = daily[-30:], daily[-7:]
    today = [d for d in daily if d.start <= now < d.end]
    spend30 = sum(d.cost for d in last30)
    models: Dict[str, int] = {}
    items: Dict[str, float] = {}
    for day in daily:
        for name, tokens in day.models.items():
            models[name] = models.get(name, 0) + tokens
        for name, value in day.costs.items():
            items[name] = items.get(name, 0.0) + value
    rows = [
        DetailRow(label="Today spend", value=currency(sum(d.cost for d in today))),
        DetailRow(label="7d spend", value=currency(sum(d.cost for d in last7))),
        DetailRow(label="30d spend", value=currency(spend30)),
        DetailRow(label="Today tokens", value=_count(sum(d.total for d in today))),
        DetailRow(label="30d tokens", value=_count(sum(d.total for d in last30))),
        DetailRow(label="Cache read", value=_count(sum(d.cache_read for d in last30))),
    ]
    if models:
        top = sorted(models.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        rows.append(DetailRow(label="Top model", value=top))
    chart = Chart(kind="bars", title="Daily spend", unit="USD",
                  points=[ChartPoint(label=d.start.strftime("%Y-%m-%d"), value=d.cost) for d in daily]) if daily else None
    sections = [DetailSection(title="Usage summary", rows=rows, chart=chart)]
    if items:
        ordered = sorted(items.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
        sections.append(DetailSection(title="Cost items", rows=[DetailRow(label=k, value=currency(v)) for k, v in ordered]))
    return UsageSnapshot(primary=None, secondary=None, tertiary=None,
                         providerCost=ProviderCost(used=spend30, limit=0, currencyCode="USD", period="Last 30 days",
                                                   updatedAt=now),
                         details=sections, updatedAt=now,
                         identity=Identity(providerID="claude", loginMethod="Admin API"))


def admin_key(ctx: FetchContext) -> Optional[str]:
    if account_kind(ctx.account) == "api":
        return str(ctx.account["token"]).strip()  # type: ignore[index]
    if account_kind(ctx.account) is not None:
        return None
    return ctx.config_str("apiKey") or ctx.env.get("ANTHROPIC_ADMIN_KEY") or ctx.env.get("ANTHROPIC_ADMIN_API_KEY")


class AdminSource(Source):
    id = "api"

    def available(self, ctx: FetchContext) -> bool:
        # CodexBar: any key in the admin settings selects Admin API mode (validate warns on a
        # key without the sk-ant-admin prefix); explicit --source api always tries.
        return ctx.source_mode == "api" or admin_key(ctx) is not None

    def unavailable_reason(self, ctx: FetchContext) -> str:
        return "no Anthropic Admin API key"

    def falls_back_on(self, error: FetchError) -> bool:
        # Only the menu bar's auto mode moves on to OAuth/CLI/web after an Admin API failure, and
        # never when the admin key is the selected token account (CodexBar's rule).
        return bool(getattr(error, "claude_admin_fallback", False))

    def _get(self, ctx: FetchContext, url: str, endpoint: str, group: str, key: str) -> Any:
        start, end = date_range(ctx.now)
        params = [("starting_at", start), ("ending_at", end), ("bucket_width", "1d"), ("limit", str(DAYS)),
                  ("group_by[]", group)]
        response = ctx.http.request("GET", url, label="Claude Admin API", params=params, timeout=20,
                                    user_agent="CodexBar/1.0",
                                    headers={"x-api-key": key, "anthropic-version": "2023-06-01",
                                             "Accept": "application/json"})
        if response.status != 200:
            message = "Claude API usage %s error: HTTP %d" % (endpoint, response.status)
            if response.status in (401, 403):
                raise AuthExpired(message, hint="Check the Admin API key (Console → Settings → Admin keys).")
            raise FetchError(message, kind="rate_limited" if response.status == 429 else "unavailable",
                             hint="Anthropic's Admin API had a problem; it will retry on the next refresh.")
        return ctx.http.decode_json(response, label="Claude Admin API %s" % endpoint)

    def fetch(self, ctx: FetchContext) -> ProviderResult:
        try:
            key = admin_key(ctx)
            if not key:
                raise MissingCredential(MISSING, hint=HINT)
            costs = self._get(ctx, COST_URL, "cost_report", "description", key)
            _buckets(costs, "cost_report")  # a malformed cost report fails before the second request
            messages = self._get(ctx, MESSAGES_URL, "messages", "model", key)
            return ProviderResult(provider="claude", source="admin-api", usage=report(costs, messages, ctx.now))
        except FetchError as error:
            error.claude_admin_fallback = (ctx.runtime == "plugin" and ctx.source_mode in (None, "auto")  # type: ignore[attr-defined]
                                           and account_kind(ctx.account) != "api")
            raise
