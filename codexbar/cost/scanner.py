"""Incremental, parallel scan of one log family ("claude" or "codex") into the cost database.

Per file (cost-usage.md §7): same identity, size and mtime → nothing to do; same inode and
larger, with the bytes before the last parsed offset unchanged → parse only the appended bytes,
resuming the parser state; anything else (truncated, rewritten, replaced) → parse the whole
file again. Files that disappear keep their rows as retained history. Parsing is CPU-bound and
per file, so it runs in a process pool (largest files first, a bounded number in flight so
memory stays flat); the main process only writes results to SQLite.
"""

from __future__ import annotations

import os
import sqlite3
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from codexbar.cost import db, discover
from codexbar.cost.pricing import load as load_pricing
from codexbar.cost.timeutil import sync_zone

FINGERPRINT = 64
PARALLEL_MIN_BYTES = 8 << 20
BULK_BYTES = 64 << 20      # past this much new work, recount everything at the end instead
BULK_FILES = 256
BATCH_BYTES = 4 << 20      # pool tasks: about this many bytes …
BATCH_FILES = 64           # … or this many files
Progress = Callable[[int, int], None]


# -- worker side (runs in pool processes; module-level so it pickles) --------------------------


def parse_file(family: str, path: str, start: int, state: Optional[Dict[str, Any]],
               fingerprint: Optional[bytes], baseline: Optional[List[int]],
               limit: int = -1, fid: int = 0, count_all: bool = False,
               sink: Optional[str] = None) -> Dict[str, Any]:
    """Parse ``path`` from ``start`` (or from 0 when the bytes before ``start`` changed).

    ``fid`` is the file's id in the database; ``count_all`` marks every row counted (a bulk
    scan settles the duplicates afterwards) instead of only the rows without a dedup key.
    ``sink`` (cold scans in a pool): write the rows into this worker's part database
    (``db.part_insert``) instead of returning them; the main process copies every part at the end.
    """
    # the parsers load here, in the workers: a re-scan that finds nothing new never needs them
    from codexbar.cost import claude, codex
    from codexbar.cost.lines import CHUNK, iter_chunks

    pricing = load_pricing()
    try:
        handle = open(path, "rb", buffering=0)  # whole chunks at a time: no buffer in between
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
        new_state = None
        chunk = CHUNK if limit < 0 else max(64 << 10, min(CHUNK, limit))  # stop near the limit
        if family == "claude":
            file_rows = claude.FileRows(fid, 1 if "/subagents/" in path else 0, count_all)
            max_line = claude.MAX_LINE

            def feed(data: Any) -> None:
                claude.parse_chunk(data, pricing, file_rows)
        else:
            reducer = codex.Reducer.from_state(state) if state else codex.Reducer(baseline)
            max_line = codex.MAX_LINE

            def feed(data: Any) -> None:
                reducer.feed_chunk(data, pricing, rows)
        for data, end in iter_chunks(handle, start, max_line, chunk, st.st_size):  # one call per chunk
            feed(data)
            parsed = end
            if 0 <= limit <= end - start:
                eof = False
                break
        if family == "claude":
            rows = file_rows.rows()
        else:
            new_state = reducer.to_state()
        handle.seek(max(0, parsed - FINGERPRINT))
        fp = handle.read(min(FINGERPRINT, parsed))
    table_rows = db_rows(family, path, rows, new_state, fid, count_all) if billable(family, new_state) else []
    agg = db.partial_agg(family, table_rows) if count_all else None
    if sink is not None and table_rows:
        db.part_insert(sink, table_rows)
        table_rows = []
    return {"rows": table_rows, "agg": agg, "state": new_state, "parsed": parsed,
            "fp": fp, "restarted": restarted, "eof": eof,
            "stat": (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)}


def parse_batch(batch: List[Tuple[Any, ...]]) -> List[Dict[str, Any]]:
    """Several small files per pool task: per-task overhead would dominate otherwise."""
    try:
        return [parse_file(*args) for args in batch]
    finally:
        db.part_commit()  # the main process reads the parts once every task has returned


