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
