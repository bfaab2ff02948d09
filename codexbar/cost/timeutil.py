"""Timestamps → epoch milliseconds and local day keys (cost-usage.md §1).

Day keys use the process's local zone (``TZ``), like CodexBar. Every zone offset is a multiple
of 15 minutes, so day keys are memoised per 15-minute bucket.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone
from typing import Dict, Optional, Tuple

_FRACTION = re.compile(r"\.(\d+)")
_COMPACT_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
_BUCKET_MS = 900_000
_DAY_CACHE: Dict[int, str] = {}
_MINUTE_MS: Dict[str, Optional[int]] = {}
_UNSEEN = object()
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def parse_ms(text: object) -> Optional[int]:
    """Epoch ms of an ISO-8601 instant (``Z``/``±HH:MM``/``±HHMM``, any fraction), else None."""
    if type(text) is str and len(text) == 24 and text[23] == "Z" and text[19] == "." and text[16] == ":":
        # the shape both agents write ("2025-12-20T12:00:01.250Z"): everything up to the minute
        # is memoised (validated by the slow parser once), seconds + millis are one integer
        minute = _MINUTE_MS.get(text[:16], _UNSEEN)
        if minute is _UNSEEN:
            if len(_MINUTE_MS) > 200_000:
                _MINUTE_MS.clear()
            minute = _MINUTE_MS[text[:16]] = _parse_slow(text[:16] + ":00Z")
        rest = text[17:19] + text[20:23]  # "SSfff"
        if minute is not None and rest.isdigit() and rest.isascii():
            n = int(rest)
            if n < 60_000:
                return minute + n  # type: ignore[operator]
    elif not isinstance(text, str) or len(text) < 19 or text[10] not in "Tt ":
        return None
    return _parse_slow(text)


def _parse_slow(text: str) -> Optional[int]:
    raw = text.strip()
    if raw[-1] in "Zz":
        raw = raw[:-1] + "+00:00"
    else:
        raw = _COMPACT_OFFSET.sub(r"\1:\2", raw)
    if "." in raw:
        raw = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], raw, count=1)
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if value.tzinfo is None:
        return None
    delta = value - _EPOCH  # exact (float timestamps can land a millisecond short)
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def day_key(ms: int) -> str:
    bucket = ms // _BUCKET_MS
    key = _DAY_CACHE.get(bucket)
    if key is None:
        key = time.strftime("%Y-%m-%d", time.localtime(bucket * _BUCKET_MS / 1000.0))
        if len(_DAY_CACHE) > 200_000:
            _DAY_CACHE.clear()
        _DAY_CACHE[bucket] = key
    return key


def sync_zone() -> str:
    """Re-read ``TZ`` (the process may have been told another zone) and return ``zone_id``."""
    global _ZONE
    if hasattr(time, "tzset"):
        time.tzset()
    zone = zone_id()
    if zone != _ZONE:
        _DAY_CACHE.clear()
        _ZONE = zone
    return zone


_ZONE = ""


def zone_id() -> str:
    """Identifies the bucket zone; caches built under another zone are discarded."""
    probe = [time.strftime("%z", time.localtime(t)) for t in (0, 15_778_800, 1_767_225_600, 1_782_864_000)]
    return "%s|%s" % ("/".join(time.tzname), ",".join(probe))


def local_date(moment: datetime) -> date:
    return datetime.fromtimestamp(moment.timestamp()).date()


def window(now: datetime, days: int) -> Tuple[str, str]:
    """(sinceKey, untilKey): today and the ``days − 1`` calendar days before it."""
    today = local_date(now)
    return (today - timedelta(days=days - 1)).isoformat(), today.isoformat()


def clamp_days(value: object) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 30
    return max(1, min(365, number))


def utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000.0, timezone.utc)
