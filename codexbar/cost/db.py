"""The cost scan cache: one SQLite database per log family and set of log roots in
``<cache>/cost/`` (``claude-<roots hash>.sqlite``, 0600 in a 0700 folder).

Tables
  files  one row per log file we know (``fid``): identity (device, inode, size, mtime ns), bytes parsed so
         far (+ a fingerprint of the bytes before that offset), ``eof``, the Codex parser state,
         session id / fork facts, and ``retained`` once the file has disappeared (its rows stay:
         history outlives Claude Code's 30-day transcript cleanup).
  rows   one row per counted request of one file (``fid``). ``key`` is the cross-file dedup key
         (Claude ``msg:req``, NULL = never deduplicated; Codex the §3.4 tuple); among rows
         sharing a key the one with the smallest (rank, file path) is ``counted``.
  agg    Σ of counted rows per (provider, day, model): what reports read. Kept up to date
         incrementally for small changes (work ∝ changed rows) and rebuilt in bulk otherwise.

Costs are stored per row in nano-dollars (NULL = unpriced) and re-priced when the table changes.
"""

from __future__ import annotations

import marshal
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

SCHEMA = "cost-db-5-py%d.%d" % sys.version_info[:2]  # marshal'd state is tied to the Python version

# rows columns a..e: Claude input, cache read, cache create, 1h create, output;
#                    Codex  input (incl. cached), cached, 0, reasoning, output
ROW_COLS = "fid, key, rank, day, model, ts, vertex, a, b, c, d, e, cost, counted"

_DDL = """
CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS files(
  fid INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, dev INT, ino INT, size INT, mtime INT,
  parsed INT, eof INT, fp BLOB,
  state BLOB, session_id TEXT, is_fork INT DEFAULT 0, unresolved INT DEFAULT 0, first_ts INT,
  cwd TEXT, retained INT DEFAULT 0, gone_at INT);
CREATE INDEX IF NOT EXISTS files_session ON files(session_id);
CREATE TABLE IF NOT EXISTS rows(
  id INTEGER PRIMARY KEY, fid INT NOT NULL, key TEXT, rank INT NOT NULL, day TEXT NOT NULL,
  model TEXT NOT NULL, ts INT, vertex INT NOT NULL, a INT, b INT, c INT, d INT, e INT, cost INT,
  counted INT NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS rows_key ON rows(key);
CREATE INDEX IF NOT EXISTS rows_fid ON rows(fid);
CREATE TABLE IF NOT EXISTS blobs(k TEXT PRIMARY KEY, v BLOB);
CREATE TABLE IF NOT EXISTS agg(
  provider TEXT, day TEXT, model TEXT, a INT, b INT, c INT, d INT, e INT, cost INT,
  unpriced INT, n INT, retained INT, PRIMARY KEY(provider, day, model));
"""


def cost_dir(cache_dir: Path) -> Path:
    return cache_dir / "cost"


def db_path(cache_dir: Path, name: str) -> Path:
    return cost_dir(cache_dir) / (name + ".sqlite")


def _private(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        target = Path(str(path) + suffix)
        try:
            if target.exists() and target.stat().st_mode & 0o077:
                os.chmod(target, 0o600)
        except OSError:
            pass


def connect(cache_dir: Path, name: str, zone: str) -> sqlite3.Connection:
    """Open (creating or rebuilding when the schema or the time zone changed) a scan database."""
    from codexbar.access.files import ensure_private_dir

    ensure_private_dir(cost_dir(cache_dir))
    path = db_path(cache_dir, name)
    for attempt in (0, 1):
        try:
            # check_same_thread: a scan may be planned in one thread and run in another
            conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA synchronous=NORMAL")
            try:  # only the two keys this needs
                meta = dict(conn.execute("SELECT k, v FROM meta WHERE k IN ('schema', 'zone')"))
            except sqlite3.OperationalError as exc:
                if "no such table" not in str(exc):
                    raise
                meta = {}  # a new file
            if meta and (meta.get("schema") != SCHEMA or meta.get("zone") != zone):
                raise sqlite3.DatabaseError("stale cache")
            if not meta:
                conn.execute("PRAGMA journal_mode=WAL")  # stored in the file
                conn.executescript(_DDL)
                conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                 [("schema", SCHEMA), ("zone", zone), ("pricing", "")])
            _private(path)
            return conn
        except sqlite3.DatabaseError:
            # corrupt, another schema or another zone: the cache is only a cache — start over
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass
            for suffix in ("", "-wal", "-shm", "-journal"):
                try:
                    os.unlink(str(path) + suffix)
                except OSError:
                    pass
            if attempt:
                raise
    raise AssertionError("unreachable")


