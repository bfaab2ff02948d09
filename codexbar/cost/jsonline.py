"""Parse one log line as JSON: orjson when it is installed, else the standard library with the
same acceptance rules, so a scan gives the same totals either way.

The rules (those of orjson, and of JavaScript's ``JSON.parse`` that ccusage uses): strict UTF-8,
no byte-order mark, no ``NaN``/``Infinity`` and no number that overflows to infinity. One
exception to orjson: a string holding an unpaired UTF-16 surrogate escape (``"\\ud83d"`` — what
``JSON.stringify`` writes for a cut emoji) is accepted, as ``JSON.parse`` accepts it. Every
rejection is a ``ValueError``, including nesting too deep for the parser.
"""

from __future__ import annotations

import json
import math
from typing import Any, Callable, List, Tuple, Union

Data = Union[bytes, memoryview]


def _reject_constant(name: str) -> Any:
    raise ValueError("non-finite number " + name)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError("number out of range")
    return value


_DECODER = json.JSONDecoder(parse_float=_finite_float, parse_constant=_reject_constant)


MAX_DEPTH = 1024   # orjson's nesting limit; the stdlib's depends on the Python version


def _too_deep(raw: bytes) -> bool:
    """Nesting deeper than MAX_DEPTH outside strings (only scanned when brackets abound)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return False
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:      # backslash
                escaped = True
            elif byte == 0x22:      # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


def std_loads(data: Data) -> Any:
    """The standard-library parser under the rules above (the fallback)."""
    raw = bytes(data)
    if _too_deep(raw):
        raise ValueError("nesting too deep")
    try:
        return _DECODER.decode(raw.decode("utf-8"))  # a BOM is rejected by decode()
    except RecursionError:
        raise ValueError("nesting too deep") from None


def _has_surrogate_escape(data: Data) -> bool:
    raw = bytes(data)
    return b"\\ud" in raw or b"\\uD" in raw


def _make_fast(fast: Callable[[Data], Any]) -> Callable[[Data], Any]:
    def loads(data: Data) -> Any:
        try:
            return fast(data)
        except ValueError:
            if _has_surrogate_escape(data):  # rare: let the tolerant parser decide
                return std_loads(data)
            raise
    return loads


_CHOSEN: List[Any] = []  # [loads, accepts memoryview] once chosen


def parser() -> Tuple[Callable[[Data], Any], bool]:
    """``(loads, accepts_memoryview)``: orjson's when it can be imported, else the fallback.

    Chosen on first use, not at import: importing orjson costs ~10 ms (it pulls in dataclasses
    and uuid), which a scan that finds nothing new should not pay.
    """
    if not _CHOSEN:
        try:
            from orjson import loads as fast
        except ImportError:  # e.g. a Python without a wheel for it: same answers, slower
            _CHOSEN.extend((std_loads, False))
        else:
            _CHOSEN.extend((_make_fast(fast), True))  # orjson reads views without copying
    return _CHOSEN[0], _CHOSEN[1]


def is_fast() -> bool:
    return parser()[0] is not std_loads


def loads(data: Data) -> Any:
    return parser()[0](data)
