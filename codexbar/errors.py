"""Errors are values: a kind, a one-line reason, and a fix hint.

Only ``plugin.run`` and the CLI turn them into menu lines or exit codes; nothing below prints.
"""

from __future__ import annotations

from typing import Optional

# kind → CodexBar CLI exit code (cli-and-config.md §2)
EXIT_CODES = {
    "missing_credential": 1,
    "auth_expired": 1,
    "permission_denied": 1,
    "rate_limited": 1,
    "network": 1,
    "unavailable": 1,
    "config": 1,
    "unsupported": 1,
    "binary_not_found": 2,
    "parse": 3,
    "timeout": 4,
}


class CodexbarError(Exception):
    """Base for every error the product reports to a user."""

    kind = "unavailable"

    def __init__(self, message: str, *, hint: Optional[str] = None, kind: Optional[str] = None,
                 retry_after: Optional[float] = None) -> None:
        super().__init__(message)
        self.message = " ".join(str(message).split())  # always one line
        self.hint = hint
        if kind:
            self.kind = kind
        self.retry_after = retry_after

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.kind, 1)

    def to_dict(self) -> dict:
        data = {"kind": self.kind, "message": self.message}
        if self.hint:
            data["hint"] = self.hint
        return data


class FetchError(CodexbarError):
    """A provider fetch failed in a way the user should read about."""


class MissingCredential(FetchError):
    kind = "missing_credential"


class AuthExpired(FetchError):
    kind = "auth_expired"


class RateLimited(FetchError):
    kind = "rate_limited"


class FetchTimeout(FetchError):
    kind = "timeout"


class NetworkError(FetchError):
    kind = "network"


class ParseError(FetchError):
    kind = "parse"


class BinaryNotFound(FetchError):
    kind = "binary_not_found"


class ConfigError(CodexbarError):
    kind = "config"
