"""What a provider block shows, derived once from a payload dict for every renderer.

SwiftBar and terminal text differ only in layout; the rows, words and numbers come from here
(stdlib only: the plugin hot path imports this).
"""

from __future__ import annotations

from datetime import datetime
TYPE_CHECKING = False   # typing stays off the plugin hot path (its import costs milliseconds)
if TYPE_CHECKING:
    from typing import Any, Dict, List, Mapping, Optional, Tuple

from codexbar.descriptor import Descriptor
from codexbar.env import parse_instant
from codexbar.render import formatting as fmt

DEFAULT_MINUTES = {"session": 300, "weekly": 10080}
SLOTS = ("primary", "secondary", "tertiary")


class WindowRow:
    # plain classes here: dataclass creation at import time costs the hot path milliseconds
    def __init__(self, key: str, label: str, used: float, remaining: float, reset: Optional[str],
                 pace: Optional[fmt.Pace] = None, lane: str = "", usage_known: bool = True) -> None:
        self.key = key              # "primary" / extra window id
        self.label = label
        self.used = used
        self.remaining = remaining
        self.reset = reset          # "Resets in 2h 15m"
        self.pace = pace
        self.lane = lane
        self.usage_known = usage_known

    @property
    def left_text(self) -> str:
        return fmt.percent_string(self.remaining) + " left"


class Row:
    def __init__(self, label: str, value: str, secondary: Optional[str] = None) -> None:
        self.label = label
        self.value = value
        self.secondary = secondary

    def text(self, sep: str = " · ") -> str:
        out = "%s: %s" % (self.label, self.value) if self.label else self.value
        return out + (sep + self.secondary if self.secondary else "")


class Section:
    def __init__(self, title: str, rows: List[Row], chart: Optional[Mapping[str, Any]] = None) -> None:
        self.title = title
        self.rows = rows
        self.chart = chart


class ProviderView:
    def __init__(self, descriptor: Descriptor, payload: Mapping[str, Any], windows: List[WindowRow],
                 money: List[Row], identity: List[Row], sections: List[Section]) -> None:
        self.descriptor = descriptor
        self.payload = payload
        self.windows = windows
        self.money = money          # credits, provider cost, reset credits
        self.identity = identity
        self.sections = sections

    @property
    def primary(self) -> Optional[WindowRow]:
        return self.windows[0] if self.windows and self.windows[0].key in SLOTS else None

    @property
    def source(self) -> str:
        return str(self.payload.get("source") or "")

    @property
    def version(self) -> Optional[str]:
        value = self.payload.get("version")
        return str(value) if value else None


def _window_row(key: str, label: str, window: Mapping[str, Any], lane: str, now: datetime,
                usage_known: bool = True, absolute: bool = False) -> WindowRow:
    used = float(window.get("usedPercent") or 0.0)
    pace = fmt.compute_pace(window, now, DEFAULT_MINUTES[lane]) if lane else None
    if not fmt.pace_visible(pace, window):
        pace = None
    reset = fmt.reset_line(window, now, absolute)
    if reset and not window.get("resetsAt") and str(window.get("resetDescription") or "").strip().lower() == label.lower():
        reset = None   # a description that only repeats the window's name ("MCP") says nothing
    return WindowRow(key, label, used, fmt.remaining_percent(used), reset, pace, lane, usage_known)


def windows(payload: Mapping[str, Any], desc: Descriptor, now: datetime, absolute: bool = False) -> List[WindowRow]:
    usage = payload.get("usage") or {}
    rows: List[WindowRow] = []
    for index, slot in enumerate(SLOTS):
        window = usage.get(slot)
        if not isinstance(window, dict) or window.get("isSyntheticPlaceholder"):
            continue
        label = desc.label(index) or slot.capitalize()
        rows.append(_window_row(slot, label, window, desc.pace_lanes[index], now, absolute=absolute))
    for extra in usage.get("extraRateWindows") or []:
        window = extra.get("window") if isinstance(extra, dict) else None
        if isinstance(window, dict):
            rows.append(_window_row(str(extra.get("id")), str(extra.get("title") or extra.get("id")), window, "", now,
                                    usage_known=extra.get("usageKnown") is not False, absolute=absolute))
    return rows


