"""Incremental, parallel scan of one log family ("claude" or "codex") into the per-file cache.

Per file (cost-usage.md §7): same identity, size and mtime → reuse; same inode and larger with
the bytes before the last parsed offset unchanged → parse only the appended bytes, resuming
the parser state; anything else (truncated, rewritten, replaced) → parse the whole file. Files
that disappear keep their rows as retained history. Work is spread over a process pool (one
task per file, largest first) because parsing is CPU-bound.
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from codexbar.cost import claude, codex, discover, store
from codexbar.cost.lines import OVERSIZED, iter_blocks
from codexbar.cost.pricing import load as load_pricing
from codexbar.cost.timeutil import zone_id

FINGERPRINT = 64
PARALLEL_MIN_BYTES = 8 << 20
Progress = Callable[[int, int], None]


# -- worker side (runs in pool processes; module-level so it pickles) --------------------------


def parse_file(family: str, path: str, start: int, state: Optional[Dict[str, Any]],
               fingerprint: Optional[bytes], baseline: Optional[List[int]],
               limit: int = -1) -> Dict[str, Any]:
    """Parse ``path`` from ``start`` (or from 0 when the bytes before ``start`` changed)."""
    pricing = load_pricing()
    try:
        handle = open(path, "rb")
    except OSError as exc:
        return {"error": str(exc)}
    with handle:
        st = os.fstat(handle.fileno())
        restarted = False
        if start > 0:
            handle.seek(max(0, start - FINGERPRINT))
            if start > st.st_size or handle.read(min(FINGERPRINT, start)) != fingerprint:
                start, state, restarted = 0, None, True
        parsed = start
        eof = True
        rows: List[Any] = []
        max_line = claude.MAX_LINE if family == "claude" else codex.MAX_LINE
        if family == "claude":
            file_rows = claude.FileRows()
            for lines, end in iter_blocks(handle, start, max_line):
                claude.parse_lines(lines, pricing, file_rows)
                parsed = end
                if 0 <= limit <= end - start:
                    eof = False
                    break
            rows = file_rows.rows()
            new_state = None
        else:
            reducer = codex.Reducer.from_state(state) if state else codex.Reducer(baseline)
            for lines, end in iter_blocks(handle, start, max_line):
                reducer.feed(lines, pricing, rows)
                parsed = end
                if 0 <= limit <= end - start:
                    eof = False
                    break
            new_state = reducer.to_state()
        handle.seek(max(0, parsed - FINGERPRINT))
        fp = handle.read(min(FINGERPRINT, parsed))
    return {"rows": rows, "state": new_state, "parsed": parsed, "fp": fp, "restarted": restarted, "eof": eof,
            "stat": (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)}


# -- main side ---------------------------------------------------------------------------------


class Task:
    __slots__ = ("path", "start", "state", "fp", "baseline", "size", "fork_parent", "fork_ts", "old")

    def __init__(self, path: str, size: int, old: Optional[Dict[str, Any]] = None) -> None:
        self.path = path
        self.size = size
        self.old = old
        self.start = 0
        self.state: Optional[Dict[str, Any]] = None
        self.fp: Optional[bytes] = None
        self.baseline: Optional[List[int]] = None
        self.fork_parent: Optional[str] = None
        self.fork_ts: Optional[int] = None


class ScanResult:
    def __init__(self, cache: Dict[str, Any], complete: bool, changed: bool) -> None:
        self.cache = cache
        self.complete = complete
        self.changed = changed


def roots_for(env: Any, family: str) -> List[Any]:
    return discover.claude_roots(env) if family == "claude" else discover.codex_roots(env)


def scan(env: Any, family: str, *, deadline: Optional[float] = None, progress: Optional[Progress] = None,
         workers: Optional[int] = None, task_limit: int = -1, now_ms: Optional[int] = None) -> ScanResult:
    """Bring ``<cache>/cost/<family>.cache`` up to date with the logs on disk.

    ``deadline`` (time.monotonic()) stops scheduling new work; finished files are saved and
    the result says ``complete=False`` (the next scan resumes). Callers hold the scan lock.
    """
    pricing = load_pricing()
    cache = store.load(env.cache_dir, family, zone_id(), pricing.digest)
    changed = _reprice(cache, family, pricing)
    found = discover.jsonl_files(roots_for(env, family))
    files: Dict[str, Any] = cache["files"]
    retained: Dict[str, Any] = cache["retained"]
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)

    for path in [p for p in files if p not in found]:
        entry = files.pop(path)
        changed = True
        if entry.get("rows") or entry.get("state"):
            entry["goneAt"] = now_ms
            retained[path] = entry
    tasks: List[Task] = []
    for path, stat in found.items():
        if path in retained:
            del retained[path]  # the file is back: it is the authority again
            changed = True
        entry = files.get(path)
        old = tuple(entry["stat"]) if entry else None
        if old == stat and entry["eof"]:
            continue
        task = Task(path, stat[2], entry)
        # grew (same file, larger) or an unfinished earlier scan: continue after the parsed bytes
        # (the worker re-checks the bytes before that offset); anything else: parse it all again
        if (old is not None and old[:2] == stat[:2] and entry["parsed"] > 0
                and (stat[2] > old[2] or (old == stat and not entry["eof"]))):
            task.start, task.state, task.fp = entry["parsed"], entry.get("state"), entry.get("fp")
        tasks.append(task)

    complete = True
    if family == "codex":
        complete = _run_codex(env, cache, tasks, deadline, progress, workers, task_limit)
        changed = _revalidate_forks(env, cache, deadline, progress, workers) or changed
    else:
        complete = _run(family, cache, tasks, deadline, progress, workers, task_limit)
    changed = changed or bool(tasks)
    if not all(f["eof"] for f in files.values()):
        complete = False
    if changed:
        cache["scannedAt"] = now_ms
        store.save(env.cache_dir, family, cache)
    return ScanResult(cache, complete, changed)


def _reprice(cache: Dict[str, Any], family: str, pricing: Any) -> bool:
    if cache.get("pricing") == pricing.digest:
        return False
    module: Any = claude if family == "claude" else codex
    for group in (cache["files"], cache["retained"]):
        for entry in group.values():
            entry["rows"] = module.reprice(entry.get("rows") or [], pricing)
    cache["pricing"] = pricing.digest
    return True


def _run(family: str, cache: Dict[str, Any], tasks: List[Task], deadline: Optional[float],
         progress: Optional[Progress], workers: Optional[int], task_limit: int) -> bool:
    """Parse ``tasks`` (in a pool when worth it) and merge results; False if cut short."""
    if not tasks:
        return True
    tasks.sort(key=lambda t: -(t.size - t.start))
    total = sum(t.size - t.start for t in tasks) or 1
    done = 0
    workers = workers or os.cpu_count() or 1
    complete = True

    def merge(task: Task, result: Dict[str, Any]) -> None:
        nonlocal done
        done += task.size - task.start
        if progress is not None:
            progress(done, total)
        if "error" in result:
            return  # vanished or unreadable between discovery and parse: next scan decides
        _merge(family, cache, task, result)

    args = [(family, t.path, t.start, t.state, t.fp, t.baseline, task_limit) for t in tasks]
    if workers <= 1 or len(tasks) == 1 or total < PARALLEL_MIN_BYTES:
        for task, arg in zip(tasks, args):
            if deadline is not None and time.monotonic() > deadline:
                return False
            merge(task, parse_file(*arg))
        return True
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    with ProcessPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
        pending = {pool.submit(parse_file, *arg): task for task, arg in zip(tasks, args)}
        while pending:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            finished, _ = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
            if not finished:
                for future in pending:
                    future.cancel()
                complete = False
                finished, _ = wait(pending)  # running tasks finish; cancelled ones are skipped
            for future in finished:
                task = pending.pop(future)
                if not future.cancelled():
                    merge(task, future.result())
            if not complete:
                break
    return complete


def _merge(family: str, cache: Dict[str, Any], task: Task, result: Dict[str, Any]) -> None:
    old = task.old if task.start > 0 and not result["restarted"] else None
    if family == "claude":
        rows = result["rows"]
        if old is not None:
            merged = claude.FileRows(old.get("rows") or [])
            for row in rows:
                merged.add(row)
            rows = merged.rows()
    else:
        rows = (list(old.get("rows") or []) if old else []) + result["rows"]
    entry = {"stat": result["stat"], "parsed": result["parsed"], "fp": result["fp"], "rows": rows,
             "state": result["state"], "eof": result["eof"]}
    if family == "codex":
        entry["unresolved"] = bool(task.fork_parent) and task.baseline is None
        if entry["unresolved"]:
            entry["rows"] = []  # §3.5 fail closed: a fork without its parent bills nothing
    cache["files"][task.path] = entry


# -- Codex forks (§3.5) ----------------------------------------------------------------------


def _head(path: str) -> Dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            blocks = iter_blocks(handle, 0, codex.MAX_LINE, chunk=256 * 1024)
            for lines, end in blocks:
                if any(b"session_meta" in line and line[:1] != OVERSIZED for line in lines):
                    return codex.head_meta(lines)
                if end > 4 << 20:
                    break
    except OSError:
        pass
    return {"session_id": None, "forked_from": None, "fork_ts": None, "subagent": False}


def _sessions(cache: Dict[str, Any], extra: Dict[str, str]) -> Dict[str, str]:
    """session id → path of the file holding it (first by path; retained files count)."""
    out: Dict[str, str] = {}
    for group in (cache["retained"], cache["files"]):
        for path in sorted(group):
            sid = (group[path].get("state") or {}).get("session_id")
            if sid:
                out.setdefault(sid, path)
    for sid, path in extra.items():
        out.setdefault(sid, path)
    return out


def _entry(cache: Dict[str, Any], path: str) -> Optional[Dict[str, Any]]:
    return cache["files"].get(path) or cache["retained"].get(path)


def _baseline(cache: Dict[str, Any], parent_path: Optional[str], fork_ts: Optional[int]) -> Optional[List[int]]:
    parent = _entry(cache, parent_path) if parent_path else None
    if parent is None or fork_ts is None or parent.get("unresolved"):
        return None
    return codex.counted_at(parent.get("rows") or [], fork_ts)


def _run_codex(env: Any, cache: Dict[str, Any], tasks: List[Task], deadline: Optional[float],
               progress: Optional[Progress], workers: Optional[int], task_limit: int) -> bool:
    """Parents before children: a child's parse needs the parent's counted totals at the fork."""
    head_sids: Dict[str, str] = {}
    for task in tasks:
        if task.state is not None:
            meta = task.state
        else:
            meta = _head(task.path)
        if meta.get("session_id"):
            head_sids.setdefault(meta["session_id"], task.path)
        if meta.get("forked_from") and not meta.get("subagent"):
            task.fork_parent, task.fork_ts = meta["forked_from"], meta.get("fork_ts")
    pending = list(tasks)
    while pending:
        pending_paths = {t.path for t in pending}
        sessions = _sessions(cache, head_sids)
        ready = [t for t in pending if not t.fork_parent or sessions.get(t.fork_parent) not in pending_paths]
        if not ready:
            ready = pending  # a fork cycle: nobody can go first, all fail closed
        for task in ready:
            if task.fork_parent and task.state is None:
                task.baseline = _baseline(cache, sessions.get(task.fork_parent), task.fork_ts)
            elif task.fork_parent and task.state is not None:
                task.baseline = task.state.get("baseline")
        if not _run("codex", cache, ready, deadline, progress, workers, task_limit):
            return False
        ready_paths = {t.path for t in ready}
        pending = [t for t in pending if t.path not in ready_paths]
    return True


def _revalidate_forks(env: Any, cache: Dict[str, Any], deadline: Optional[float],
                      progress: Optional[Progress], workers: Optional[int]) -> bool:
    """Re-parse children whose parent appeared, vanished or changed before the fork time."""
    sessions = _sessions(cache, {})
    redo: List[Task] = []
    for path, entry in cache["files"].items():
        state = entry.get("state") or {}
        parent = state.get("forked_from")
        if not parent or state.get("subagent"):
            continue
        want = _baseline(cache, sessions.get(parent), state.get("fork_ts"))
        have = state.get("baseline")
        if entry.get("unresolved") and want is None:
            continue
        if want != have:
            task = Task(path, entry["stat"][2])  # full reparse with the new baseline
            task.fork_parent, task.fork_ts, task.baseline = parent, state.get("fork_ts"), want
            redo.append(task)
    if not redo:
        return False
    _run("codex", cache, redo, deadline, progress, workers, -1)
    return True