def db_rows(family: str, path: str, rows: List[tuple], state: Optional[Dict[str, Any]], fid: int = 0,
            count_all: bool = False) -> List[tuple]:
    """Parser rows → ``rows`` table tuples (``db.ROW_COLS``); built in the worker process.
    Claude's parser builds them in that shape already."""
    from codexbar.cost import codex

    if family == "claude":
        return rows
    sid = (state or {}).get("session_id") or path
    counted = 1 if count_all else 0  # every Codex row has a key
    out = []
    for r in rows:
        key = "\x1f".join((sid, r[codex.TURN], str(r[codex.INDEX]), r[codex.DAY], r[codex.MODEL],
                           str(r[codex.INPUT]), str(r[codex.CACHED]), str(r[codex.OUTPUT])))
        out.append((fid, key, 0, r[codex.DAY], r[codex.MODEL], r[codex.TS], 0, r[codex.INPUT],
                    r[codex.CACHED], 0, r[codex.REASONING], r[codex.OUTPUT], r[codex.COST], counted))
    return out


# -- main side ---------------------------------------------------------------------------------


class Task:
    __slots__ = ("path", "fid", "start", "state", "fp", "baseline", "size")

    def __init__(self, path: str, size: int, fid: int = 0) -> None:
        self.path = path
        self.fid = fid
        self.size = size
        self.start = 0
        self.state: Optional[Dict[str, Any]] = None
        self.fp: Optional[bytes] = None
        self.baseline: Optional[List[int]] = None


class ScanResult:
    """An open database after a scan; ``complete`` is False when a budget cut the scan short."""

    def __init__(self, conn: sqlite3.Connection, family: str, complete: bool, changed: bool) -> None:
        self.conn = conn
        self.family = family
        self.complete = complete
        self.changed = changed

    def close(self) -> None:
        self.conn.close()


def roots_for(env: Any, family: str) -> List[Any]:
    return discover.claude_roots(env) if family == "claude" else discover.codex_roots(env)


def store_name(env: Any, family: str) -> str:
    """One database per family *and* set of log roots: pointing CLAUDE_CONFIG_DIR or CODEX_HOME
    elsewhere must not make the other folder's files look deleted (retained), and switching back
    finds its history again."""
    roots = "\n".join(os.path.realpath(str(r)) for r in roots_for(env, family))
    return "%s-%s" % (family, _sha256(roots.encode("utf-8", "surrogateescape"))[:12])


def _sha256(data: bytes) -> str:
    # The interpreter's built-in SHA-256 (same digest as hashlib's): importing hashlib loads
    # OpenSSL, a few milliseconds of a re-scan that finds nothing new.
    try:
        from _sha2 import sha256  # type: ignore[import-not-found]  # Python 3.12+
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found,no-redef]
        except ImportError:
            from hashlib import sha256  # type: ignore[no-redef]
    return sha256(data).hexdigest()


def db_file(env: Any, family: str) -> Any:
    return db.db_path(env.cache_dir, store_name(env, family))


class Plan:
    """What one scan will do: the open database and the files to (re)parse."""

    def __init__(self, conn: sqlite3.Connection, family: str, pricing: Any, tasks: List[Task],
                 gone: List[str], known: Dict[str, tuple], repriced: bool, now_ms: int) -> None:
        self.conn = conn
        self.family = family
        self.pricing = pricing
        self.tasks = tasks
        self.gone = gone
        self.known = known
        self.repriced = repriced
        self.now_ms = now_ms
        self.work = sum(t.size - t.start for t in tasks)

    def wants_pool(self, workers: Optional[int] = None) -> bool:
        """Worth worker processes (the same test ``_run`` applies)?"""
        return ((workers or os.cpu_count() or 1) > 1 and len(self.tasks) > 1
                and self.work >= PARALLEL_MIN_BYTES and _pool_safe())


