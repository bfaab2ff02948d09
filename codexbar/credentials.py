"""Credential chains: named lookups tried in order, each giving a Credential or None.

Written once per provider and read top to bottom, like botocore's credential providers. The
result says where it came from; a failure lists everything that was tried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence

from codexbar.descriptor import FetchContext
from codexbar.env import clean_value
from codexbar.errors import MissingCredential
from codexbar.secret import Secret


@dataclass
class Credential:
    secret: Secret
    origin: str                                   # "env Z_AI_API_KEY", "file ~/.claude/…"
    extra: Dict[str, Any] = field(default_factory=dict)


class Lookup:
    name = "lookup"
    interactive = False   # may raise a system prompt: only on explicit user action

    def find(self, ctx: FetchContext) -> Optional[Credential]:
        raise NotImplementedError


class FromEnv(Lookup):
    def __init__(self, *names: str) -> None:
        self.names = names
        self.name = "env " + "/".join(names)

    def find(self, ctx: FetchContext) -> Optional[Credential]:
        for var in self.names:
            value = ctx.env.get(var)
            if value:
                return Credential(Secret(value), "env " + var)
        return None


class FromConfig(Lookup):
    def __init__(self, key: str) -> None:
        self.key = key
        self.name = "config " + key

    def find(self, ctx: FetchContext) -> Optional[Credential]:
        value = ctx.config_str(self.key)
        return Credential(Secret(value), "config %s (%s)" % (self.key, ctx.env.config_path)) if value else None


class FromTokenAccount(Lookup):
    """The selected ``tokenAccounts`` entry's token (CodexBar's multi-account config)."""

    name = "config tokenAccounts"

    def find(self, ctx: FetchContext) -> Optional[Credential]:
        account = ctx.account or {}
        token = clean_value(account.get("token")) if isinstance(account.get("token"), str) else None
        if not token:
            return None
        return Credential(Secret(token), "config token account %s" % (account.get("label") or "?"),
                          extra={"account": dict(account)})


class FromFirstLine(Lookup):
    def __init__(self, *paths: str) -> None:
        self.paths = paths
        self.name = "files " + ", ".join(paths)

    def find(self, ctx: FetchContext) -> Optional[Credential]:
        for raw in self.paths:
            path = ctx.env.expand(raw)
            try:
                line = path.read_text(encoding="utf-8").splitlines()[0]
            except (OSError, UnicodeDecodeError, IndexError):
                continue
            value = clean_value(line)
            if value:
                return Credential(Secret(value), "file " + raw)
        return None


class OnlyIf(Lookup):
    def __init__(self, predicate: Callable[[FetchContext], bool], inner: Lookup) -> None:
        self.predicate, self.inner = predicate, inner
        self.name = inner.name
        self.interactive = inner.interactive

    def find(self, ctx: FetchContext) -> Optional[Credential]:
        return self.inner.find(ctx) if self.predicate(ctx) else None


class Chain:
    def __init__(self, what: str, lookups: Sequence[Lookup], hint: str = "") -> None:
        self.what, self.lookups, self.hint = what, list(lookups), hint

    def _walk(self, ctx: FetchContext, problems: List[str]) -> Optional[Credential]:
        for lookup in self.lookups:
            if lookup.interactive and not ctx.interactive:
                continue
            try:
                found = lookup.find(ctx)
            except Exception as exc:  # noqa: BLE001 - a broken store is "not found here"
                problems.append("%s: %s" % (lookup.name, getattr(exc, "message", type(exc).__name__)))
                continue
            if found is not None:
                return found
        return None

    def peek(self, ctx: FetchContext) -> Optional[Credential]:
        return self._walk(ctx, [])

    def require(self, ctx: FetchContext) -> Credential:
        problems: List[str] = []
        found = self._walk(ctx, problems)
        if found is None:
            detail = ("; " + "; ".join(problems)) if problems else ""
            raise MissingCredential("No %s found%s." % (self.what, detail), hint=self.hint)
        return found

    def tried(self) -> List[str]:
        return [lookup.name for lookup in self.lookups]
