"""Run a provider's ordered sources; record every attempt; return one Outcome."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from codexbar.descriptor import Descriptor, FetchContext, Sources
from codexbar.errors import CodexbarError, FetchError, MissingCredential
from codexbar.secret import redact

MAX_RETRY_AFTER = 10.0


@dataclass
class Attempt:
    source: str
    available: bool
    error_kind: Optional[str] = None
    message: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        data: Dict[str, Any] = {"source": self.source, "available": self.available}
        if self.error_kind:
            data["errorKind"] = self.error_kind
        if self.message:
            data["message"] = self.message
        return data


@dataclass
class Outcome:
    provider: str
    payload: Optional[Dict[str, Any]] = None     # ProviderResult.dump()
    source: str = "auto"
    error: Optional[CodexbarError] = None
    attempts: List[Attempt] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.payload is not None and self.error is None


def _order(descriptor: Descriptor, sources: Sources, ctx: FetchContext) -> List[str]:
    mode = ctx.source_mode or "auto"
    if mode == "auto":
        return [sid for sid in descriptor.order(ctx.runtime) if sid in sources]
    if mode not in descriptor.source_modes or mode not in sources:
        raise FetchError("Source '%s' is not supported for %s." % (mode, descriptor.id), kind="unsupported",
                         hint="Supported: %s." % ", ".join(descriptor.source_modes))
    return [mode]


def _fetch_once_more(source: Any, ctx: FetchContext, error: CodexbarError) -> bool:
    """Retry only sources that opt in, on a transient error with a short Retry-After."""
    if not getattr(source, "retry_transient", False) or error.kind not in ("rate_limited", "unavailable"):
        return False
    if getattr(error, "status", None) is None:
        return False
    wait = min(error.retry_after if error.retry_after is not None else 1.0, MAX_RETRY_AFTER)
    if ctx.deadline is not None and time.monotonic() + wait >= ctx.deadline:
        return False
    time.sleep(wait)
    return True


def run(descriptor: Descriptor, sources: Sources, ctx: FetchContext) -> Outcome:
    outcome = Outcome(provider=descriptor.id, source=ctx.source_mode or "auto")
    try:
        order = _order(descriptor, sources, ctx)
    except FetchError as error:
        outcome.error = error
        return outcome
    last_error: Optional[CodexbarError] = None
    for sid in order:
        source = sources[sid]
        if not source.available(ctx):
            outcome.attempts.append(Attempt(sid, False, message=source.unavailable_reason(ctx)))
            continue
        retried = False
        while True:
            try:
                result = source.fetch(ctx)
            except CodexbarError as error:
                if not retried and _fetch_once_more(source, ctx, error):
                    retried = True
                    continue
                last_error = error
            except Exception as exc:  # noqa: BLE001 - a bug in one source must not kill the run
                last_error = FetchError("Unexpected %s while reading %s (%s source)."
                                        % (type(exc).__name__, descriptor.name, sid),
                                        hint="Run `codexbar usage --provider %s -v` for details." % descriptor.id)
                last_error.__cause__ = exc
            else:
                outcome.payload = result.dump()
                outcome.source = outcome.payload.get("source", sid)
                outcome.attempts.append(Attempt(sid, True))
                return outcome
            break
        assert last_error is not None
        last_error.message = redact(last_error.message)
        outcome.attempts.append(Attempt(sid, True, last_error.kind, last_error.message))
        if ctx.source_mode not in (None, "auto") or not source.falls_back_on(last_error):
            break
    if last_error is None:
        tried = "; ".join(a.message for a in outcome.attempts if a.message)
        last_error = MissingCredential("Not connected: %s." % (tried or "no credentials found"),
                                       hint=descriptor.missing_hint)
    outcome.error = last_error
    return outcome
