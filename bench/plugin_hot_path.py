#!/usr/bin/env python3
"""How long a plugin run takes, side by side with a bare interpreter start.

Rows (medians over N runs, each a fresh subprocess like SwiftBar's):
  python3 -c pass           the floor: interpreter start
  <id> warm                 fresh snapshot in the cache: read, render, print
  <id> due                  snapshot past its TTL: print it marked "Refreshing…" and spawn the
                            background refresh (time until the plugin exits with its output)
  <id> cold                 nothing cached, provider unreachable: bounded by the first-fetch budget

Targets (issue 3): warm < 2x the bare start, due < 3x, cold never past the budget.
Usage: python3 bench/plugin_hot_path.py [--runs 30] [--python PATH]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = {"provider": "zai", "source": "api", "usage": {
    "primary": {"usedPercent": 25, "windowMinutes": 300, "resetsAt": "2099-01-01T00:00:00Z"},
    "secondary": {"usedPercent": 9, "windowMinutes": 10080, "resetsAt": "2099-01-05T00:00:00Z"},
    "tertiary": None, "updatedAt": "2026-01-01T00:00:00Z", "identity": {"loginMethod": "pro"}}}


GEN_LOGS = ROOT.parent / "shared" / "bench" / "gen_logs.py"
STATUS = {"schema": 1, "status": {"indicator": "minor", "description": "Elevated errors", "url": "https://x.test/",
                                  "updatedAt": "2026-01-01T00:00:00Z",
                                  "components": [{"name": "API", "status": "degraded_performance",
                                                  "indicator": "minor"}]}}


def seed(home: Path, provider: str, python: str) -> None:
    """A realistic warm cache: usage snapshot, status snapshot and (Claude/Codex) a cost summary
    built by the real scanner from a small generated log corpus."""
    payload = dict(SAMPLE, provider=provider)
    code = ("import json,sys; from datetime import datetime, timezone; from codexbar.cache import Store, write_snapshot;"
            "from codexbar.env import Env; env=Env.from_process(); s=Store(env.cache_dir);"
            "s.record_success(sys.argv[1], json.loads(sys.argv[2]), datetime.now(timezone.utc)); s.close();"
            "write_snapshot(env.cache_dir, 'status-' + sys.argv[1], json.loads(sys.argv[3]));"
            "from codexbar import registry;"
            "desc = registry.descriptor(sys.argv[1]);"
            "desc.cost_scan and __import__('codexbar.cost.summary', fromlist=['x']).refresh_summary(env, desc.id)")
    if not (home / ".claude").exists() and GEN_LOGS.exists():
        subprocess.run([sys.executable, str(GEN_LOGS), "--home", str(home), "--size-mb", "2", "--days", "30",
                        "--end-date", time.strftime("%Y-%m-%d")], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([python, "-c", code, provider, json.dumps(payload), json.dumps(STATUS)], check=True,
                   env=_env(home))


def _env(home: Path, **extra: str) -> dict:
    # a user's machine writes bytecode caches; a dev shell with PYTHONDONTWRITEBYTECODE would
    # recompile every module on every run and measure the compiler instead of the plugin
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CODEXBAR_", "Z_AI_", "CLAUDE_", "CODEX_")) and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local/share"), SWIFTBAR="1", CODEXBAR_NO_COST="1", CODEXBAR_NO_STATUS="1",
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", PATH="/usr/bin:/bin",
               CODEXBAR_ENDPOINT_OVERRIDES=json.dumps({o: "http://127.0.0.1:9" for o in (
                   "https://api.z.ai", "https://api.anthropic.com", "https://claude.ai", "https://chatgpt.com")}))
    env.update(extra)
    return env


def wait_unlocked(home: Path, provider: str, timeout: float = 60) -> None:
    lock = home / ".cache" / "codexbar" / "locks" / ("usage-%s.lock" % provider)
    end = time.monotonic() + timeout
    while lock.exists() and time.monotonic() < end:
        with open(lock, "r+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(handle, fcntl.LOCK_UN)
                return
            except OSError:
                time.sleep(0.02)


def timed(argv: list, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd="/", check=False)
    return (time.perf_counter() - start) * 1000.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--providers", default="zai,claude,codex")
    args = parser.parse_args()
    py = args.python
    subprocess.run([py, "-m", "compileall", "-q", str(ROOT / "codexbar"), str(ROOT / "plugins")], check=False,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        rows.append(("python3 -c pass", statistics.median(timed([py, "-c", "pass"], _env(home)) for _ in range(args.runs))))
        for pid in args.providers.split(","):
            plugin = str(next((ROOT / "plugins").glob(pid + ".*.py")))
            seed(home, pid, py)
            warm = [timed([py, plugin], _env(home)) for _ in range(args.runs)]
            rows.append(("%s warm" % pid, statistics.median(warm)))
            due = []
            for _ in range(args.runs):
                wait_unlocked(home, pid)
                due.append(timed([py, plugin], _env(home, CODEXBAR_TTL_SECONDS="0")))
            wait_unlocked(home, pid)
            rows.append(("%s due" % pid, statistics.median(due)))
        cold_home = home / "cold"
        cold = []
        for _ in range(min(args.runs, 5)):
            wait_unlocked(cold_home, "zai")
            subprocess.run(["rm", "-rf", str(cold_home)])
            cold.append(timed([py, str(ROOT / "plugins" / "zai.5m.py")],
                              _env(cold_home, Z_AI_API_KEY="bench", CODEXBAR_FIRST_FETCH_BUDGET="1")))
        rows.append(("zai cold (unreachable, 1 s budget)", statistics.median(cold)))
    base = rows[0][1]
    print("| run | median ms | × bare start |")
    print("|---|---:|---:|")
    for name, ms in rows:
        print("| %s | %.1f | %.2f |" % (name, ms, ms / base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
