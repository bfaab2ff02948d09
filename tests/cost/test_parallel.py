"""The process pool: same answers as a serial scan, and never re-runs a plugin script."""

from __future__ import annotations

import subprocess
import sys

from codexbar.cost import db, scanner, service


def test_pool_and_serial_scans_agree(logs, env, monkeypatch):
    monkeypatch.setattr(scanner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(scanner, "BATCH_FILES", 1)  # one file per pool task
    pooled = [service.cost_report(env(), p, 90, workers=2) for p in ("claude", "codex")]
    db.clear(env().cache_dir)
    serial = [service.cost_report(env(), p, 90, workers=1) for p in ("claude", "codex")]
    assert pooled == serial
    assert pooled[0]["last30DaysTokens"] == 223599 + 200


def test_pool_workers_rows_arrive_through_private_part_files(logs, env, monkeypatch):
    """A cold pool scan: workers write rows to part databases (0600) that the main process
    copies and deletes; parts a crashed scan left behind are removed, never read."""
    import os
    import stat

    monkeypatch.setattr(scanner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(scanner, "BATCH_FILES", 1)
    path = scanner.db_file(env(), "claude")
    path.parent.mkdir(parents=True, exist_ok=True)
    stale = path.parent / (path.name + ".part-1-1-99999.sqlite")
    stale.write_bytes(b"left by a crashed scan")  # not even a database: must not be opened
    report = service.cost_report(env(), "claude", 90, workers=2)
    assert report["last30DaysTokens"] == 223599 + 200
    assert not stale.exists()
    assert [p.name for p in path.parent.iterdir() if ".part-" in p.name] == []
    db.clear(env().cache_dir)
    assert service.cost_report(env(), "claude", 90, workers=1) == report

    # the part file itself: private from its creation, readable once committed
    conn = db.connect(env().cache_dir, "parts-test", "UTC")
    prefix = db.part_prefix(conn)
    row = (1, "m:r", 0, "2026-08-03", "claude-haiku-4-5", 0, 0, 1, 2, 3, 0, 4, 5, 1)
    umask = os.umask(0o022)  # a usual umask would leave new files readable by others
    try:
        db.part_insert(prefix, [row])
    finally:
        os.umask(umask)
    part = "%s%d.sqlite" % (prefix, os.getpid())
    assert stat.S_IMODE(os.stat(part).st_mode) == 0o600
    db.part_commit()
    conn.execute("BEGIN")
    db.absorb_parts(conn, prefix)
    conn.execute("COMMIT")
    assert conn.execute("SELECT %s FROM rows" % db.ROW_COLS).fetchall() == [row]
    assert not os.path.exists(part)
    conn.close()


SCRIPT = """
import multiprocessing
multiprocessing.set_start_method("spawn")
print("RUN", flush=True)
from codexbar.cost import scanner, service
from codexbar.env import Env
scanner.PARALLEL_MIN_BYTES = 0
print(service.cost_report(Env.from_process(), "claude")["last30DaysTokens"])
"""


def test_unguarded_script_under_spawn_scans_serially(logs, tmp_path):
    """A plugin script has no __main__ guard: spawned workers would run it again."""
    script = tmp_path / "plugin.5m.py"
    script.write_text(SCRIPT)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["RUN", "223599"], result.stderr


GUARDED = """
import multiprocessing
print("RUN", flush=True)
from codexbar.cost import scanner, service
from codexbar.env import Env

if __name__ == "__main__":  # as the `codexbar` console script is written
    multiprocessing.set_start_method("spawn")
    scanner.PARALLEL_MIN_BYTES = 0
    print(service.cost_report(Env.from_process(), "claude", workers=2)["last30DaysTokens"])
"""


def test_guarded_script_under_spawn_uses_the_pool(logs, tmp_path):
    """Spawned workers run a guarded script's top level again (printing RUN) but not its work."""
    script = tmp_path / "codexbar"
    script.write_text(GUARDED)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    words = result.stdout.split()
    assert words[-1] == "223599", result.stderr
    assert words.count("RUN") >= 2  # this process and at least one worker
