"""Number, date, countdown and pace wording (presentation.md §1 and §3). Pure functions.

Every renderer (SwiftBar, terminal text, JSON pace) takes its words from here, so the menu,
the CLI and the JSON never disagree about what "2h 15m" or "12% in deficit" means.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
TYPE_CHECKING = False   # keep typing off the plugin hot path
if TYPE_CHECKING:
    from typing import Any, Mapping, Optional

from codexbar.env import parse_instant

# -- percent --------------------------------------------------------------------------------


def percent_string(value: float) -> str:
    p = min(100.0, max(0.0, float(value)))
    if 0 < p < 1:
        return "<1%"
    return "%.0f%%" % p


def remaining_percent(used_percent: float) -> float:
    return max(0.0, 100.0 - float(used_percent))


def left_text(used_percent: float) -> str:
    return percent_string(remaining_percent(used_percent)) + " left"


def bar(remaining: float, cells: int = 12, fill: str = "=", empty: str = "-") -> str:
    filled = int(math.floor(min(100.0, max(0.0, remaining)) / 100.0 * cells))
    return fill * filled + empty * (cells - filled)


# -- times ----------------------------------------------------------------------------------


def countdown(resets_at: datetime, now: datetime) -> str:
    """``in 2h 15m`` / ``now``: minutes round up, at most two units."""
    seconds = max(0.0, (resets_at - now).total_seconds())
    if seconds < 1:
        return "now"
    minutes = max(1, int(math.ceil(seconds / 60.0)))
    days, hours, mins = minutes // 1440, (minutes // 60) % 24, minutes % 60
    if days > 0:
        if hours > 0:
            return "in %dd %dh" % (days, hours)
        if mins > 0:
            return "in %dd %dm" % (days, mins)
        return "in %dd" % days
    if hours > 0:
        return "in %dh %dm" % (hours, mins) if mins > 0 else "in %dh" % hours
    return "in %dm" % minutes


def duration_words(seconds: float) -> str:
    """A countdown without the leading ``in `` (``2h 30m``; ``now`` under a second)."""
    text = countdown(datetime.fromtimestamp(0) + timedelta(seconds=seconds), datetime.fromtimestamp(0))
    return text[3:] if text.startswith("in ") else text


def _clock(value: datetime) -> str:
    hour = value.hour % 12 or 12
    return "%d:%02d %s" % (hour, value.minute, "AM" if value.hour < 12 else "PM")


def absolute_reset(resets_at: datetime, now: datetime) -> str:
    """Local calendar wording: ``2:15 PM``, ``tomorrow, 9:00 AM``, ``Dec 5, 9:00 AM``."""
    local, today = resets_at.astimezone(), now.astimezone()
    if local.date() == today.date():
        return _clock(local)
    if local.date() == (today + timedelta(days=1)).date():
        return "tomorrow, " + _clock(local)
    return "%s %d, %s" % (local.strftime("%b"), local.day, _clock(local))


def reset_line(window: Mapping[str, Any], now: datetime, absolute: bool = False) -> Optional[str]:
    resets_at = window.get("resetsAt")
    when = parse_instant(resets_at) if isinstance(resets_at, str) else None
    if when is not None:
        if absolute:
            return "Resets " + absolute_reset(when, now)
        words = countdown(when, now)
        return "Resets now" if words == "now" else "Resets " + words
    text = str(window.get("resetDescription") or "").strip()
    if not text:
        return None
    lower = text.lower()
    if lower.startswith("resets in "):
        return "Resets in " + text[len("resets in "):]
    if lower.startswith("resets "):
        return "Resets " + text[len("resets "):]
    return "Resets " + text


def updated_text(fetched_at: datetime, now: datetime) -> str:
    delta = abs((now - fetched_at).total_seconds())
    if delta < 60:
        return "Updated just now"
    if delta < 3600:
        return "Updated %dm ago" % max(1, int(delta // 60))
    if delta < 86400:
        return "Updated %dh ago" % int(delta // 3600)
    return "Updated " + _clock(fetched_at.astimezone())


# -- amounts --------------------------------------------------------------------------------

_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "KRW": "₩",
                     "INR": "₹", "CAD": "CA$", "AUD": "A$", "BRL": "R$", "CHF": "CHF "}
_ZERO_DECIMAL = {"JPY", "KRW"}


def _grouped(value: float, decimals: int) -> str:
    return "{:,.{d}f}".format(value, d=decimals)


def currency(value: float, code: str = "USD") -> str:
    """en_US currency: ``$1,234.56``, ``-€54.72``, ``CZK 210.00``."""
    code = (code or "USD").upper()
    decimals = 0 if code in _ZERO_DECIMAL else 2
    symbol = _CURRENCY_SYMBOLS.get(code, code + " ")
    amount = round(abs(float(value)), decimals)
    sign = "-" if value < 0 and amount != 0 else ""
    return sign + symbol + _grouped(amount, decimals)


def compact_currency(value: float, code: str = "USD") -> str:
    if value != 0 and abs(value) < 1:
        return currency(value, code)
    code = (code or "USD").upper()
    symbol = _CURRENCY_SYMBOLS.get(code, code + " ")
    amount = round(abs(float(value)))
    return ("-" if value < 0 and amount else "") + symbol + _grouped(amount, 0)


def tokens(count: float) -> str:
    """``1.2K``, ``15K``, ``1.2M``, ``2.5B``; below 1000 a plain integer."""
    n = int(count)
    magnitude = abs(n)
    sign = "-" if n < 0 else ""
    for unit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if magnitude >= unit:
            scaled = magnitude / unit
            text = "%.0f" % scaled if scaled >= 10 else ("%.1f" % scaled)
            if text.endswith(".0"):
                text = text[:-2]
            return sign + text + suffix
    return str(n)


def decimal_text(value: float, max_fraction: int = 2) -> str:
    """``42.5``, ``112``: at most ``max_fraction`` digits, no grouping."""
    text = ("%." + str(max_fraction) + "f") % float(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def credits_left(remaining: float) -> str:
    return decimal_text(remaining) + " left"


def byte_size(count: float) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            break
        value /= 1024.0
    else:
        unit = "GB"
    if unit == "B":
        return "%d B" % int(value)
    text = "%.0f" % value if value >= 10 or value.is_integer() else "%.1f" % value
    return "%s %s" % (text, unit)


def _strip_date_suffix(name: str) -> str:
    """Drop ONE trailing ``-YYYYMMDD``, ``-YYYY-MM-DD`` or `` YYYY MMDD`` (no ``re``: hot path)."""
    for size, shape in ((9, "-dddddddd"), (11, "-dddd-dd-dd"), (10, " dddd dddd")):
        tail = name[-size:]
        if len(tail) == size and all((c.isdigit() and c.isascii()) if p == "d" else c == p
                                     for c, p in zip(tail, shape)):
            return name[:-size]
    return name


def model_display_name(raw: str) -> str:
    name = raw.strip()
    if name == "codex-auto-review":
        return "Codex Auto Review"
    if name == "unknown":
        return "Unknown model"
    return _strip_date_suffix(name).rstrip(" -")


# -- pace -----------------------------------------------------------------------------------


class Pace:
    __slots__ = ("stage", "delta", "expected", "actual", "will_last_to_reset", "eta_seconds", "speed_multiplier")

    def __init__(self, stage: str, delta: float, expected: float, actual: float, will_last_to_reset: bool,
                 eta_seconds: Optional[float], speed_multiplier: Optional[float]) -> None:
        self.stage = stage
        self.delta = delta
        self.expected = expected
        self.actual = actual
        self.will_last_to_reset = will_last_to_reset
        self.eta_seconds = eta_seconds
        self.speed_multiplier = speed_multiplier

    def __repr__(self) -> str:
        return "Pace(%s, delta=%.1f, expected=%.1f)" % (self.stage, self.delta, self.expected)

    @property
    def ahead(self) -> bool:
        return self.stage in ("slightlyAhead", "ahead", "farAhead")


def _stage(delta: float) -> str:
    size = abs(delta)
    if size <= 2:
        return "onTrack"
    word = "Ahead" if delta >= 0 else "Behind"
    if size <= 6:
        return "slightly" + word
    if size <= 12:
        return word.lower()
    return "far" + word


def compute_pace(window: Mapping[str, Any], now: datetime, default_minutes: int) -> Optional[Pace]:
    """UsagePace: how far consumption is ahead of a linear spend of the window."""
    resets_at = window.get("resetsAt")
    when = parse_instant(resets_at) if isinstance(resets_at, str) else None
    minutes = window.get("windowMinutes") or default_minutes
    if when is None or not minutes or minutes <= 0:
        return None
    duration = float(minutes) * 60.0
    left = (when - now).total_seconds()
    if left <= 0 or left > duration:
        return None
    elapsed = min(max(duration - left, 0.0), duration)
    expected = min(max(elapsed / duration * 100.0, 0.0), 100.0)
    actual = min(max(float(window.get("usedPercent") or 0.0), 0.0), 100.0)
    if elapsed == 0 and actual > 0:
        return None
    delta = actual - expected
    will_last, eta = False, None
    if actual >= 100:
        eta = 0.0
    elif elapsed > 0 and actual > 0:
        need = (100.0 - actual) / (actual / elapsed)
        if need >= left:
            will_last = True
        else:
            eta = need
    elif elapsed > 0:
        will_last = True
    speed = None
    if actual > 0 and 100 - actual > 0:
        speed = (100.0 - actual) / (actual * left / elapsed) if elapsed > 0 else None
    return Pace(_stage(delta), delta, expected, actual, will_last, eta, speed)


def pace_visible(pace: Optional[Pace], window: Mapping[str, Any], minimum_expected: float = 3.0) -> bool:
    if pace is None:
        return False
    if remaining_percent(float(window.get("usedPercent") or 0)) <= 0:
        return False
    return pace.expected >= minimum_expected


def pace_left_text(pace: Pace) -> str:
    n = int(round(abs(pace.delta)))
    if pace.stage == "onTrack" or n == 0:
        return "On pace"
    return "%d%% in deficit" % n if pace.ahead else "%d%% in reserve" % n


def pace_right_text(pace: Pace, lane: str, separator: str = " | ", headroom: bool = False) -> Optional[str]:
    if pace.will_last_to_reset:
        text = "Lasts until reset"
        if headroom and pace.delta < -15 and (pace.speed_multiplier or 0) >= 1.5:
            text += "%s%.1f× headroom" % (separator, pace.speed_multiplier)
        return text
    if pace.eta_seconds is None:
        return None
    words = duration_words(pace.eta_seconds)
    if lane == "session":
        return "Projected empty now" if words == "now" else "Projected empty in " + words
    return "Runs out now" if words == "now" else "Runs out in " + words


def pace_summary(pace: Pace, lane: str, headroom: bool = False) -> str:
    """The CLI line without ``Pace: `` (also the JSON ``summary``)."""
    parts = [pace_left_text(pace), "Expected %d%% used" % int(round(pace.expected))]
    right = pace_right_text(pace, lane, headroom=headroom)
    if right:
        parts.append(right)
    return " | ".join(parts)


def pace_payload(pace: Pace, lane: str, headroom: bool = False) -> dict:
    data = {
        "stage": pace.stage,
        "deltaPercent": int(round(pace.delta)),
        "expectedUsedPercent": int(round(pace.expected)),
        "willLastToReset": pace.will_last_to_reset,
        "summary": pace_summary(pace, lane, headroom),
    }
    if pace.eta_seconds is not None:
        data["etaSeconds"] = int(round(pace.eta_seconds))
    return data
