"""Parse one log line as JSON: msgspec when it is installed, else the standard library with the
same acceptance rules, so a scan gives the same totals either way.

The rules (those of JavaScript's ``JSON.parse``, which Claude Code's and Codex's writers pair
with, on UTF-8 text): RFC 8259 syntax, strict UTF-8 for the whole line (also inside strings the
scanner never reads), no byte-order mark, no ``NaN``/``Infinity`` literals; numbers of any size
are accepted (too large for a float reads as infinity; an integer of over 4,300 digits as a
float), duplicate keys keep the last value, and a string holding an unpaired UTF-16 surrogate
escape (``"\\ud83d"``, what ``JSON.stringify`` writes for a cut emoji) is accepted. Every
rejection is a ``ValueError``. Nesting deeper than the interpreter lets a C parser recurse is
rejected: about 1,000 levels up to Python 3.11, about 10,000 from 3.12 (msgspec and the standard
library's scanner share that limit, give or take the few frames of their callers; no agent
writes lines nested a tenth as deep).

``typed(build)`` is the fast path for the few fields a scanner reads: msgspec decodes only the
fields of a typed structure and skips every other value without building Python objects for
it (a Claude Code line is mostly message text), with the same accept/reject answer as ``loads``.
"""

from __future__ import annotations

import json
from typing import Any, Callable, List, Optional, Tuple, Union

Data = Union[bytes, memoryview]

_INT_DIGITS = 4300      # CPython's int-from-string limit; longer integers are read as floats
COUNT_LIMIT = 1 << 63   # token counts at or past this are junk (CodexBar reads them as Int)


def count(value: Any) -> int:
    """A JSON value read as a token count, like CodexBar's NSNumber → Int: a plain int in range
    is itself, booleans are 0/1, floats truncate, anything else (null, text, negative or
    out-of-range numbers) is 0."""
    if type(value) is int:  # the common case first
        return value if 0 < value < COUNT_LIMIT else 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)) and 0 < value < COUNT_LIMIT:
        return int(value)
    return 0


def _reject_constant(name: str) -> Any:
    raise ValueError("non-finite number " + name)


def _int(text: str) -> Any:
    return int(text) if len(text) <= _INT_DIGITS else float(text)


_DECODER = json.JSONDecoder(parse_int=_int, parse_constant=_reject_constant)


def std_loads(data: Data) -> Any:
    """The standard-library parser under the rules above (the fallback)."""
    try:
        return _DECODER.decode(bytes(data).decode("utf-8"))  # a BOM is rejected by decode()
    except RecursionError:
        raise ValueError("nesting too deep") from None


def _has_surrogate_escape(data: Data) -> bool:
    raw = bytes(data)
    return b"\\ud" in raw or b"\\uD" in raw


class _Fast:
    """msgspec decoders under the rules above (built once per process, on first use)."""

    def __init__(self, msgspec: Any) -> None:
        self.msgspec = msgspec
        self.generic = msgspec.json.Decoder(float_hook=float).decode
        self.decode_error = msgspec.DecodeError
        self.validation_error = msgspec.ValidationError

    def loads(self, data: Data) -> Any:
        try:
            return self.generic(data)
        except self.validation_error:   # an integer of over 4,300 digits
            return std_loads(data)
        except self.decode_error:
            if _has_surrogate_escape(data):  # rare: the tolerant parser decides
                return std_loads(data)
            raise
        except RecursionError:
            raise ValueError("nesting too deep") from None

    def typed(self, build: Callable[[Any], Any]) -> Callable[[Data, bool], Any]:
        decode = self.msgspec.json.Decoder(build(self.msgspec), float_hook=float).decode
        loads, validation_error, decode_error = self.loads, self.validation_error, self.decode_error

        def typed_loads(data: Data, known_utf8: bool = False) -> Any:
            try:
                obj = decode(data)
            except validation_error:  # a value of another shape than the type allows: parse it all
                return loads(data)
            except decode_error:
                if _has_surrogate_escape(data):
                    return std_loads(data)
                raise
            except RecursionError:
                raise ValueError("nesting too deep") from None
            if not known_utf8:
                # skipped strings are not checked for UTF-8 by msgspec; the rule covers them
                str(data, "utf-8")
            return obj
        return typed_loads


_CHOSEN: List[Any] = []  # [_Fast or None] once chosen


def _fast() -> Optional[_Fast]:
    """msgspec's decoders when it can be imported (chosen on first use, not at import: a scan
    that finds nothing new should not pay for importing it)."""
    if not _CHOSEN:
        try:
            import msgspec
        except ImportError:  # e.g. a Python without a wheel for it: same answers, slower
            _CHOSEN.append(None)
        else:
            _CHOSEN.append(_Fast(msgspec))
    return _CHOSEN[0]


def parser() -> Tuple[Callable[[Data], Any], bool]:
    """``(loads, accepts_memoryview)``."""
    fast = _fast()
    return (fast.loads, True) if fast is not None else (std_loads, False)


def typed(build: Callable[[Any], Any]) -> Callable[[Data, bool], Any]:
    """``loads(data, known_utf8)``: an instance of the msgspec type ``build(msgspec)`` returns,
    or — for a line that does not fit that type, or without msgspec — the whole line as plain
    JSON values (a dict for an object), which the caller then reads the slow way. The type names
    only the fields the caller reads; msgspec skips the rest without building it.
    ``known_utf8`` says the caller already checked the bytes."""
    fast = _fast()
    if fast is not None:
        return fast.typed(build)
    return lambda data, known_utf8=False: std_loads(data)


def is_fast() -> bool:
    return _fast() is not None


def loads(data: Data) -> Any:
    return parser()[0](data)
