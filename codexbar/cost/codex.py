"""Codex rollout lines → per-request usage rows (cost-usage.md §3). Pure: bytes in, rows out.

Codex logs cumulative ``total_token_usage`` and per-request ``last_token_usage``; ``Reducer``
turns them into deltas with CodexBar's rules (§3.3): repeated totals count nothing, interleaved
counters (two agents writing one file) only count growth past the high-water mark, and a forked
session first subtracts what it inherited from its parent (§3.5). Its whole state is plain data
so an appended file resumes exactly where the last scan stopped.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Tuple

from codexbar.cost import jsonline
from codexbar.cost.lines import OVERSIZED, PREFIX
from codexbar.cost.pricing import Pricing
from codexbar.cost.timeutil import day_key, parse_ms

MAX_LINE = 256 * 1024
SEEN_LIMIT = 64

# Row layout
DAY, MODEL, TURN, INDEX, TS, INPUT, CACHED, OUTPUT, REASONING, COST = range(10)
Row = Tuple[str, str, str, int, int, int, int, int, int, Optional[int]]
Vec = List[int]  # [input, cached, output, reasoning]; comparisons use the first three

_INT_LIMIT = jsonline.COUNT_LIMIT
_MODEL_IN_PREFIX = re.compile(rb'"(?:model|model_name)"\s*:\s*"([^"]*)"')


def usage_vec(obj: Any) -> Optional[Vec]:
    if not isinstance(obj, dict):
        return None
    get = obj.get
    cached = get("cached_input_tokens")
    if cached is None:
        cached = get("cache_read_input_tokens")
    # jsonline.count inlined for the common case, a plain int in range: this runs per event
    num = jsonline.count
    v = get("output_tokens")
    out = v if type(v) is int and 0 < v < _INT_LIMIT else num(v)
    v = get("reasoning_output_tokens")
    reasoning = v if type(v) is int and 0 < v < _INT_LIMIT else num(v)
    v = get("input_tokens")
    inp = v if type(v) is int and 0 < v < _INT_LIMIT else num(v)
    return [inp, cached if type(cached) is int and 0 < cached < _INT_LIMIT else num(cached),
            out, reasoning if reasoning < out else out]


_PAYLOAD_KEYS = ("type", "info", "turn_id", "turnId", "id", "timestamp", "session_id", "sessionId", "cwd",
                 "current_working_directory", "currentWorkingDirectory", "source", "model", "model_name",
                 "title", "name", "forked_from_id", "forkedFromId", "parent_session_id", "parentSessionId")
_LINE_KEYS = ("type", "timestamp", "id", "session_id", "sessionId", "model")
_TYPED: List[Any] = []  # the typed decoder, built on first use


def _line_type(msgspec: Any) -> Any:
    """The keys the reducer reads, as plain dicts (msgspec skips the rest unbuilt: a Codex
    session_meta or turn_context line carries whole instruction texts). A payload that is not
    an object fails the type and the line is read whole, where ``_dict`` handles it."""
    from typing import TypedDict

    payload = TypedDict("Payload", {key: Any for key in _PAYLOAD_KEYS}, total=False)  # type: ignore[misc]
    fields: Dict[str, Any] = {key: Any for key in _LINE_KEYS}
    fields["payload"] = payload
    return TypedDict("Line", fields, total=False)  # type: ignore[misc]


def _ge(a: Vec, b: Vec) -> bool:
    return a[0] >= b[0] and a[1] >= b[1] and a[2] >= b[2]


def _sub0(a: Vec, b: Vec) -> Vec:
    return [max(0, x - y) for x, y in zip(a, b)]


def _first_str(*values: Any) -> Optional[str]:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _dict(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


class Reducer:
    """Per-file Codex state. ``to_state``/``from_state`` round-trip through the cache."""

    FIELDS = ("counted", "raw_baseline", "watermark", "seen", "divergent", "interleaved",
              "model", "turn", "index", "session_id", "forked_from", "fork_ts", "cwd", "title",
              "subagent", "awaiting_owned", "first_ts", "baseline", "unconsumed", "metas")

    def __init__(self, baseline: Optional[Vec] = None) -> None:
        self.counted: Vec = [0, 0, 0, 0]
        self.raw_baseline: Optional[Vec] = None
        self.watermark: Optional[Vec] = None
        self.seen: List[Vec] = []
        self.divergent = False
        self.interleaved = False
        self.model: Optional[str] = None
        self.turn = ""
        self.index = 0
        self.session_id: Optional[str] = None
        self.forked_from: Optional[str] = None
        self.fork_ts: Optional[int] = None
        self.cwd: Optional[str] = None
        self.title: Optional[str] = None
        self.subagent = False
        self.awaiting_owned = False
        self.first_ts: Optional[int] = None
        self.baseline: Optional[Vec] = list(baseline) if baseline else None
        self.unconsumed: Optional[Vec] = list(baseline) if baseline else None
        self.metas = 0
        self._seen_keys: set = set()  # ``seen`` as tuples: membership without a list scan

    def to_state(self) -> Dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}

    @classmethod
    def from_state(cls, state: Dict[str, Any]) -> "Reducer":
        reducer = cls()
        for name in cls.FIELDS:
            setattr(reducer, name, state[name])
        reducer._seen_keys = {tuple(v) for v in reducer.seen}
        return reducer

    # -- line dispatch ------------------------------------------------------------------------
    def feed_chunk(self, data: bytes, pricing: Pricing, rows: List[Row]) -> None:
        """An ``iter_chunks`` buffer (whole lines or an OVERSIZED marker).

        Same as ``feed`` on its lines, but lines that cannot count (most of the bytes) are
        passed over where they lie, without being cut out of the buffer.
        """
        if not data.endswith(b"\n"):
            self._dispatch([data], pricing, rows)
            return
        find, ignorable = data.find, _IGNORABLE.match
        lines = []
        pos, size = 0, len(data)
        while pos < size:
            end = find(b"\n", pos)
            if end - pos > MAX_LINE:
                lines.append(OVERSIZED + data[pos:pos + PREFIX])
            elif ignorable(data, pos, end) is None:
                lines.append(data[pos:end])
            pos = end + 1
        self._dispatch(lines, pricing, rows, data.isascii())  # one UTF-8 check for the whole buffer

    def feed(self, lines: Iterable[bytes], pricing: Pricing, rows: List[Row]) -> None:
        self._dispatch([line for line in lines if not _ignorable(line, 0, len(line))],
                       pricing, rows)

    def _dispatch(self, lines: Iterable[bytes], pricing: Pricing, rows: List[Row], known_utf8: bool = False) -> None:
        if not _TYPED:
            _TYPED.append(jsonline.typed(_line_type))
        loads = _TYPED[0]
        for line in lines:
            if b'"type":"event_msg"' in line:
                if b"token_count" not in line and b"task_started" not in line:
                    continue
            elif (b"turn_context" not in line and b"session_meta" not in line
                  and b"inter_agent_communication_metadata" not in line):
                continue
            if line[:1] == OVERSIZED:
                self._oversized(line)
                continue
            try:
                obj = loads(line, known_utf8)
            except ValueError:
                continue
            if not isinstance(obj, dict):
                continue
            kind = obj.get("type")
            payload = _dict(obj.get("payload"))
            if kind == "event_msg":
                ptype = payload.get("type")
                if ptype == "token_count":
                    row = self._token_count(obj, payload, pricing)
                    if row is not None:
                        rows.append(row)
                elif ptype == "task_started":
                    info = _dict(payload.get("info"))
                    turn = _first_str(payload.get("turn_id"), payload.get("turnId"), payload.get("id"),
                                      info.get("turn_id"), info.get("turnId"), info.get("id"))
                    if turn:
                        self.turn = turn
                    self.awaiting_owned = False
            elif kind == "turn_context":
                self._turn_context(obj, payload)
            elif kind == "session_meta":
                self._session_meta(obj, payload)

    def _observe(self, ts: Optional[int]) -> None:
        if ts is not None and (self.first_ts is None or ts < self.first_ts):
            self.first_ts = ts

    def _oversized(self, line: bytes) -> None:
        if b"turn_context" in line:
            match = _MODEL_IN_PREFIX.search(line)
            if match:
                self.model = match.group(1).decode("utf-8", "replace").strip() or None

    def _session_meta(self, obj: Dict[str, Any], payload: Dict[str, Any]) -> None:
        self.metas += 1
        sid = _first_str(payload.get("id"), obj.get("id"), payload.get("session_id"),
                         payload.get("sessionId"), obj.get("session_id"), obj.get("sessionId"))
        fork_ts = parse_ms(payload.get("timestamp")) or parse_ms(obj.get("timestamp"))
        self._observe(fork_ts)
        if self.metas > 1:
            if sid and sid == self.session_id:
                self.forked_from = self.forked_from or _fork_parent(payload)
                self.fork_ts = self.fork_ts or fork_ts
                self.cwd = self.cwd or _cwd(payload.get("cwd"))
            elif self.subagent:
                # an embedded ancestor meta: the copied prefix lasts until the next turn starts
                self.awaiting_owned = True
            return
        self.session_id = sid
        self.forked_from = _fork_parent(payload)
        self.fork_ts = fork_ts
        self.cwd = _cwd(payload.get("cwd"))
        source = payload.get("source")
        self.subagent = (isinstance(source, str) and source.lower() == "subagent") or (
            isinstance(source, dict) and "subagent" in source)

    def _turn_context(self, obj: Dict[str, Any], payload: Dict[str, Any]) -> None:
        if parse_ms(obj.get("timestamp")) is None:
            return
        info = _dict(payload.get("info"))
        fields = [payload.get("model"), payload.get("model_name"), info.get("model"), info.get("model_name")]
        present = [f for f in fields if isinstance(f, str)]
        if present:
            self.model = _first_str(*present)  # all blank → cleared
        cwd = _first_str(payload.get("cwd"), payload.get("current_working_directory"),
                         payload.get("currentWorkingDirectory"))
        if cwd and not self.cwd:
            self.cwd = _cwd(cwd)
        title = _first_str(payload.get("title"), payload.get("name"))
        if title:
            self.title = title

    # -- §3.3 ---------------------------------------------------------------------------------
    def _contained(self, cur: Vec) -> Vec:
        wm, counted = self.watermark or [0, 0, 0, 0], self.counted
        out = []
        for i in range(4):
            if cur[i] >= wm[i]:
                out.append(max(0, cur[i] - max(wm[i], counted[i])))
            else:
                out.append(max(0, cur[i] - counted[i]))
        return out

    def _token_count(self, obj: Dict[str, Any], payload: Dict[str, Any], pricing: Pricing) -> Optional[Row]:
        info = payload.get("info")
        if not isinstance(info, dict):
            return None
        ts = parse_ms(obj.get("timestamp"))
        if ts is None:
            return None
        self._observe(ts)
        total, last = usage_vec(info.get("total_token_usage")), usage_vec(info.get("last_token_usage"))
        if total is None and last is None:
            return None
        fork = self.baseline is not None
        if fork and total is not None:
            total = _sub0(total, self.baseline or [0, 0, 0, 0])
        if fork and total is None and last is not None and self.unconsumed is not None:
            reduced = _sub0(last, self.unconsumed)
            self.unconsumed = _sub0(self.unconsumed, last)
            last = reduced
        if total is not None and (total[0], total[1], total[2]) in self._seen_keys:
            return None  # seen holds [input, cached, output] of recent totals
        if total is not None and self.watermark is not None and not _ge(total, self.watermark):
            self.interleaved = True
        base = self.watermark if self.watermark is not None else self.raw_baseline
        if total is not None and last is not None and not (fork and not self.interleaved):
            if self.interleaved:
                contained = self._contained(total)
                delta = [min(a, b) for a, b in zip(last, contained)]
            else:
                delta = list(last)
                if not self.divergent and base is not None and _ge(total, base):
                    growth = [t - b for t, b in zip(total, base)]
                    if _ge(last, growth):
                        delta = growth
                    delta[3] = max(0, delta[3])
            self._count(delta, total)
        elif total is not None:
            if self.interleaved:
                delta = self._contained(total)
            elif self.divergent and base is not None:
                delta = [cur - b if cur >= b else max(0, cur - c)
                         for cur, b, c in zip(total, base, self.counted)]
            elif base is not None:
                delta = _sub0(total, base)
            else:
                delta = list(total)
            self._count(delta, total)
        else:
            assert last is not None
            delta = list(last)
            self.counted = [c + d for c, d in zip(self.counted, delta)]
            self.raw_baseline = list(self.counted)
            self.watermark = [max(w, c) for w, c in zip(self.watermark or self.counted, self.counted)]
        if total is not None:
            self.seen.append(total[:3])
            self._seen_keys.add((total[0], total[1], total[2]))
            if len(self.seen) > SEEN_LIMIT:
                self._seen_keys.discard(tuple(self.seen.pop(0)))  # no duplicates: seen ones return early
            self.watermark = total if self.watermark is None else [max(w, t) for w, t in zip(self.watermark, total)]
        if not (delta[0] or delta[1] or delta[2]) or self.awaiting_owned:
            return None
        model = self.model or _first_str(info.get("model"), info.get("model_name"),
                                         payload.get("model"), obj.get("model")) or "unknown"
        name = pricing.normalize_codex(model) if model != "unknown" else model
        inp, cached, out = delta[0], delta[1], delta[2]
        reasoning = min(max(0, delta[3]), out)
        row = (day_key(ts), name, self.turn, self.index, ts, inp, cached, out, reasoning,
               pricing.codex_cost(name, ts, inp, cached, out))
        self.index += 1
        return row

    def _count(self, delta: Vec, total: Vec) -> None:
        self.counted = [c + d for c, d in zip(self.counted, delta)]
        self.raw_baseline = list(total)
        if self.raw_baseline[:3] != self.counted[:3]:
            self.divergent = True


# Codex writes {"timestamp":"…","type":"<kind>","payload":{"type":"<event>",…}}. Most bytes are
# response_item lines and event_msg lines other than token_count/task_started; the reducer
# ignores them after parsing, so they are recognised from the head instead of being searched for
# five words and parsed. A timestamp string that ends at its first quote (the character before it
# not a backslash) proves the "type" after it is the top-level key; an event name holding an
# escape is left to the parser.
_IGNORABLE = re.compile(rb'\{"timestamp":"(?:[^"\n]{0,80}[^"\\\n])?","type":"(?:response_item"'
                        rb'|event_msg","payload":\{"type":"(?!token_count"|task_started")[^"\\\n]+")')


def _ignorable(data: bytes, pos: int, end: int) -> bool:
    """Can the line at ``data[pos:end]`` never count (see ``_IGNORABLE``)?"""
    return _IGNORABLE.match(data, pos, end) is not None


def _fork_parent(payload: Dict[str, Any]) -> Optional[str]:
    return _first_str(payload.get("forked_from_id"), payload.get("forkedFromId"),
                      payload.get("parent_session_id"), payload.get("parentSessionId"))


def _cwd(value: Any) -> Optional[str]:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    return text


def counted_at(rows: Iterable[Row], fork_ts: int) -> Vec:
    """A parent's counted totals after its last emitted row at or before ``fork_ts`` (§3.5)."""
    total = [0, 0, 0, 0]
    for row in rows:
        if row[TS] <= fork_ts:
            total = [total[0] + row[INPUT], total[1] + row[CACHED], total[2] + row[OUTPUT],
                     total[3] + row[REASONING]]
    return total


def reprice(rows: Iterable[Row], pricing: Pricing) -> List[Row]:
    return [r[:COST] + (pricing.codex_cost(r[MODEL], r[TS], r[INPUT], r[CACHED], r[OUTPUT]),) for r in rows]
