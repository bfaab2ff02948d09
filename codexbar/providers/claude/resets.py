"""The CLI's reset wording → an instant: "Resets Feb 12 at 1:30pm (Asia/Calcutta)", "Resets 5am".

Pure: the caller passes ``now`` and the user's zone. Recurring forms resolve to the next
occurrence, or to a just-passed one when the next cannot belong to the window (spec §7).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from typing import List, Optional, Tuple

_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                       "nov", "dec"), start=1)}
_TIME = r"(\d{1,2})(?::(\d{2}))?\s*([ap]m)?"


def _normalize_reset(value: Optional[str]) -> Optional[Tuple[str, Optional[tzinfo]]]:
    raw = (value or "").strip()
    if not raw:
        return None
    raw = re.sub(r"(?i)^resets?:?\s*", "", raw)
    raw = re.sub(r"(?i) at ", " ", raw)
    raw = re.sub(r"(?i)\b([A-Za-z]{3})(\d)", r"\1 \2", raw)
    raw = re.sub(r",(\d)", r", \1", raw)
    raw = re.sub(r"(?i)(\d)at(?=\d)", r"\1 ", raw)
    raw = re.sub(r"(?<=\d)\.(\d{2})\b", r":\1", raw)
    zone: Optional[tzinfo] = None
    match = re.search(r"\(([^)]+)\)", raw)
    if match:
        zone = _zone(match.group(1).strip())
        raw = (raw[:match.start()] + raw[match.end():]).strip()
    raw = re.sub(r"\s+", " ", raw).strip()
    return (raw, zone) if raw else None


def _zone(name: str) -> Optional[tzinfo]:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # noqa: BLE001 - unknown zone names fall back to local time
        return None


def _clock(hour_text: str, minute_text: Optional[str], meridiem: Optional[str], allow_bare_hour: bool) -> Optional[Tuple[int, int]]:
    hour, minute = int(hour_text), int(minute_text) if minute_text else 0
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem.lower() == "pm" else 0)
    elif minute_text is None and not allow_bare_hour:
        return None  # "5" alone is not a time; "5am" or "17:00" are
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def _local(zone: tzinfo, year: int, month: int, day: int, hour: int, minute: int) -> List[datetime]:
    """Every instant showing that wall time in ``zone`` (two in a DST fold, none in a gap)."""
    out: List[datetime] = []
    for fold in (0, 1):
        try:
            candidate = datetime(year, month, day, hour, minute, tzinfo=zone, fold=fold)
        except ValueError:
            return []
        back = candidate.astimezone(timezone.utc).astimezone(zone)
        if (back.year, back.month, back.day, back.hour, back.minute) != (year, month, day, hour, minute):
            continue
        utc = candidate.astimezone(timezone.utc)
        if utc not in out:
            out.append(utc)
    return out


def _resolve(candidates: List[datetime], now: datetime, window: Optional[float]) -> Optional[datetime]:
    ordered = sorted(candidates)
    if not ordered:
        return None
    future = next((c for c in ordered if c >= now), None)
    if future is None:
        return ordered[-1]
    if window is None:
        return future
    past = next((c for c in reversed(ordered) if c < now), None)
    past_ok = past is not None and (now - past).total_seconds() <= max(0.0, window)
    future_ok = (future - now).total_seconds() <= max(0.0, window)
    return past if past_ok and not future_ok else future


def parse_reset(value: Optional[str], now: datetime, local_zone: tzinfo,
                window_seconds: Optional[float] = None) -> Optional[datetime]:
    """``Resets Feb 12 at 1:30pm (Asia/Calcutta)`` → the next (or just-passed) occurrence."""
    normalized = _normalize_reset(value)
    if normalized is None:
        return None
    raw, zone = normalized
    zone = zone or local_zone
    match = re.fullmatch(r"([A-Za-z]{3})[a-z]*\.? (\d{1,2}),? (\d{4}),? " + _TIME, raw, re.IGNORECASE)
    if match and match.group(1).lower() in _MONTHS:
        clock = _clock(match.group(4), match.group(5), match.group(6), True)
        if clock:
            return _resolve(_local(zone, int(match.group(3)), _MONTHS[match.group(1).lower()], int(match.group(2)), *clock),
                            now, window_seconds)
        return None
    match = re.fullmatch(r"([A-Za-z]{3})[a-z]*\.? (\d{1,2}),? " + _TIME, raw, re.IGNORECASE)
    if match and match.group(1).lower() in _MONTHS:
        clock = _clock(match.group(3), match.group(4), match.group(5), False)
        if not clock:
            return None
        month, day = _MONTHS[match.group(1).lower()], int(match.group(2))
        year = now.astimezone(zone).year
        found: List[datetime] = []
        for offset in range(-8, 9):
            found.extend(_local(zone, year + offset, month, day, *clock))
        return _resolve(found, now, window_seconds)
    match = re.fullmatch(_TIME, raw, re.IGNORECASE)
    if match:
        clock = _clock(match.group(1), match.group(2), match.group(3), False)
        if not clock:
            return None
        today = now.astimezone(zone).date()
        found = []
        for offset in (-1, 0, 1):
            day = today + timedelta(days=offset)
            found.extend(_local(zone, day.year, day.month, day.day, *clock))
        return _resolve(found, now, window_seconds)
    return None
