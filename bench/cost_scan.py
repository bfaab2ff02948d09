#!/usr/bin/env python3
"""Benchmark: our local cost scan vs ccusage on generated Claude Code + Codex corpora.

For each corpus size (generated once with ../shared/bench/gen_logs.py into bench/.work/) this
measures, each as a fresh `python -m codexbar cost --provider both --days 365 --json` process:

  cold     empty cache (every file parsed, process pool over all cores)
  warm     nothing changed (stat every file, reuse cached rows)
  append   after ~1 MiB of new lines is appended to one Claude session file

plus `ccusage daily --json --offline` (all agents; and `ccusage claude|codex daily` for the
per-day, per-model token comparison), installed from the npm registry into a temp folder and
timed before and after our cold + warm runs (the mean counts). Every timed run starts after
`sync`, so no tool pays for the write-back of the corpus copy or of another run. Peak memory is
the largest sum of RSS over our process tree (main + pool workers), sampled every 20 ms in a
thread beside the timed process (the clock stops at its exit, not at the next sample).

  .venv/bin/python bench/cost_scan.py --sizes 100,1024     # needs node/npm for ccusage
  .venv/bin/python bench/cost_scan.py --sizes 100 --no-ccusage

Run it with the interpreter the package is installed in (``./install.sh --test`` makes ``.venv``):
``codexbar`` runs as ``sys.executable -m codexbar``, with the dependencies it would have installed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT.parent / "shared" / "bench" / "gen_logs.py"
WORK = ROOT / "bench" / ".work"
NOW = "2025-11-30T12:00:00Z"  # gen_logs' default --end-date, so every generated day is in range


def corpus(size_mb: int) -> Path:
    home = WORK / ("c%d" % size_mb)
    if not (home / "corpus-manifest.json").exists():
        print("generating %d MB corpus…" % size_mb, file=sys.stderr)
        subprocess.run([sys.executable, str(GEN), "--home", str(home), "--size-mb", str(size_mb),
                        "--seed", "1", "--force"], check=True)
    return home


def run_measured(argv: List[str], env: Dict[str, str]) -> Tuple[float, int, bytes]:
    """(seconds, peak RSS of the process tree in bytes, stdout).

    The clock stops when the process exits (``wait``); the memory sampler runs beside it in a
    thread, so its sampling interval never rounds the time up.
    """
    import threading

    import psutil

    out = tempfile.TemporaryFile()
    done = threading.Event()
    peak = [0]

    def sample(root: Any) -> None:
        while not done.is_set():
            total = 0
            try:
                for p in [root] + root.children(recursive=True):
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                pass
            peak[0] = max(peak[0], total)
            done.wait(0.02)

    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.DEVNULL)
    sampler = threading.Thread(target=sample, args=(psutil.Process(proc.pid),), daemon=True)
    sampler.start()
    proc.wait()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    out.seek(0)
    data = out.read()
    if proc.returncode != 0:
        raise SystemExit("%s failed (%d)" % (" ".join(argv[:4]), proc.returncode))
    return elapsed, peak[0], data


def ours(home: Path, cache: Path) -> Tuple[float, int, List[Dict[str, Any]]]:
    env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=str(cache), CODEXBAR_NOW=NOW, TZ="UTC",
               CODEXBAR_PLATFORM="linux")
    for key in ("CLAUDE_CONFIG_DIR", "CODEX_HOME"):
        env.pop(key, None)
    seconds, peak, data = run_measured([sys.executable, "-m", "codexbar", "cost", "--provider", "both",
                                        "--days", "365", "--json"], env)
    return seconds, peak, json.loads(data)


def ccusage_bin(folder: Optional[Path]) -> Optional[Path]:
    if folder is None:
        return None
    binary = folder / "node_modules" / ".bin" / "ccusage"
    if not binary.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "ccusage"], cwd=folder, check=False)
        # the native build ships as an optional dependency; make sure this platform's is present
        version = json.loads((folder / "node_modules" / "ccusage" / "package.json").read_text())["version"]
        arch = {"x86_64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(os.uname().machine, "x64")
        platform = "darwin" if sys.platform == "darwin" else "linux"
        subprocess.run(["npm", "install", "--silent", "@ccusage/ccusage-%s-%s@%s" % (platform, arch, version)],
                       cwd=folder, check=False)
    return binary if binary.exists() else None


def ccusage(binary: Path, home: Path, *agent: str) -> Tuple[float, Dict[str, Any]]:
    env = dict(os.environ, HOME=str(home), CLAUDE_CONFIG_DIR=str(home / ".claude"),
               CODEX_HOME=str(home / ".codex"), TZ="UTC")
    seconds, _, data = run_measured([str(binary), *agent, "daily", "--json", "--offline"], env)
    return seconds, json.loads(data)


def append_mib(home: Path) -> int:
    """Append ~1 MiB of fresh assistant lines (new message ids) to the largest Claude file."""
    files = sorted((home / ".claude" / "projects").rglob("*.jsonl"), key=lambda p: p.stat().st_size)
    target, donor = files[-1], files[-2]
    chunk, counter = [], 0
    for line in donor.read_bytes().splitlines(keepends=True):
        if sum(len(c) for c in chunk) >= 1 << 20:
            break
        counter += 1
        chunk.append(re.sub(rb'"(msg|req)_0', lambda m: b'"' + m.group(1) + b"_9%d" % counter, line, count=2))
    data = b"".join(chunk)
    with open(target, "ab") as handle:
        handle.write(data)
    return len(data)


def compare(ours_reports: List[Dict[str, Any]], cc_claude: Dict[str, Any], cc_codex: Dict[str, Any]) -> List[str]:
    """Per (day, model) token differences; empty when identical."""
    diffs = []
    mine: Dict[Tuple[str, str], List[int]] = defaultdict(lambda: [0, 0, 0, 0])
    theirs: Dict[Tuple[str, str], List[int]] = defaultdict(lambda: [0, 0, 0, 0])
    claude = next(r for r in ours_reports if r["provider"] == "claude")
    # our model breakdown has totals only; rebuild per-model fields from a per-model report is not
    # exposed, so compare per (day, model) total tokens plus per-day field totals
    for day in claude["daily"]:
        for b in day["modelBreakdowns"]:
            mine[(day["date"], b["modelName"])][0] += b["totalTokens"]
        mine[(day["date"], "*")] = [day["inputTokens"], day["outputTokens"], day["cacheReadTokens"],
                                    day["cacheCreationTokens"]]
    for day in cc_claude["daily"]:
        date = day.get("date") or day.get("period")
        for b in day["modelBreakdowns"]:
            name = re.sub(r"-\d{8}$", "", b["modelName"])
            theirs[(date, name)][0] += b["inputTokens"] + b["outputTokens"] + b["cacheReadTokens"] + b["cacheCreationTokens"]
        theirs[(date, "*")] = [day["inputTokens"], day["outputTokens"], day["cacheReadTokens"], day["cacheCreationTokens"]]
    for key in sorted(set(mine) | set(theirs)):
        if mine.get(key) != theirs.get(key):
            diffs.append("claude %s %s: ours %s ccusage %s" % (key[0], key[1], mine.get(key), theirs.get(key)))
    codex = next(r for r in ours_reports if r["provider"] == "codex")
    mine_x = {}
    for day in codex["daily"]:
        mine_x[(day["date"], "*")] = [day["inputTokens"] - day.get("cacheReadTokens", 0), day.get("cacheReadTokens", 0),
                                      day["outputTokens"]]
        for b in day["modelBreakdowns"]:
            mine_x[(day["date"], b["modelName"])] = [b["totalTokens"]]
    theirs_x = {}
    for day in cc_codex["daily"]:
        theirs_x[(day["date"], "*")] = [day["inputTokens"], day["cacheReadTokens"], day["outputTokens"]]
        for name, m in day["models"].items():
            theirs_x[(day["date"], name)] = [m["inputTokens"] + m["cacheReadTokens"] + m["outputTokens"]]
    for key in sorted(set(mine_x) | set(theirs_x)):
        if mine_x.get(key) != theirs_x.get(key):
            diffs.append("codex %s %s: ours %s ccusage %s" % (key[0], key[1], mine_x.get(key), theirs_x.get(key)))
    return diffs


def main() -> None:
    try:
        import msgspec  # noqa: F401 - the scan would fall back to the slower standard parser
        import psutil  # noqa: F401
    except ImportError:
        raise SystemExit("run this with the project's interpreter: .venv/bin/python bench/cost_scan.py …")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1024", help="corpus sizes in MiB, comma-separated")
    parser.add_argument("--ccusage-dir", default=None, help="folder with (or for) `npm install ccusage`")
    parser.add_argument("--no-ccusage", action="store_true")
    parser.add_argument("--json-out", default=str(WORK / "results.json"))
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per size; the table shows medians (shared machines are noisy)")
    parser.add_argument("--ccusage-js-dir", default=None,
                        help="optional folder with an older, pure-JavaScript ccusage (e.g. 19.0.3) to time too")
    args = parser.parse_args()
    tmp_npm = None
    folder: Optional[Path] = None
    if not args.no_ccusage and shutil.which("npm"):
        if args.ccusage_dir:
            folder = Path(args.ccusage_dir)
        else:
            tmp_npm = tempfile.mkdtemp(prefix="ccusage-")
            folder = Path(tmp_npm)
    binary = ccusage_bin(folder)
    # byte-compile first, as an installed package is: otherwise (PYTHONDONTWRITEBYTECODE) every
    # run would compile the modules changed since the last .pyc was written
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "codexbar")], check=False,
                   stdout=subprocess.DEVNULL)
    js_binary = Path(args.ccusage_js_dir) / "node_modules" / ".bin" / "ccusage" if args.ccusage_js_dir else None
    results = []
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        source = corpus(size)
        runs = []
        for _ in range(max(1, args.repeat)):
            runs.append(one_run(size, source, binary, js_binary))
        row = dict(runs[0])
        for key in ("cold", "warm", "append", "ccusage", "ccusageJs", "coldPeak", "warmPeak", "appendPeak"):
            if key in row:
                row[key] = statistics.median(r[key] for r in runs)
        row["runs"] = [{k: r[k] for k in ("cold", "warm", "append", "ccusage", "ccusageJs", "load") if k in r} for r in runs]
        results.append(row)
        print(json.dumps(row, indent=1), file=sys.stderr)
    if tmp_npm:
        shutil.rmtree(tmp_npm, ignore_errors=True)
    Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json_out).write_text(json.dumps(results, indent=1))
    print(table(results))


def one_run(size: int, source: Path, binary: Optional[Path], js_binary: Optional[Path]) -> Dict[str, Any]:
    home = WORK / ("run-c%d" % size)  # a scratch copy: the append step modifies it
    if home.exists():
        shutil.rmtree(home)
    shutil.copytree(source, home)
    os.sync()  # the copy's write-back would otherwise land on whichever tool runs next
    cache = Path(tempfile.mkdtemp(prefix="codexbar-cache-"))
    row: Dict[str, Any] = {"sizeMiB": size, "bytes": json.loads((source / "corpus-manifest.json").read_text())["bytes"],
                           "load": os.getloadavg()[0]}
    # ccusage keeps no state: timed once before and once after our cold + warm runs (the mean
    # is its time), so neither tool always runs first on a machine whose load drifts
    before = ccusage(binary, home)[0] if binary is not None else None
    row["cold"], row["coldPeak"], cold = ours(home, cache)
    os.sync()  # our cache's write-back must not slow the warm run (or ccusage)
    row["warm"], row["warmPeak"], warm = ours(home, cache)
    if warm != cold:
        raise SystemExit("warm re-scan disagrees with the cold scan")
    if binary is not None:
        row["ccusage"] = (before + ccusage(binary, home)[0]) / 2
        _, cc_claude = ccusage(binary, home, "claude")
        _, cc_codex = ccusage(binary, home, "codex")
        row["diffs"] = compare(cold, cc_claude, cc_codex)
        row["ccusageClaudeTotals"] = cc_claude["totals"]
        row["ccusageCodexTotals"] = cc_codex["totals"]
    if js_binary is not None and js_binary.exists():
        row["ccusageJs"], js_report = ccusage(js_binary, home)  # 17.x: Claude Code only
        row["ccusageJsClaudeTotals"] = js_report.get("totals")
    row["appended"] = append_mib(home)
    os.sync()
    row["append"], row["appendPeak"], _ = ours(home, cache)
    row["oursTotals"] = {r["provider"]: r.get("totals") for r in cold}
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    return row


def table(results: List[Dict[str, Any]]) -> str:
    lines = ["| corpus | our cold scan | our warm re-scan | our re-scan after 1 MiB append | ccusage daily (native) | ccusage daily (JS) | our peak RSS (cold / warm / append) | token totals vs ccusage |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        cc = "%.2f s" % r["ccusage"] if "ccusage" in r else "n/a"
        js = "%.2f s" % r["ccusageJs"] if "ccusageJs" in r else "n/a"
        same = "n/a" if "diffs" not in r else ("identical for every day and model" if not r["diffs"]
                                                else "%d differences" % len(r["diffs"]))
        lines.append("| %d MiB (%.0f MB) | %.2f s | %.2f s | %.2f s | %s | %s | %.0f / %.0f / %.0f MB | %s |" % (
            r["sizeMiB"], r["bytes"] / 1e6, r["cold"], r["warm"], r["append"], cc, js,
            r["coldPeak"] / 1e6, r["warmPeak"] / 1e6, r["appendPeak"] / 1e6, same))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
