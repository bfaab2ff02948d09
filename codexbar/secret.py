"""Secret: a string that never shows itself, and redact() for text leaving the process."""

from __future__ import annotations

import re
from typing import Iterable


class Secret:
    """Holds a token/cookie/key. ``str``/``repr``/format print a mask, never the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The raw value: only for building a request header or a credential file."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


# Shapes of well-known secrets, scrubbed from any message we surface (defence in depth: a
# provider echoing our token in an error body must not put it into the menu).
_PATTERNS = [
    re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"\bsk-ant-[A-Za-z0-9_-]{8,}"),
    re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*"),
    re.compile(r"(?i)(sessionKey=|session[_-]?token=|access_token=|refresh_token=|api[_-]?key=)[^;&\s]+"),
]


def redact(text: str, secrets: Iterable[object] = ()) -> str:
    """Remove every known secret value and secret-looking token from ``text``."""
    out = text
    for item in secrets:
        value = item.reveal() if isinstance(item, Secret) else str(item or "")
        if len(value) >= 4:
            out = out.replace(value, "***")
    for pattern in _PATTERNS:
        out = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "***", out)
    return out
