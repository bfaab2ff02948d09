"""Fetch one provider now: config → FetchContext → pipeline. Shared by the CLI and refreshes."""

from __future__ import annotations

import time
from typing import Optional

from codexbar import registry
from codexbar.descriptor import FetchContext
from codexbar.env import Env
from codexbar.errors import CodexbarError
from codexbar.pipeline import Outcome, run

DEFAULT_DEADLINE = 45.0


def fetch(provider_id: str, env: Env, *, runtime: str, source_mode: Optional[str] = None,
          interactive: bool = False, deadline_seconds: Optional[float] = None,
          account: Optional[dict] = None, store: object = None, include_credits: bool = True) -> Outcome:
    """Run the provider's sources once. Never raises for a provider problem: see Outcome.error."""
    from codexbar import config as config_mod
    from codexbar.access.http import Http
    from codexbar.cache import open_store

    desc = registry.descriptor(provider_id)
    seconds = deadline_seconds or float(env.get("CODEXBAR_FETCH_TIMEOUT") or DEFAULT_DEADLINE)
    deadline = time.monotonic() + seconds
    http = Http(env, deadline=deadline)
    try:
        try:
            cfg = config_mod.load(env)
        except CodexbarError as error:
            return Outcome(provider_id, source=source_mode or "auto", error=_as_fetch_error(error))
        entry = cfg.entry(provider_id)
        mode = source_mode or (entry.get("source") if isinstance(entry.get("source"), str) else None) or "auto"
        ctx = FetchContext(env=env, config=entry, http=http, runtime=runtime, source_mode=mode,
                           interactive=interactive, deadline=deadline,
                           account=account if account is not None else cfg.active_account(provider_id),
                           cache=store if store is not None else open_store(env),
                           include_credits=include_credits)
        try:
            sources = registry.load_sources(provider_id)
        except ImportError as exc:
            from codexbar.errors import FetchError

            return Outcome(provider_id, source=mode, error=FetchError(
                "%s support is not installed (%s)." % (desc.name, exc.name or "module"), kind="unsupported"))
        return run(desc, sources, ctx)
    finally:
        http.close()


def _as_fetch_error(error: CodexbarError):  # noqa: ANN202
    from codexbar.errors import FetchError

    return FetchError(error.message, kind=error.kind, hint=error.hint)
