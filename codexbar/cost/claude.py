"""Claude Code transcript lines → priced usage rows (cost-usage.md §2). Pure: bytes in, rows out.

A row is a tuple laid out as the cost database's ``rows`` table (``db.ROW_COLS``; see the
indices below), built once per counted request: hundreds of thousands of them stay small in
memory and go into the database without being copied into another shape first.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Tuple

from codexbar.cost import jsonline
from codexbar.cost.lines import OVERSIZED
from codexbar.cost.pricing import Pricing
from codexbar.cost.timeutil import day_key, parse_ms

MAX_LINE = 512 * 1024

# Row layout = db.ROW_COLS. RANK orders the copies of one request across files (smaller wins,
# §2.4): +2 for a sidechain line, +1 for a line in a sub-agent file.
FID, KEY, RANK, DAY, MODEL, TS, VERTEX, INPUT, READ, CREATE, CREATE_1H, OUTPUT, COST, COUNTED = range(14)
Row = Tuple[int, Optional[str], int, str, str, int, int, int, int, int, int, int, Optional[int], int]

_PROVIDER_KEYS = frozenset(("provider", "platform", "backend", "api_provider", "apiprovider",
                            "api_type", "apitype", "source", "vendor", "client"))
# bytes.lower() without its per-byte locale call: the same ASCII-only mapping, several times faster
_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")


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


def _ids_say_vertex(msg_id: Any, req_id: Any, model: Any) -> bool:
    if isinstance(msg_id, str) and "_vrtx_" in msg_id:
        return True
    if isinstance(req_id, str) and "_vrtx_" in req_id:
        return True
    return isinstance(model, str) and model.startswith("claude-") and "@" in model


# A line that passed every check but is not priced yet: (key, ts, model, input, read, create,
# create_1h, output, sidechain, message id, request id). Pricing and the Vertex tests wait
# until the line is known to survive the in-file dedup (a streamed response writes several
# lines per key; only the last one counts).
_Light = Tuple[Optional[str], int, str, int, int, int, int, int, bool, Any, Any]


def _light(obj: Any) -> Optional[_Light]:
    if type(obj) is not dict or obj.get("type") != "assistant":
        return None
    message = obj.get("message")
    if type(message) is not dict:
        return None
    usage = message.get("usage")
    model = message.get("model")
    if type(usage) is not dict or not isinstance(model, str):
        return None
    ts = parse_ms(obj.get("timestamp"))
    if ts is None:
        return None
    get, count = usage.get, jsonline.count
    inp, create = count(get("input_tokens")), count(get("cache_creation_input_tokens"))
    read, out = count(get("cache_read_input_tokens")), count(get("output_tokens"))
    if not (inp or create or read or out):
        return None
    breakdown = get("cache_creation")
    create_1h = 0
    if type(breakdown) is dict:
        create_1h = min(jsonline.count(breakdown.get("ephemeral_1h_input_tokens")), create)
    msg_id, req_id = message.get("id"), obj.get("requestId")
    key = "%s:%s" % (msg_id, req_id) if isinstance(msg_id, str) and isinstance(req_id, str) else None
    return (key, ts, model, inp, read, create, create_1h, out, obj.get("isSidechain") is True, msg_id, req_id)


def _priced(light: _Light, vertex: bool, pricing: Pricing, into: "FileRows") -> Row:
    key, ts, model, inp, read, create, create_1h, out, sidechain = light[:9]
    name = pricing.normalize_claude(model)
    cost = pricing.claude_cost(name, ts, inp, read, create, create_1h, out)
    return (into.fid, key, into.rank + 2 if sidechain else into.rank, day_key(ts), name, ts, 1 if vertex else 0,
            inp, read, create, create_1h, out, cost, 1 if into.count_all or key is None else 0)


def _words(lowered: bytes) -> bool:
    """Could the metadata walk match? Only if the raw line mentions vertex/gcp in any case."""
    return b"vertex" in lowered or b"gcp" in lowered


def parse_line(line: bytes, pricing: Pricing, into: "FileRows") -> Optional[Row]:
    """One transcript line → a row (for the file ``into`` collects), or None when the line
    does not count (§2.2)."""
    if b'"type":"assistant"' not in line or b'"usage"' not in line:
        return None
    try:
        obj = jsonline.loads(line)
    except ValueError:  # also UnicodeDecodeError: non-UTF-8 bytes skip the line only
        return None
    light = _light(obj)
    if light is None:
        return None
    vertex = _ids_say_vertex(light[9], light[10], light[2]) or (_words(line.translate(_LOWER)) and _has_vertex_key(obj))
    return _priced(light, vertex, pricing, into)


_TYPED: List[Any] = []  # the typed decoder, built on first use


def _line_type(msgspec: Any) -> Any:
    """The fields ``_light`` reads, typed for the common shape of a line; everything else in
    the line (mostly message text) is skipped unbuilt. A line whose values have another shape
    (a negative, huge, fractional or boolean count, a usage that is not an object, …) fails
    this type and is read whole by ``_light``, which has the rules for those."""
    from typing import Annotated, Optional

    # defstruct, not class statements: this module's annotations are strings (PEP 563) that
    # could not be resolved inside a function
    count = Annotated[int, msgspec.Meta(ge=0, le=jsonline.COUNT_LIMIT - 1)]
    cache_creation = msgspec.defstruct("CacheCreation", [("ephemeral_1h_input_tokens", count, 0)], gc=False)
    usage = msgspec.defstruct("Usage", [
        ("input_tokens", count, 0), ("cache_creation_input_tokens", count, 0),
        ("cache_read_input_tokens", count, 0), ("output_tokens", count, 0),
        ("cache_creation", Optional[cache_creation], None)], gc=False)
    message = msgspec.defstruct("Message", [("id", Any, None), ("model", Any, None),
                                            ("usage", Optional[usage], None)], gc=False)
    return msgspec.defstruct("Line", [
        ("type", Any, None), ("message", Optional[message], None), ("requestId", Any, None),
        ("timestamp", Any, None), ("isSidechain", Any, None)], gc=False)


def _light_typed(line: Any, message: Any, key: Optional[str]) -> Optional[_Light]:
    """``_light`` for a ``_line_type`` instance whose ``message`` is present and whose dedup
    ``key`` the caller already made: the same answer, without the shape checks the type already
    made (absent counts are 0, present ones are in range)."""
    if line.type != "assistant":
        return None
    usage, model = message.usage, message.model
    if usage is None or type(model) is not str:
        return None
    ts = parse_ms(line.timestamp)
    if ts is None:
        return None
    inp, create = usage.input_tokens, usage.cache_creation_input_tokens
    read, out = usage.cache_read_input_tokens, usage.output_tokens
    if not (inp or create or read or out):
        return None
    breakdown = usage.cache_creation
    create_1h = 0 if breakdown is None else min(breakdown.ephemeral_1h_input_tokens, create)
    return (key, ts, model, inp, read, create, create_1h, out, line.isSidechain is True, message.id, line.requestId)


_ASSISTANT = b'"type":"assistant"'
_ASSISTANT_LAST = len(_ASSISTANT) - 1
_USAGE = b'"usage"'
_TAIL = 512


def parse_chunk(data: bytes, pricing: Pricing, into: "FileRows", max_line: int = MAX_LINE) -> None:
    """An ``iter_chunks`` buffer of whole lines → rows, in file order.

    Same answers as ``parse_line`` on every line, but cheaper: lines are found with ``find``
    in the buffer and only those holding ``"usage"`` and ``"type":"assistant"`` are parsed
    (from a zero-copy view when the parser allows it); they are read last to first, so an
    earlier line of a streamed response whose final line already counts stops at its key; and
    pricing plus the Vertex test run only for the lines that count.
    """
    if not data.endswith(b"\n"):
        return  # an OVERSIZED marker: never counts
    find, rfind = data.find, data.rfind
    bounds: List[int] = []  # start, end of every line that may count, in file order
    assistant, usage, reach = _ASSISTANT, _USAGE, _TAIL  # locals: a hot loop
    pos, size = 0, len(data)
    while pos < size:
        end = find(b"\n", pos)  # the buffer ends in a newline: always found
        start, pos = pos, end + 1
        if end - start > max_line:
            continue
        # Claude Code writes "type" near the end of a line and "usage" shortly before it, so
        # look at the tail first; a line without them there is still searched in full.
        tail = end - reach if end - reach > start else start
        at = find(assistant, tail, end)
        if at < 0 and (tail == start or find(assistant, start, tail + _ASSISTANT_LAST) < 0):
            continue
        if (at < 0 or rfind(usage, start, at) < 0) and find(usage, start, end) < 0:
            continue
        bounds.append(start)
        bounds.append(end)
    if not bounds:
        return
    loads, views = jsonline.parser()
    if not _TYPED:
        _TYPED.append(jsonline.typed(_line_type))
    typed_loads, known_utf8 = _TYPED[0], data.isascii()  # one check for the whole buffer
    view = memoryview(data) if views else data
    light_of, light_typed = _light, _light_typed
    counted: set = set()  # keys whose last counting line (in this buffer) is already picked
    picked: List[tuple] = []  # (light, start, end) of the lines that count, last first
    for i in range(len(bounds) - 2, -1, -2):
        start, end = bounds[i], bounds[i + 1]
        try:
            obj = typed_loads(view[start:end], known_utf8)
            if type(obj) is dict:  # another shape than the typed one (or no msgspec): full rules
                light = light_of(obj)
            else:
                message = obj.message
                if message is None:
                    continue
                msg_id, req_id = message.id, obj.requestId
                key = "%s:%s" % (msg_id, req_id) if type(msg_id) is str and type(req_id) is str else None
                if key in counted:
                    continue  # a later line of the same response counts instead
                light = light_typed(obj, message, key)
        except ValueError:
            continue
        if light is None:
            continue
        key = light[0]
        if key is not None:
            if key in counted:
                continue
            counted.add(key)
        picked.append((light, start, end))
    # _priced and the §2.6 id/model tests inlined: this runs once per counted request
    keyed, unkeyed = into.keyed, into.unkeyed
    fid, rank, count_all = into.fid, into.rank, into.count_all
    normalize, cost_of, lower = pricing.normalize_claude, pricing.claude_cost, _LOWER
    for light, start, end in reversed(picked):  # file order
        key, ts, model, inp, read, create, create_1h, out, sidechain, msg_id, req_id = light
        vertex = ((type(msg_id) is str and "_vrtx_" in msg_id) or (type(req_id) is str and "_vrtx_" in req_id)
                  or (model.startswith("claude-") and "@" in model))
        if not vertex and _words(data[start:end].translate(lower)):
            vertex = _has_vertex_key(loads(view[start:end]))
        name = normalize(model)
        row = (fid, key, rank + 2 if sidechain else rank, day_key(ts), name, ts, 1 if vertex else 0, inp, read,
               create, create_1h, out, cost_of(name, ts, inp, read, create, create_1h, out),
               1 if count_all or key is None else 0)
        if key is None:
            unkeyed.append(row)
        else:
            keyed.pop(key, None)  # an earlier buffer's line of the same response: this one wins
            keyed[key] = row      # (re-inserted so file order follows the winning line)


class FileRows:
    """Rows of one file: keyed rows (last line per ``msg:req`` wins) plus every unkeyed row.

    ``fid`` is the file's id in the database and ``rank`` its base rank (1 for a sub-agent
    file); ``count_all`` marks every row counted (a bulk scan settles duplicates afterwards)
    instead of only the rows without a dedup key.
    """

    def __init__(self, fid: int = 0, rank: int = 0, count_all: bool = False) -> None:
        self.fid = fid
        self.rank = rank
        self.count_all = count_all
        self.keyed: Dict[str, Row] = {}
        self.unkeyed: List[Row] = []

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
        if line[:1] == OVERSIZED:
            continue
        row = parse_line(line, pricing, into)
        if row is not None:
            into.add(row)
