"""Claude Code transcript lines → priced usage rows (cost-usage.md §2). Pure: bytes in, rows out.

A row is a tuple (see ``Row`` indices) so that hundreds of thousands of them stay small in
memory and in the cache.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Optional, Tuple

from codexbar.cost.pricing import Pricing
from codexbar.cost.timeutil import day_key, parse_ms

MAX_LINE = 512 * 1024

# Row layout
KEY, DAY, MODEL, TS, SIDECHAIN, VERTEX, INPUT, READ, CREATE, CREATE_1H, OUTPUT, COST = range(12)
Row = Tuple[Optional[str], str, str, int, bool, bool, int, int, int, int, int, Optional[int]]

_PROVIDER_KEYS = frozenset(("provider", "platform", "backend", "api_provider", "apiprovider",
                            "api_type", "apitype", "source", "vendor", "client"))
_INT_LIMIT = 1 << 63


def _count(value: Any) -> int:
    """NSNumber → Int like CodexBar: bools are 0/1, floats truncate, junk and negatives are 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value if 0 < value < _INT_LIMIT else 0
    if isinstance(value, float):
        return int(value) if 0 < value < _INT_LIMIT else 0
    return 0


def _has_vertex_key(value: Any) -> bool:
    if isinstance(value, dict):
        for key, item in value.items():
            lower = str(key).lower()
            if "vertex" in lower or "gcp" in lower:
                return True
            if lower in _PROVIDER_KEYS and isinstance(item, str) and "vertex" in item.lower():
                return True
            if isinstance(item, (dict, list)) and _has_vertex_key(item):
                return True
    elif isinstance(value, list):
        return any(isinstance(item, (dict, list)) and _has_vertex_key(item) for item in value)
    return False


def is_vertex(obj: Dict[str, Any], line: bytes) -> bool:
    """§2.6: ``_vrtx_`` ids, ``claude-…@version`` models, or Vertex/GCP metadata keys."""
    message = obj.get("message")
    message = message if isinstance(message, dict) else {}
    msg_id, req_id, model = message.get("id"), obj.get("requestId"), message.get("model")
    if isinstance(msg_id, str) and "_vrtx_" in msg_id:
        return True
    if isinstance(req_id, str) and "_vrtx_" in req_id:
        return True
    if isinstance(model, str) and model.startswith("claude-") and "@" in model:
        return True
    # The metadata walk is costly; a line without the words cannot match it (lower() + `in`
    # is ~10× faster than a case-insensitive regex here).
    lowered = line.lower()
    return (b"vertex" in lowered or b"gcp" in lowered) and _has_vertex_key(obj)


def parse_line(line: bytes, pricing: Pricing) -> Optional[Row]:
    """One transcript line → a row, or None when the line does not count (§2.2)."""
    if b'"type":"assistant"' not in line or b'"usage"' not in line:
        return None
    try:
        obj = json.loads(line)
    except ValueError:  # also UnicodeDecodeError: non-UTF-8 bytes skip the line only
        return None
    if not isinstance(obj, dict) or obj.get("type") != "assistant":
        return None
    ts = parse_ms(obj.get("timestamp"))
    message = obj.get("message")
    if ts is None or not isinstance(message, dict):
        return None
    model, usage = message.get("model"), message.get("usage")
    if not isinstance(model, str) or not isinstance(usage, dict):
        return None
    inp = _count(usage.get("input_tokens"))
    create = _count(usage.get("cache_creation_input_tokens"))
    read = _count(usage.get("cache_read_input_tokens"))
    out = _count(usage.get("output_tokens"))
    if not (inp or create or read or out):
        return None
    breakdown = usage.get("cache_creation")
    create_1h = 0
    if isinstance(breakdown, dict):
        create_1h = min(_count(breakdown.get("ephemeral_1h_input_tokens")), create)
    msg_id, req_id = message.get("id"), obj.get("requestId")
    key = "%s:%s" % (msg_id, req_id) if isinstance(msg_id, str) and isinstance(req_id, str) else None
    name = pricing.normalize_claude(model)
    cost = pricing.claude_cost(name, ts, inp, read, create, create_1h, out)
    return (key, day_key(ts), name, ts, obj.get("isSidechain") is True, is_vertex(obj, line),
            inp, read, create, create_1h, out, cost)


class FileRows:
    """Rows of one file: keyed rows (last line per ``msg:req`` wins) plus every unkeyed row."""

    def __init__(self, rows: Iterable[Row] = ()) -> None:
        self.keyed: Dict[str, Row] = {}
        self.unkeyed: List[Row] = []
        for row in rows:
            self.add(row)

    def add(self, row: Row) -> None:
        key = row[KEY]
        if key is None:
            self.unkeyed.append(row)
        else:
            self.keyed.pop(key, None)  # re-insert so file order follows the winning line
            self.keyed[key] = row

    def rows(self) -> List[Row]:
        return list(self.keyed.values()) + self.unkeyed


def parse_lines(lines: Iterable[bytes], pricing: Pricing, into: FileRows) -> None:
    for line in lines:
        row = parse_line(line, pricing)
        if row is not None:
            into.add(row)


def reprice(rows: Iterable[Row], pricing: Pricing) -> List[Row]:
    """Rows priced with another table (the cache keeps rows, so a price change needs no reparse)."""
    out = []
    for r in rows:
        cost = pricing.claude_cost(r[MODEL], r[TS], r[INPUT], r[READ], r[CREATE], r[CREATE_1H], r[OUTPUT])
        out.append(r[:COST] + (cost,))
    return out