def money_rows(payload: Mapping[str, Any], now: datetime) -> List[Row]:
    rows: List[Row] = []
    credits = payload.get("credits")
    if isinstance(credits, dict):
        if credits.get("unlimited"):
            rows.append(Row("Credits", "Unlimited"))
        elif credits.get("remaining") is not None:
            rows.append(Row("Credits", fmt.credits_left(float(credits["remaining"]))))
        limit = credits.get("codexCreditLimit")
        if isinstance(limit, dict) and limit.get("limit") is not None:
            secondary = None
            when = parse_instant(str(limit.get("resetsAt") or ""))
            if when is not None:
                secondary = "resets " + fmt.countdown(when, now)
            rows.append(Row(str(limit.get("title") or "Credit limit"), "%s / %s used" % (
                fmt.decimal_text(float(limit.get("used") or 0)), fmt.decimal_text(float(limit["limit"]))), secondary))
    usage = payload.get("usage") or {}
    cost = usage.get("providerCost")
    if isinstance(cost, dict):
        code = str(cost.get("currencyCode") or "USD")
        used, limit = float(cost.get("used") or 0), float(cost.get("limit") or 0)
        value = fmt.currency(used, code) + (" / " + fmt.currency(limit, code) if limit > 0 else "")
        parts = []
        if cost.get("period"):
            parts.append(str(cost["period"]))
        when = parse_instant(str(cost.get("resetsAt") or ""))
        if when is not None:
            parts.append("resets " + fmt.countdown(when, now))
        rows.append(Row("Extra usage" if limit > 0 else "Spend", value, " · ".join(parts) or None))
        if cost.get("balance") is not None:
            rows.append(Row("Balance", fmt.currency(float(cost["balance"]), code)))
    reset = usage.get("codexResetCredits")
    if isinstance(reset, dict) and isinstance(reset.get("credits"), list):
        count = available_reset_credits(reset["credits"], now)
        if count or reset["credits"]:
            rows.append(Row("Limit reset credits", "%d available" % count))
    return rows


def available_reset_credits(credits: List[Any], now: datetime) -> int:
    """Credits with status ``available`` that have not expired at ``now``."""
    count = 0
    for item in credits:
        if not isinstance(item, dict) or item.get("status") != "available":
            continue
        expires = parse_instant(str(item.get("expires_at") or "")) if item.get("expires_at") else None
        if expires is None or expires > now:
            count += 1
    return count


def identity_rows(payload: Mapping[str, Any], desc: Descriptor) -> List[Row]:
    usage = payload.get("usage") or {}
    ident = usage.get("identity") or {}
    rows: List[Row] = []
    email = ident.get("accountEmail") or usage.get("accountEmail")
    if email:
        rows.append(Row("Account", str(email)))
    org = ident.get("accountOrganization") or usage.get("accountOrganization")
    if org:
        rows.append(Row("Organization", str(org)))
    plan = desc.plan_label(ident.get("loginMethod") or usage.get("loginMethod"))
    if plan:
        rows.append(Row("Plan", plan))
    return rows


def detail_sections(payload: Mapping[str, Any]) -> List[Section]:
    usage = payload.get("usage") or {}
    out: List[Section] = []
    for raw in usage.get("details") or []:
        if not isinstance(raw, dict):
            continue
        rows = [Row(str(r.get("label") or ""), str(r.get("value") or ""),
                    str(r["secondaryValue"]) if r.get("secondaryValue") else None)
                for r in raw.get("rows") or [] if isinstance(r, dict)]
        chart = raw.get("chart") if isinstance(raw.get("chart"), dict) else None
        out.append(Section(str(raw.get("title") or "Details"), rows, chart))
    return out


def build(payload: Mapping[str, Any], desc: Descriptor, now: datetime, absolute: bool = False) -> ProviderView:
    return ProviderView(desc, payload, windows(payload, desc, now, absolute), money_rows(payload, now),
                        identity_rows(payload, desc), detail_sections(payload))


def pace_block(payload: Mapping[str, Any], desc: Descriptor, now: datetime) -> Optional[Dict[str, Any]]:
    """The JSON ``pace`` object (presentation.md §3), or None when no lane has a visible pace."""
    usage = payload.get("usage") or {}
    out: Dict[str, Any] = {}
    for index, slot in enumerate(SLOTS):
        lane = desc.pace_lanes[index]
        window = usage.get(slot)
        if not lane or not isinstance(window, dict):
            continue
        pace = fmt.compute_pace(window, now, DEFAULT_MINUTES[lane])
        if fmt.pace_visible(pace, window):
            assert pace is not None
            out[slot] = fmt.pace_payload(pace, lane, desc.pace_headroom)
    return out or None


def severity_color(remaining: float) -> Tuple[str, str, str]:
    """(light, dark, xbar) colours for a remaining percent: red < 10, orange < 25, else green."""
    if remaining < 10:
        return ("#C62828", "#FF6B6B", "red")
    if remaining < 25:
        return ("#B26A00", "#FFB74D", "orange")
    return ("#2E7D32", "#81C784", "green")