def plan(env: Any, family: str, now_ms: Optional[int] = None) -> Plan:
    """Open the family's database and compare it with the logs on disk (no parsing yet)."""
    pricing = load_pricing()
    conn = db.connect(env.cache_dir, store_name(env, family), sync_zone())
    try:
        now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
        listings = db.get_blob(conn, "dirs")
        listings = listings if isinstance(listings, dict) else {}
        found, relisted = discover.walk(roots_for(env, family), listings)
        if relisted:
            db.set_blob(conn, "dirs", listings)
        known = db.known_files(conn)
        repriced = db.get_meta(conn, "pricing") != pricing.digest
        tasks: List[Task] = []
        fid = db.next_fid(conn)
        for path, stat in found.items():
            info = known.get(path)
            if info is not None and not info[3] and info[0] == stat and info[2]:
                continue
            if info is not None:
                task = Task(path, stat[2], info[4])
            else:
                task = Task(path, stat[2], fid)
                fid += 1
            if info is not None and not info[3]:
                old, parsed, eof = info[0], info[1], info[2]
                # grew (same file, larger) or an unfinished earlier scan: continue after the parsed
                # bytes (the worker re-checks the bytes before that offset); else parse it all again
                if old[:2] == stat[:2] and parsed > 0 and (stat[2] > old[2] or (old == stat and not eof)):
                    fp, state = db.resume_point(conn, path)
                    task.start, task.fp, task.state = parsed, fp, db.load_state(state)
            tasks.append(task)
        gone = [p for p, info in known.items() if p not in found and not info[3]]
    except BaseException:
        conn.close()
        raise
    return Plan(conn, family, pricing, tasks, gone, known, repriced, now_ms)


def scan(env: Any, family: str, *, deadline: Optional[float] = None, progress: Optional[Progress] = None,
         workers: Optional[int] = None, task_limit: int = -1, now_ms: Optional[int] = None,
         pool: Optional["SharedPool"] = None) -> ScanResult:
    """Bring the family's database (``store_name``) up to date with the logs on disk.

    ``deadline`` (time.monotonic()) stops scheduling new work; finished files are kept and the
    result says ``complete=False`` (the next scan resumes). Callers hold the scan lock.
    """
    return execute(plan(env, family, now_ms), deadline=deadline, progress=progress, workers=workers,
                   task_limit=task_limit, pool=pool)


def execute(work: Plan, *, deadline: Optional[float] = None, progress: Optional[Progress] = None,
            workers: Optional[int] = None, task_limit: int = -1,
            pool: Optional["SharedPool"] = None) -> ScanResult:
    """Carry out a plan. ``pool`` lets the scans of both families (run in two threads) share
    one set of worker processes, so neither core idles while one family finishes up."""
    conn, family, tasks, known, pricing = work.conn, work.family, work.tasks, work.known, work.pricing
    bulk = work.repriced or not known or work.work > BULK_BYTES or len(tasks) > BULK_FILES
    changed = bool(tasks or work.gone or work.repriced)
    complete = True
    unjournaled = not known and bool(tasks)
    if unjournaled:
        db.begin_unjournaled(conn)
    conn.execute("BEGIN")
    try:
        if work.repriced:
            _reprice(conn, family, pricing)
            db.set_meta(conn, "pricing", pricing.digest)
        for path in work.gone:
            db.set_retained(conn, family, known[path][4], True, work.now_ms, incremental=not bulk)
        applier = _Applier(conn, family, bulk, set(known))
        cold = not known
        if cold:  # building indexes once at the end beats maintaining them row by row
            conn.execute("DROP INDEX IF EXISTS rows_key")
            conn.execute("DROP INDEX IF EXISTS rows_fid")
            applier.sink = db.part_prefix(conn)
        if family == "codex":
            for task in tasks:
                if task.state is not None:  # an append: a fork keeps the baseline it started with
                    task.baseline = task.state.get("baseline")
        complete = _run(family, applier, tasks, deadline, progress, workers, task_limit, pool)
        if applier.sink is not None:
            # the workers' rows, also of a scan a deadline cut short (parts an error left behind
            # are removed by the next cold scan: the database without its schema key is rebuilt)
            db.absorb_parts(conn, applier.sink)
            applier.sink = None
        if cold:
            conn.execute("CREATE INDEX IF NOT EXISTS rows_key ON rows(key)")
            conn.execute("CREATE INDEX IF NOT EXISTS rows_fid ON rows(fid)")
        if family == "codex" and complete:
            _revalidate_forks(conn, applier, deadline, progress, workers, pool)
        if bulk:
            # bulk inserts count every row; a cold scan also knows every row's sum already
            db.rebuild_counts(conn, family, all_counted=cold,
                              sums=applier.sums if cold and applier.sums_exact else None)
        if changed:
            db.bump_generation(conn)  # invalidates memoised derived results
            known_now = dict(known)
            for path in work.gone:
                info = known_now[path]
                known_now[path] = info[:3] + (True,) + info[4:]
            known_now.update(applier.updates)
            db.save_known(conn, known_now)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")  # unjournaled, rows may stay: the missing schema key discards them
        conn.close()
        raise
    if unjournaled:
        db.end_unjournaled(conn)
    if conn.execute("SELECT 1 FROM files WHERE eof = 0 AND retained = 0 LIMIT 1").fetchone():
        complete = False
    return ScanResult(conn, family, complete, changed)