def begin_unjournaled(conn: sqlite3.Connection) -> None:
    """A cold build writes straight into the database file instead of through the WAL (every
    page would be written twice). Until ``end_unjournaled`` the schema key is absent, so a build
    cut short by a crash or an error reads as a stale cache on the next open and is rebuilt."""
    conn.execute("DELETE FROM meta WHERE k = 'schema'")
    conn.execute("PRAGMA journal_mode=OFF")  # stays WAL if it cannot switch: only slower
    conn.execute("PRAGMA synchronous=OFF")


def end_unjournaled(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("BEGIN")
    conn.execute("UPDATE meta SET v = v WHERE k = 'zone'")
    conn.execute("COMMIT")  # a synced commit: every page of the build is on disk …
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA,))  # … before this
    conn.execute("PRAGMA synchronous=NORMAL")


# -- part databases: a cold scan's rows, written by the pool workers ------------------------------
#
# A cold scan parses everything in worker processes; sending every row back to be inserted here
# would cost more than the insert itself (pickling, the pipe, unpickling). Instead each worker
# inserts its rows into a private part database next to the cache, and the main process copies
# all parts in one statement each (``absorb_parts``) before it builds the indexes.

_PART_ROWS = """CREATE TABLE IF NOT EXISTS rows(fid INT, key TEXT, rank INT, day TEXT, model TEXT, ts INT,
  vertex INT, a INT, b INT, c INT, d INT, e INT, cost INT, counted INT)"""
_PARTS: Dict[str, sqlite3.Connection] = {}   # worker side: part path → open connection
_PART_SEQ = [0]


def _main_file(conn: sqlite3.Connection) -> str:
    return next(row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main")


def _part_files(prefix: str) -> List[str]:
    folder, name = os.path.split(prefix)
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.startswith(name) and f.endswith(".sqlite"))


def part_prefix(conn: sqlite3.Connection) -> str:
    """A fresh name prefix for this scan's part databases; leftovers of a crashed scan (the
    caller holds the family's scan lock, so no other scan is writing any) are removed."""
    base = _main_file(conn)
    for stale in _part_files(base + ".part-"):
        try:
            os.unlink(stale)
        except OSError:
            pass
    _PART_SEQ[0] += 1
    return "%s.part-%d-%d-" % (base, os.getpid(), _PART_SEQ[0])


