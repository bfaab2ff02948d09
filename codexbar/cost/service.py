"""One call from "provider + window" to a finished cost report: lock, scan, reconcile, build."""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List, Optional

from codexbar.cost import report as R
from codexbar.cost import scanner
from codexbar.cost.timeutil import window

FAMILY = {"claude": "claude", "vertexai": "claude", "codex": "codex"}
SUPPORTED = ("codex", "claude")


class ScanBusy(Exception):
    """Another process holds the scan lock and the caller's budget ran out."""


def scan_family(env: Any, family: str, *, deadline: Optional[float] = None,
                progress: Optional[Callable[[int, int], None]] = None,
                workers: Optional[int] = None, task_limit: int = -1) -> scanner.ScanResult:
    from codexbar.cache import FileLock

    lock = FileLock(env.cache_dir, "cost-" + family)
    wait = 3600.0 if deadline is None else max(0.0, deadline - time.monotonic())
    if not lock.acquire(timeout=wait):
        raise ScanBusy(family)
    try:
        return scanner.scan(env, family, deadline=deadline, progress=progress, workers=workers,
                            task_limit=task_limit, now_ms=int(env.now().timestamp() * 1000))
    finally:
        lock.release()


def scan_families(env: Any, families: List[str], *,
                  progress: Optional[Dict[str, Callable[[int, int], None]]] = None,
                  workers: Optional[int] = None) -> Dict[str, Any]:
    """Scan several families at once: family → ScanResult, or the exception that stopped it.

    With more than one family and real parsing to do, the scans run in threads that share one
    process pool: while one family's main-side work (SQLite writes, index builds, dedup) runs,
    the workers keep parsing the other's logs.
    """
    import threading

    from codexbar.cache import FileLock

    results: Dict[str, Any] = {}
    locks = []
    plans: Dict[str, scanner.Plan] = {}
    now_ms = int(env.now().timestamp() * 1000)
    shared: Optional[scanner.SharedPool] = None
    try:
        for family in sorted(set(families)):  # one order everywhere: no lock cycles
            try:
                lock = FileLock(env.cache_dir, "cost-" + family)
                if not lock.acquire(timeout=3600.0):
                    raise ScanBusy(family)
                locks.append(lock)
                plans[family] = scanner.plan(env, family, now_ms)
            except Exception as exc:  # noqa: BLE001 - reported per family
                results[family] = exc
        order = sorted(plans, key=lambda f: -plans[f].work)  # the biggest first, in this thread
        if len(plans) > 1 and any(p.wants_pool(workers) for p in plans.values()):
            shared = scanner.SharedPool(workers, first=order[0])
            try:
                shared.start()  # before any thread exists (fork safety)
            except Exception:  # noqa: BLE001 - no worker processes: each scan decides alone
                shared.close()
                shared = None

        def run(family: str) -> None:
            try:
                results[family] = scanner.execute(plans[family], progress=(progress or {}).get(family),
                                                  workers=workers, pool=shared)
            except BaseException as exc:  # noqa: BLE001 - reported per family
                results[family] = exc
            finally:
                if shared is not None:
                    shared.queued(family)  # never leave the others waiting

        threads = [threading.Thread(target=run, args=(f,), daemon=True) for f in order[1:]]
        for thread in threads:
            thread.start()
        if order:
            run(order[0])
        for thread in threads:
            thread.join()
    finally:
        if shared is not None:
            shared.close()
        for lock in locks:
            lock.release()
    return {f: results[f] for f in families}


def build_report(env: Any, provider: str, result: scanner.ScanResult, days: int,
                 with_projects: bool = False, with_sessions: bool = False) -> Dict[str, Any]:
    """The report for ``provider`` from a finished (or partial) scan of its family."""
    from codexbar.render.json_out import iso_z

    now = env.now()
    since, until = window(now, days)  # local calendar days (the scan synced the zone)
    conn = result.conn
    projects = None
    sessions = None
    if provider == "codex":
        entries = R.daily_entries("codex", R.days_for(conn, "codex", since, until), since, until,
                                  R.codex_unmetered(conn))
        if with_projects or with_sessions:
            from codexbar.cost import db

            # derived per-file views are memoised until the next change (warm runs skip them)
            memo = "codex:%s:%s:%d%d" % (since, until, with_projects, with_sessions)
            cached = db.memo_get(conn, memo)
            if cached is None:
                records = R.codex_by_file(conn, since, until)
                cached = (R.codex_projects(records, since, until) if with_projects else None,
                          R.codex_sessions(records, since, until) if with_sessions else None)
                db.memo_set(conn, memo, cached)
            projects, sessions = cached
        established = result.complete
    else:
        entries = R.daily_entries("claude", R.days_for(conn, provider, since, until), since, until)
        established = True
    report = R.build(provider, entries, today=until, days=days, updated_at=iso_z(now),
                     established=established, projects=projects)
    if sessions is not None:
        report["_sessions"] = sessions
    return report


_STAMP = "\x00updatedAt\x00"  # stands for the time in a memoised report


def report_json(env: Any, provider: str, result: scanner.ScanResult, days: int) -> str:
    """The public report element as compact JSON (what ``codexbar cost --json`` prints for it),
    memoised per database generation: a re-scan that found nothing new only stamps the time."""
    from codexbar.cost import db
    from codexbar.render.json_out import dumps, iso_z

    now = env.now()
    since, until = window(now, days)
    memo = "json:%s:%s:%s:%d:%d" % (provider, since, until, days, result.complete)
    text = db.memo_get(result.conn, memo)
    if not isinstance(text, str):
        report = build_report(env, provider, result, days, with_projects=(provider == "codex"))
        report["updatedAt"] = _STAMP
        text = dumps([R.public(report)])[1:-1]
        db.memo_set(result.conn, memo, text)
    return text.replace(dumps(_STAMP), dumps(iso_z(now)), 1)


def cost_report(env: Any, provider: str, days: int = 30, **kwargs: Any) -> Dict[str, Any]:
    result = scan_family(env, FAMILY[provider], deadline=kwargs.pop("deadline", None),
                         progress=kwargs.pop("progress", None), workers=kwargs.pop("workers", None))
    try:
        return build_report(env, provider, result, days, **kwargs)
    finally:
        result.close()