def _reprice(conn: sqlite3.Connection, family: str, pricing: Any) -> None:
    """A changed price table: new costs from stored tokens, no reparse."""
    updates = []
    for rid, model, ts, a, b, c, d, e in conn.execute("SELECT id, model, ts, a, b, c, d, e FROM rows"):
        if family == "claude":
            cost = pricing.claude_cost(model, ts, a, b, c, d, e)
        else:
            cost = pricing.codex_cost(model, ts, a, b, e)
        updates.append((cost, rid))
    conn.executemany("UPDATE rows SET cost = ? WHERE id = ?", updates)


class _Applier:
    """Writes one parse result into the database and keeps winners/aggregates current."""

    def __init__(self, conn: sqlite3.Connection, family: str, bulk: bool, known: Any) -> None:
        self.conn = conn
        self.family = family
        self.bulk = bulk
        self.known = known  # paths that may already have rows
        self.files: List[tuple] = []  # files rows not written yet
        # bulk: Σ of every inserted row per agg group, from the workers; exact while no row
        # was deleted or replaced (then the aggregate is recounted in SQL)
        self.sums: Dict[tuple, List[int]] = {}
        self.sums_exact = bulk
        self.updates: Dict[str, tuple] = {}  # path → db.known_files entry after this scan
        self.sink: Optional[str] = None  # cold scans: part databases the workers write rows to

    def flush(self) -> None:
        if self.files:
            self.conn.executemany("""INSERT OR REPLACE INTO files(fid, path, dev, ino, size, mtime, parsed, eof,
                                     fp, state, session_id, is_fork, unresolved, first_ts, cwd, retained, gone_at)
                                     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,NULL)""", self.files)
            self.files = []

    def apply(self, task: Task, result: Dict[str, Any]) -> None:
        conn, family, path, fid = self.conn, self.family, task.path, task.fid
        state = result["state"]
        new = result["rows"]  # already table tuples (db_rows ran in the worker)
        fork = family == "codex" and _is_fork(state)
        unresolved = not billable(family, state)  # the worker returned no rows for it
        appending = task.start > 0 and not result["restarted"]
        fresh = path not in self.known  # a file never seen before has no rows to replace
        self.known.add(path)
        new_keys: List[str] = []
        if not self.bulk or (appending and family == "claude"):
            new_keys = list({r[1] for r in new if r[1] is not None})
        affected: List[str] = []
        if not self.bulk:
            affected = new_keys
            if not appending and not fresh:
                old = [k for (k,) in conn.execute(
                    "SELECT DISTINCT key FROM rows WHERE fid = ? AND key IS NOT NULL", (fid,))]
                affected = list(set(old) | set(new_keys))
            db.uncount_keys(conn, family, affected)
            if not appending and not fresh:
                db.uncount_file_unkeyed(conn, family, fid)
        st = result["stat"]
        self.updates[path] = ((st[0], st[1], st[2], st[3]), result["parsed"], bool(result["eof"]), False, fid)
        self.files.append((fid, path, st[0], st[1], st[2], st[3], result["parsed"], 1 if result["eof"] else 0,
                           result["fp"], db.dump_state(state), (state or {}).get("session_id"),
                           1 if fork else 0, 1 if unresolved else 0, (state or {}).get("first_ts"),
                           (state or {}).get("cwd")))
        if not self.bulk or len(self.files) >= 512:  # bulk: one statement per few hundred files
            self.flush()
        if self.bulk:
            if appending or not fresh:
                self.sums_exact = False
            elif result.get("agg"):
                db.merge_agg(self.sums, result["agg"])
        if appending:
            if family == "claude" and new_keys:
                for part in db._chunks(new_keys):  # the file's newer line for a key replaces the older
                    conn.execute("DELETE FROM rows WHERE fid = ? AND key IN (%s)" % ",".join("?" * len(part)),
                                 [fid] + list(part))
        elif not fresh:
            conn.execute("DELETE FROM rows WHERE fid = ?", (fid,))
        conn.executemany("INSERT INTO rows(%s) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)" % db.ROW_COLS, new)
        if not self.bulk:
            db.count_keys(conn, family, affected)
            loose = [(0, r[3], r[4], r[6], r[7], r[8], r[9], r[10], r[11], r[12], 0) for r in new if r[1] is None]
            db._bump(conn, family, loose, 1)


