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
from typing import Any, Callable, Union

Data = Union[bytes, memoryview]


def _reject_constant(name: str) -> Any:
    raise ValueError("non-finite number " + name)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError("number out of range")
    return value


_DECODER = json.JSONDecoder(parse_float=_finite_float, parse_constant=_reject_constant)


def std_loads(data: Data) -> Any:
    """The standard-library parser under the rules above (the fallback)."""
    try:
        return _DECODER.decode(bytes(data).decode("utf-8"))  # a BOM is rejected by decode()
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


try:
    from orjson import loads as _orjson_loads
except ImportError:  # e.g. a Python without a wheel for it: same answers, slower
    _orjson_loads = None

FAST = _orjson_loads is not None
# orjson reads memoryview slices without copying them; the fallback copies anyway
ACCEPTS_VIEW = FAST
loads: Callable[[Data], Any] = _make_fast(_orjson_loads) if _orjson_loads is not None else std_loads