def part_insert(prefix: str, rows: List[tuple]) -> None:
    """Worker side: add table rows (``ROW_COLS``) to this process's part database."""
    path = "%s%d.sqlite" % (prefix, os.getpid())
    conn = _PARTS.get(path)
    if conn is None:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))  # private from the start
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=OFF")  # a scratch file: a scan that dies leaves it to be deleted
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute(_PART_ROWS)
        _PARTS[path] = conn
    if not conn.in_transaction:
        conn.execute("BEGIN")
    conn.executemany("INSERT INTO rows VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)


def part_commit() -> None:
    """Worker side, after each pool task: every row written so far is readable by the main process."""
    for conn in _PARTS.values():
        if conn.in_transaction:
            conn.execute("COMMIT")


def absorb_parts(conn: sqlite3.Connection, prefix: str) -> None:
    """Main side: copy every part's rows, then delete the parts.

    Only for a cold build (``begin_unjournaled``): a part can only be detached outside a
    transaction, so the scan's transaction is committed here and begun again — harmless while
    the schema key is missing (a build cut short is discarded whole).
    """
    paths = _part_files(prefix)
    if not paths:
        return
    conn.execute("COMMIT")
    try:
        for path in paths:
            conn.execute("ATTACH DATABASE ? AS part", (path,))
            try:
                conn.execute("INSERT INTO rows(%s) SELECT %s FROM part.rows" % (ROW_COLS, ROW_COLS))
            finally:
                conn.execute("DETACH DATABASE part")
            os.unlink(path)
    finally:
        conn.execute("BEGIN")


def get_meta(conn: sqlite3.Connection, key: str) -> Optional[str]:
    row = conn.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
    return row[0] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def known_files(conn: sqlite3.Connection) -> Dict[str, tuple]:
    """path → (stat tuple, parsed, eof, retained, fid); blobs are fetched only for files that changed.

    Read from the snapshot the last scan stored (one marshal blob: a re-scan that finds nothing
    new loads it in a few milliseconds), or from the files table when there is none.
    """
    snapshot = get_blob(conn, "files")
    if isinstance(snapshot, tuple) and len(snapshot) == 2:
        gen, known = snapshot
        if gen == generation(conn) and isinstance(known, dict):
            return known
    return known_files_table(conn)


def known_files_table(conn: sqlite3.Connection) -> Dict[str, tuple]:
    out = {}
    for path, dev, ino, size, mtime, parsed, eof, retained, fid in conn.execute(
            "SELECT path, dev, ino, size, mtime, parsed, eof, retained, fid FROM files"):
        out[path] = ((dev, ino, size, mtime), parsed, bool(eof), bool(retained), fid)
    return out


def get_blob(conn: sqlite3.Connection, key: str) -> Any:
    """A marshal'd value from the blobs table (None when missing or unreadable)."""
    row = conn.execute("SELECT v FROM blobs WHERE k = ?", (key,)).fetchone()
    if row is None:
        return None
    try:
        return marshal.loads(row[0])
    except (ValueError, EOFError, TypeError):
        return None


def set_blob(conn: sqlite3.Connection, key: str, value: Any) -> None:
    conn.execute("INSERT OR REPLACE INTO blobs VALUES (?, ?)", (key, marshal.dumps(value)))


def save_known(conn: sqlite3.Connection, known: Dict[str, tuple]) -> None:
    """Store ``known_files``' answer for the current generation (inside the scan's transaction)."""
    set_blob(conn, "files", (generation(conn), known))


def next_fid(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(MAX(fid), 0) + 1 FROM files").fetchone()[0])


def resume_point(conn: sqlite3.Connection, path: str) -> Tuple[Optional[bytes], Optional[bytes]]:
    """(fingerprint, parser state blob) of a file we are about to continue parsing."""
    row = conn.execute("SELECT fp, state FROM files WHERE path = ?", (path,)).fetchone()
    return (row[0], row[1]) if row else (None, None)


def generation(conn: sqlite3.Connection) -> int:
    return int(get_meta(conn, "generation") or 0)


def bump_generation(conn: sqlite3.Connection) -> None:
    set_meta(conn, "generation", str(generation(conn) + 1))
    conn.execute("DELETE FROM blobs WHERE k LIKE 'memo:%'")


def memo_get(conn: sqlite3.Connection, name: str) -> Any:
    """A derived result stored for the current generation (nothing changed since), else None."""
    memo = get_blob(conn, "memo:" + name)
    if not isinstance(memo, tuple) or len(memo) != 2:
        return None
    gen, value = memo
    return value if gen == generation(conn) else None


def memo_set(conn: sqlite3.Connection, name: str, value: Any) -> None:
    try:
        set_blob(conn, "memo:" + name, (generation(conn), value))
    except sqlite3.OperationalError:
        pass  # another process is writing: the memo is only a shortcut


def load_state(blob: Optional[bytes]) -> Optional[Dict[str, Any]]:
    return marshal.loads(blob) if blob else None


def dump_state(state: Optional[Dict[str, Any]]) -> Optional[bytes]:
    return marshal.dumps(state) if state is not None else None


# -- incremental bookkeeping ---------------------------------------------------------------------

_AGG_SQL = """INSERT INTO agg VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
ON CONFLICT(provider, day, model) DO UPDATE SET a=a+excluded.a, b=b+excluded.b, c=c+excluded.c,
  d=d+excluded.d, e=e+excluded.e, cost=cost+excluded.cost, unpriced=unpriced+excluded.unpriced,
  n=n+excluded.n, retained=retained+excluded.retained"""


def provider_of(family: str, vertex: int) -> str:
    return "codex" if family == "codex" else ("vertexai" if vertex else "claude")


def _bump(conn: sqlite3.Connection, family: str, rows: Iterable[tuple], sign: int) -> None:
    """Add (sign=1) or remove (sign=-1) counted rows ``(id, day, model, vertex, a..e, cost, retained)``."""
    batch = []
    for _id, day, model, vertex, a, b, c, d, e, cost, retained in rows:
        batch.append((provider_of(family, vertex), day, model, sign * a, sign * b, sign * c, sign * d,
                      sign * e, sign * (cost or 0), sign * (1 if cost is None else 0), sign,
                      sign * (1 if retained else 0)))
    if batch:
        conn.executemany(_AGG_SQL, batch)


_COUNTED_SELECT = ("SELECT r.id, r.day, r.model, r.vertex, r.a, r.b, r.c, r.d, r.e, r.cost, f.retained "
                   "FROM rows r JOIN files f ON f.fid = r.fid ")


def _chunks(items: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def uncount_keys(conn: sqlite3.Connection, family: str, keys: Sequence[str]) -> None:
    for part in _chunks(keys):
        marks = ",".join("?" * len(part))
        rows = conn.execute(_COUNTED_SELECT + "WHERE r.counted = 1 AND r.key IN (%s)" % marks, part).fetchall()
        _bump(conn, family, rows, -1)
        conn.executemany("UPDATE rows SET counted = 0 WHERE id = ?", [(r[0],) for r in rows])


def count_keys(conn: sqlite3.Connection, family: str, keys: Sequence[str]) -> None:
    """Mark the winner of each key counted (smallest rank, then path) and add it to agg."""
    for part in _chunks(keys):
        marks = ",".join("?" * len(part))
        best: Dict[str, tuple] = {}
        for row in conn.execute(
                "SELECT r.key, r.rank, f.path, r.id, r.day, r.model, r.vertex, r.a, r.b, r.c, r.d, r.e, "
                "r.cost, f.retained FROM rows r JOIN files f ON f.fid = r.fid WHERE r.key IN (%s)" % marks, part):
            current = best.get(row[0])
            if current is None or (row[1], row[2]) < (current[1], current[2]):
                best[row[0]] = row
        winners = [r[3:] for r in best.values()]
        _bump(conn, family, winners, 1)
        conn.executemany("UPDATE rows SET counted = 1 WHERE id = ?", [(r[0],) for r in winners])


def uncount_file_unkeyed(conn: sqlite3.Connection, family: str, fid: int) -> None:
    rows = conn.execute(_COUNTED_SELECT + "WHERE r.fid = ? AND r.key IS NULL AND r.counted = 1", (fid,)).fetchall()
    _bump(conn, family, rows, -1)


def set_retained(conn: sqlite3.Connection, family: str, fid: int, retained: bool, now_ms: int,
                 incremental: bool) -> None:
    """A file vanished (retained) or came back; its counted rows move in/out of agg.retained."""
    if incremental:
        rows = conn.execute(_COUNTED_SELECT + "WHERE r.fid = ? AND r.counted = 1", (fid,)).fetchall()
        _bump(conn, family, rows, -1)
    conn.execute("UPDATE files SET retained = ?, gone_at = ? WHERE fid = ?",
                 (1 if retained else 0, now_ms if retained else None, fid))
    if incremental:
        rows = conn.execute(_COUNTED_SELECT + "WHERE r.fid = ? AND r.counted = 1", (fid,)).fetchall()
        _bump(conn, family, rows, 1)


def partial_agg(family: str, rows: Iterable[tuple]) -> Dict[tuple, List[int]]:
    """Σ of table rows (``ROW_COLS``) per agg group: [a, b, c, d, e, cost, unpriced, n]."""
    groups: Dict[tuple, List[tuple]] = {}
    for r in rows:  # a file has few groups: sort rows into them, then sum whole columns
        group = (r[6], r[3], r[4])  # vertex, day, model
        members = groups.get(group)
        if members is None:
            groups[group] = [r]
        else:
            members.append(r)
    out: Dict[tuple, List[int]] = {}
    for (vertex, day, model), members in groups.items():
        columns = list(zip(*members))
        costs = columns[12]
        unpriced = costs.count(None)
        cost = sum(c for c in costs if c is not None) if unpriced else sum(costs)
        out[(provider_of(family, vertex), day, model)] = [
            sum(columns[7]), sum(columns[8]), sum(columns[9]), sum(columns[10]), sum(columns[11]),
            cost, unpriced, len(members)]
    return out


def merge_agg(into: Dict[tuple, List[int]], part: Dict[tuple, List[int]]) -> None:
    for group, values in part.items():
        s = into.get(group)
        if s is None:
            into[group] = list(values)
        else:
            for i, v in enumerate(values):
                s[i] += v


def rebuild_counts(conn: sqlite3.Connection, family: str, all_counted: bool = False,
                   sums: Optional[Dict[tuple, List[int]]] = None) -> None:
    """Bulk: recompute every winner and the whole agg table (cold scans, big changes).

    Every row starts counted (``all_counted``: rows were inserted that way); then only the keys
    held by more than one row — a few percent — are resolved, in Python, to the row with the
    smallest (rank, path). ``sums`` (a cold scan: nothing retained, every row inserted once and
    counted) is Σ of all rows per group; the losers are taken off it instead of re-summing in SQL.
    """
    if not all_counted:
        conn.execute("UPDATE rows SET counted = 1 WHERE counted = 0")
    best: Dict[str, tuple] = {}
    losers = []
    for row in conn.execute(
            """SELECT r.key, r.rank, f.path, r.id, r.day, r.model, r.vertex, r.a, r.b, r.c, r.d, r.e, r.cost
               FROM (SELECT key FROM rows WHERE key IS NOT NULL GROUP BY key HAVING COUNT(*) > 1) d
               JOIN rows r ON r.key = d.key JOIN files f ON f.fid = r.fid"""):
        current = best.get(row[0])
        if current is None:
            best[row[0]] = row
        elif (row[1], row[2]) < current[1:3]:
            losers.append(current)
            best[row[0]] = row
        else:
            losers.append(row)
    conn.executemany("UPDATE rows SET counted = 0 WHERE id = ?", [(r[3],) for r in losers])
    conn.execute("DELETE FROM agg")
    if sums is not None:
        totals = {group: list(values) for group, values in sums.items()}
        for r in losers:
            s = totals[(provider_of(family, r[6]), r[4], r[5])]
            for i, v in enumerate(r[7:12]):
                s[i] -= v
            if r[12] is None:
                s[6] -= 1
            else:
                s[5] -= r[12]
            s[7] -= 1
        conn.executemany("INSERT INTO agg VALUES (?,?,?,?,?,?,?,?,?,?,?,0)",
                         [group + tuple(values) for group, values in totals.items() if values[7]])
        return
    provider = "'codex'" if family == "codex" else "CASE WHEN r.vertex THEN 'vertexai' ELSE 'claude' END"
    if conn.execute("SELECT 1 FROM files WHERE retained = 1 LIMIT 1").fetchone():
        retained, join = "SUM(f.retained)", "JOIN files f ON f.fid = r.fid"
    else:
        retained, join = "0", ""  # nothing retained: no per-row lookup into files
    conn.execute("""INSERT INTO agg SELECT %s, r.day, r.model, SUM(r.a), SUM(r.b), SUM(r.c), SUM(r.d),
        SUM(r.e), COALESCE(SUM(r.cost), 0), SUM(r.cost IS NULL), COUNT(*), %s
        FROM rows r %s WHERE r.counted = 1
        GROUP BY 1, r.day, r.model""" % (provider, retained, join))


def agg_days(conn: sqlite3.Connection, provider: str, since: str, until: str) -> List[tuple]:
    return conn.execute("SELECT day, model, a, b, c, d, e, cost, unpriced, n, retained FROM agg "
                        "WHERE provider = ? AND day BETWEEN ? AND ? AND n > 0", (provider, since, until)).fetchall()


def clear(cache_dir: Path) -> int:
    """Delete every cost cache file; returns how many were removed."""
    import shutil

    folder = cost_dir(cache_dir)
    if not folder.exists():
        return 0
    count = sum(1 for item in folder.rglob("*") if item.is_file())
    shutil.rmtree(folder)
    return count