class SharedPool:
    """One process pool for concurrent scans (created on first use; thread-safe submits)."""

    def __init__(self, workers: Optional[int] = None, first: Optional[str] = None) -> None:
        import threading

        self.workers = workers or os.cpu_count() or 1
        self._executor: Any = None
        self._lock = threading.Lock()
        # ``first`` (the family with the most to parse) gets the workers to itself; the others
        # start submitting once its queue is empty, so their parsing fills the time the first
        # family spends on its own database work at the end.
        self.first = first
        self.first_queued = threading.Event()
        if first is None:
            self.first_queued.set()

    def wait_turn(self, family: str, deadline: Optional[float]) -> None:
        if family != self.first:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            self.first_queued.wait(timeout)

    def queued(self, family: str) -> None:
        if family == self.first:
            self.first_queued.set()

    def executor(self) -> Any:
        with self._lock:
            if self._executor is None:
                from concurrent.futures import ProcessPoolExecutor

                self._executor = ProcessPoolExecutor(max_workers=self.workers)
            return self._executor

    def start(self) -> None:
        """Create the worker processes now. Under "fork" this must happen before the caller
        starts threads: a child forked while another thread holds a lock inherits it held."""
        import multiprocessing

        pool = self.executor()
        method = multiprocessing.get_start_method(allow_none=True) or multiprocessing.get_all_start_methods()[0]
        if method == "fork":
            pool.submit(int).result()  # the first submit forks every worker

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None


def _run(family: str, applier: _Applier, tasks: List[Task], deadline: Optional[float],
         progress: Optional[Progress], workers: Optional[int], task_limit: int,
         shared: Optional[SharedPool] = None) -> bool:
    """Parse ``tasks`` (in a pool when worth it) and apply results; False if cut short."""
    try:
        return _parse_and_apply(family, applier, tasks, deadline, progress, workers, task_limit, shared)
    finally:
        applier.flush()


def _parse_and_apply(family: str, applier: _Applier, tasks: List[Task], deadline: Optional[float],
                     progress: Optional[Progress], workers: Optional[int], task_limit: int,
                     shared: Optional[SharedPool]) -> bool:
    if not tasks:
        return True
    tasks.sort(key=lambda t: -(t.size - t.start))
    total = sum(t.size - t.start for t in tasks) or 1
    done = 0
    workers = shared.workers if shared is not None else (workers or os.cpu_count() or 1)

    def finish(task: Task, result: Dict[str, Any]) -> None:
        nonlocal done
        done += task.size - task.start
        if progress is not None:
            progress(done, total)
        if "error" not in result:  # vanished or unreadable since discovery: next scan decides
            applier.apply(task, result)

    def args(t: Task, sink: Optional[str] = None) -> Tuple[Any, ...]:
        return (family, t.path, t.start, t.state, t.fp, t.baseline, task_limit, t.fid, applier.bulk, sink)

    if workers <= 1 or len(tasks) == 1 or total < PARALLEL_MIN_BYTES or not _pool_safe():
        for task in tasks:
            if deadline is not None and time.monotonic() > deadline:
                return False
            finish(task, parse_file(*args(task)))
        return True
    sink = applier.sink  # cold: workers keep their rows (no pickling, inserts off this process)
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from contextlib import nullcontext

    batches: List[List[Task]] = []
    for task in tasks:  # largest first; small files share a task
        if batches and sum(t.size - t.start for t in batches[-1]) + task.size - task.start <= BATCH_BYTES \
                and len(batches[-1]) < BATCH_FILES:
            batches[-1].append(task)
        else:
            batches.append([task])
    queue = list(reversed(batches))  # pop() takes the largest first
    window = 2 * workers             # results are held until applied: keep few in flight
    complete = True
    if shared is not None:
        shared.wait_turn(family, deadline)
    with (nullcontext(shared.executor()) if shared is not None
          else ProcessPoolExecutor(max_workers=min(workers, len(batches)))) as pool:
        running: Dict[Any, List[Task]] = {}
        while queue or running:
            while queue and len(running) < window and complete:
                batch = queue.pop()
                running[pool.submit(parse_batch, [args(t, sink) for t in batch])] = batch
            if shared is not None and not queue:
                shared.queued(family)
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            finished, _ = wait(running, timeout=timeout, return_when=FIRST_COMPLETED)
            if not finished:
                complete = False  # over budget: finish what is running, start nothing new
                finished, _ = wait(running)
            for future in finished:
                for task, result in zip(running.pop(future), future.result()):
                    finish(task, result)
    return complete


