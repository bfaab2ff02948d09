"""Pure parsers for z.ai answers (spec providers/zai.md §5–6): JSON + ``now`` → models."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from codexbar.errors import FetchError, ParseError
from codexbar.model import (Chart, ChartPoint, DetailRow, DetailSection, Identity, NamedWindow, RateWindow,
                            UsageSnapshot)
from codexbar.render import formatting as fmt

UNIT_MINUTES = {1: 1440, 3: 60, 5: 1, 6: 10080}
UNIT_WORDS = {1: "day", 3: "hour", 5: "minute", 6: "week"}
TOKEN_TYPES = ("TOKENS_LIMIT", "CREDIT_LIMIT")
MONTHLY_MCP_MINUTES = 43200
# display limits of CodexBar's plugin host; we truncate instead of failing
MAX_SECTIONS, MAX_ROWS, MAX_POINTS, MAX_CHARS = 8, 24, 120, 120


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Limit:
    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.type = raw.get("type")
        for key in ("unit", "number", "percentage"):
            if not _is_int(raw.get(key)):
                raise ParseError("Failed to parse z.ai limit entry (%s must be an integer)." % key)
        for key in ("usage", "currentValue", "remaining", "nextResetTime"):
            if key in raw and raw[key] is not None and not _is_int(raw[key]):
                raise ParseError("z.ai limit.%s must be an integer." % key)
        details = raw.get("usageDetails")
        if details is not None and not isinstance(details, list):
            raise ParseError("z.ai limit.usageDetails must be an array.")
        self.unit: int = raw["unit"]
        self.number: int = raw["number"]
        self.percentage: int = raw["percentage"]
        self.usage: Optional[int] = raw.get("usage")
        self.current: Optional[int] = raw.get("currentValue")
        self.remaining: Optional[int] = raw.get("remaining")
        self.next_reset: Optional[int] = raw.get("nextResetTime")
        self.details: List[Tuple[str, int]] = [
            (str(d.get("modelCode")), int(d.get("usage") or 0)) for d in details or []
            if isinstance(d, dict) and isinstance(d.get("modelCode"), str) and _is_int(d.get("usage") or 0)]

    @property
    def is_time(self) -> bool:
        return self.type == "TIME_LIMIT"

    @property
    def is_credit(self) -> bool:
        return self.type == "CREDIT_LIMIT"

    @property
    def used_percent(self) -> float:
        used: Optional[float] = None
        if self.usage is not None and self.usage > 0:
            if self.remaining is not None:
                used = self.usage - self.remaining
                if self.current is not None:
                    used = max(used, self.current)
            elif self.current is not None:
                used = self.current
            if used is not None:
                return min(100.0, max(0.0, min(max(used, 0), self.usage) / self.usage * 100.0))
        return min(100.0, max(0.0, float(self.percentage)))

    @property
    def window_minutes(self) -> Optional[int]:
        if self.is_time and self.unit == 5 and self.number == 1:
            return MONTHLY_MCP_MINUTES
        if self.number > 0 and self.unit in UNIT_MINUTES:
            return self.number * UNIT_MINUTES[self.unit]
        return None

    @property
    def reset_description(self) -> Optional[str]:
        if self.is_time:
            return "MCP"
        if self.window_minutes == 300:
            return "5-hour"
        word = UNIT_WORDS.get(self.unit)
        if word is None or self.number <= 0:
            return None
        return "%d %s%s window" % (self.number, word, "s" if self.number != 1 else "")

    def window(self) -> RateWindow:
        resets = None
        if self.next_reset is not None:
            resets = datetime.fromtimestamp(self.next_reset / 1000.0, tz=timezone.utc)
        return RateWindow(usedPercent=self.used_percent, windowMinutes=self.window_minutes, resetsAt=resets,
                          resetDescription=self.reset_description)


def _percent_words(value: float) -> str:
    return ("%.1f" % value if not float(value).is_integer() else "%d" % value) + "% used"


def _quota_row(label: str, limit: Limit) -> DetailRow:
    parts = []
    if limit.usage is not None:
        parts.append("%d limit" % limit.usage)
    if limit.remaining is not None:
        parts.append("%d remaining" % limit.remaining)
    return DetailRow(label=label, value=_percent_words(limit.used_percent), secondaryValue=" · ".join(parts) or None)


PEAK_START, PEAK_END = 6, 10   # Mon–Fri 06:00–10:00 UTC


def quota_rate(now: datetime) -> DetailRow:
    """Peak / Off-peak and the countdown to the next boundary (weekends skipped)."""
    utc = now.astimezone(timezone.utc)
    weekday = utc.weekday() < 5
    in_peak = weekday and PEAK_START <= utc.hour < PEAK_END
    if in_peak:
        boundary = utc.replace(hour=PEAK_END, minute=0, second=0, microsecond=0)
        return DetailRow(label="Quota rate", value="Peak", secondaryValue="off-peak " + fmt.countdown(boundary, utc))
    day = utc.replace(hour=PEAK_START, minute=0, second=0, microsecond=0)
    if utc >= day:
        day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return DetailRow(label="Quota rate", value="Off-peak", secondaryValue="peak " + fmt.countdown(day, utc))


def _number(value: Any) -> Optional[float]:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def balance_row(body: Any) -> Optional[DetailRow]:
    if not isinstance(body, dict) or body.get("success") is not True or not isinstance(body.get("data"), dict):
        return None
    data = body["data"]
    amount = _number(data.get("availableBalance"))
    if amount is None:
        amount = _number(data.get("balance"))
    if amount is None:
        return None
    parts = []
    recharged, granted, spent = (_number(data.get(k)) for k in ("rechargeAmount", "giveAmount", "totalSpendAmount"))
    if recharged is not None:
        parts.append("recharged " + fmt.currency(recharged, "CNY"))
    if granted is not None and granted > 0:
        parts.append("granted " + fmt.currency(granted, "CNY"))
    if spent is not None:
        parts.append("spent " + fmt.currency(spent, "CNY"))
    return DetailRow(label="Account balance", value=fmt.currency(amount, "CNY"), secondaryValue=" · ".join(parts) or None)


def model_usage_section(body: Any, title: str) -> Optional[DetailSection]:
    """Top models by tokens plus a bar chart of the per-slot sums; None when all zero."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        return None
    data = body["data"]
    labels = [str(x) for x in data.get("x_time") or []] if isinstance(data.get("x_time"), list) else []
    sums = [0] * len(labels)
    totals: Dict[str, int] = {}
    for model in data.get("modelDataList") or []:
        if not isinstance(model, dict) or not isinstance(model.get("tokensUsage"), list):
            continue
        name = str(model.get("modelName") or "unknown")
        for index, value in enumerate(model["tokensUsage"][: len(labels)]):
            if _is_int(value) and value > 0:
                sums[index] += value
                totals[name] = totals.get(name, 0) + value
    if not any(v > 0 for v in sums):
        return None
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:20]
    points = [ChartPoint(label=_clip(labels[i]), value=v) for i, v in enumerate(sums) if v > 0][-MAX_POINTS:]
    return DetailSection(title=title, rows=[DetailRow(label=_clip(n), value=str(t)) for n, t in ranked],
                         chart=Chart(kind="bars", title=title, unit="tokens", points=points))


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def plan_name(data: Mapping[str, Any]) -> Optional[str]:
    for key in ("planName", "plan", "plan_type", "packageName", "level"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def quota(body: Any, *, now: datetime, balance: Any = None, hourly: Any = None, daily: Any = None) -> UsageSnapshot:
    """The quota answer (plus the best-effort extras) → UsageSnapshot."""
    if not isinstance(body, dict):
        raise ParseError("Failed to parse z.ai quota data.")
    if body.get("success") is not True or body.get("code") != 200:
        message = body.get("msg") if isinstance(body.get("msg"), str) and body.get("msg") else "invalid response"
        raise FetchError("z.ai quota API error: %s" % message, kind="unavailable")
    data = body.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("limits"), list):
        raise ParseError("Failed to parse z.ai quota data.")
    limits = [Limit(item) for item in data["limits"] if isinstance(item, dict)
              and item.get("type") in ("TOKENS_LIMIT", "CREDIT_LIMIT", "TIME_LIMIT")]
    token_like = sorted((l for l in limits if l.type in TOKEN_TYPES),
                        key=lambda l: (l.window_minutes is None, l.window_minutes or 0))
    times = [l for l in limits if l.is_time]
    token_limit = token_like[-1] if token_like else None
    session_limit = token_like[0] if len(token_like) >= 2 else None
    time_limit = times[-1] if times else None

    first = session_limit or token_limit or time_limit
    primary = first.window() if first is not None else RateWindow(usedPercent=0)
    secondary = token_limit.window() if session_limit is not None and token_limit is not None else None
    extras = None
    if token_limit is not None and time_limit is not None:
        extras = [NamedWindow(id="zai-mcp", title="MCP", window=time_limit.window())]

    rows: List[DetailRow] = []
    if token_limit is not None:
        rows.append(_quota_row("Credit quota" if token_limit.is_credit else "Token quota", token_limit))
    if session_limit is not None:
        rows.append(_quota_row("Session credit quota" if session_limit.is_credit else "Session token quota",
                               session_limit))
    if any(l.is_credit for l in limits):
        rows.append(quota_rate(now))
    if time_limit is not None:
        rows.append(_quota_row("MCP quota", time_limit))
        rows.extend(DetailRow(label=_clip(code), value=str(used)) for code, used in time_limit.details[:20])
    balance_detail = balance_row(balance)
    if balance_detail is not None:
        rows.append(balance_detail)
    sections = [DetailSection(title="Quota details", rows=rows[:MAX_ROWS])] if rows else []
    for section in (model_usage_section(hourly, "Hourly tokens"), model_usage_section(daily, "Daily tokens")):
        if section is not None:
            sections.append(section)
    plan = plan_name(data)
    return UsageSnapshot(primary=primary, secondary=secondary, extraRateWindows=extras,
                         details=sections[:MAX_SECTIONS] or None, updatedAt=now,
                         identity=Identity(providerID="zai", loginMethod=plan) if plan else None)


def local_stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def model_usage_ranges(now: datetime) -> Sequence[Tuple[str, str, str]]:
    """(name, start, end) in host-local time for the hourly and daily model-usage calls."""
    local = now.astimezone()
    end = local.replace(minute=59, second=59, microsecond=0)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (("hourly", local_stamp(midnight - timedelta(days=1)), local_stamp(end)),
            ("daily", local_stamp(midnight - timedelta(days=30)), local_stamp(end)))
