"""CodexBar's JSON encoding: UTC ``Z`` dates with whole seconds, whole floats as ints.

Payload dicts are already JSON-able (dates stored as strings); this module only fixes number
formatting and layout so our bytes match what CodexBar's Swift encoder prints.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import Any


def iso_z(value: datetime) -> str:
    """``2025-12-04T19:15:00Z``: UTC, sub-second part truncated."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalize(value: Any) -> Any:
    """Return a copy where integral floats are ints and datetimes are ISO ``Z`` strings."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        return value
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, dict):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    return value


def dumps(value: Any, *, pretty: bool = False) -> str:
    """Compact by default; ``pretty`` = 2-space indent with sorted keys (CodexBar's --pretty)."""
    data = normalize(value)
    if pretty:
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