def _pool_safe() -> bool:
    """Can worker processes start without re-running our caller's top-level code?

    Under "spawn"/"forkserver" (macOS default) each worker re-imports ``__main__``: harmless for
    ``python -m codexbar …`` and for the ``codexbar`` console script (both keep their work under
    an ``if __name__ == "__main__":`` guard), not for a plugin script that calls ``run()`` at
    top level.
    """
    import multiprocessing
    import sys

    method = multiprocessing.get_start_method(allow_none=True) or multiprocessing.get_all_start_methods()[0]
    if method == "fork":
        return True
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:
        return True
    path = getattr(main, "__file__", None)
    if not path:
        return True  # ``python -c``/interactive: a worker has no file to run again
    try:
        with open(path, "rb") as handle:
            source = handle.read(64 << 10)
    except OSError:
        return False
    import re

    return re.search(rb"""^if\s+__name__\s*==\s*["']__main__["']\s*:""", source, re.MULTILINE) is not None


# -- Codex forks (§3.5) ----------------------------------------------------------------------


def billable(family: str, state: Optional[Dict[str, Any]]) -> bool:
    """§3.5 fail closed: a Codex fork whose parent is not known yet bills nothing (first scans
    parse forks as if parentless; ``_revalidate_forks`` parses them again with the baseline)."""
    return not (family == "codex" and _is_fork(state) and state.get("baseline") is None)  # type: ignore[union-attr]


def _is_fork(state: Optional[Dict[str, Any]]) -> bool:
    return bool(state) and bool(state.get("forked_from")) and not state.get("subagent")  # type: ignore[union-attr]


def _baseline(conn: sqlite3.Connection, parent_path: Optional[str], fork_ts: Optional[int]) -> Optional[List[int]]:
    if parent_path is None or fork_ts is None:
        return None
    flags = conn.execute("SELECT unresolved, fid FROM files WHERE path = ?", (parent_path,)).fetchone()
    if flags is None or flags[0]:
        return None
    a, b, e, d = conn.execute("SELECT COALESCE(SUM(a),0), COALESCE(SUM(b),0), COALESCE(SUM(e),0), "
                              "COALESCE(SUM(d),0) FROM rows WHERE fid = ? AND ts <= ?",
                              (flags[1], fork_ts)).fetchone()
    return [a, b, e, d]


def _revalidate_forks(conn: sqlite3.Connection, applier: _Applier, deadline: Optional[float],
                      progress: Optional[Progress], workers: Optional[int],
                      shared: Optional[SharedPool] = None) -> None:
    """Re-parse fork children whose parent appeared, vanished or changed before the fork time
    (first scans parse every file as if it had no parent: forks are rare); repeated so a fork
    of a fork sees its parent's final rows."""
    for _ in range(16):  # fork chains deeper than this are left as they are
        redo: List[Task] = []
        for fid, path, size, blob in conn.execute(
                "SELECT fid, path, size, state FROM files WHERE is_fork = 1 AND retained = 0").fetchall():
            state = db.load_state(blob) or {}
            parent = conn.execute("SELECT path FROM files WHERE session_id = ? AND path != ? ORDER BY path LIMIT 1",
                                  (state.get("forked_from"), path)).fetchone()
            want = _baseline(conn, parent[0] if parent else None, state.get("fork_ts"))
            if want != state.get("baseline"):
                task = Task(path, size, fid)  # full reparse with the new baseline
                task.baseline = want
                redo.append(task)
        if not redo:
            return
        _run("codex", applier, redo, deadline, progress, workers, -1, shared)
