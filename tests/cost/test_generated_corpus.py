"""A generated corpus (../shared/bench/gen_logs.py: streaming duplicates, resumed sessions,
subagent files, re-emitted Codex totals, archived copies, long-context calls) checked against a
deliberately naive re-implementation written here from the spec, not from our modules."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from codexbar.cost import service

GEN = Path(__file__).resolve().parents[3] / "shared" / "bench" / "gen_logs.py"

# USD per 1M tokens: input, output, 5m cache write, cache read; sonnet also above 200k
CLAUDE_PRICES = {"claude-sonnet-4-5": (3, 15, 3.75, 0.3), "claude-opus-4-1": (15, 75, 18.75, 1.5),
                 "claude-opus-4-5": (5, 25, 6.25, 0.5), "claude-haiku-4-5": (1, 5, 1.25, 0.1)}
SONNET_LONG = (6, 22.5, 7.5, 0.6)
CODEX_PRICES = {"gpt-5": (1.25, 10, 0.125), "gpt-5-codex": (1.25, 10, 0.125)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    if not GEN.exists():
        pytest.skip("gen_logs.py not available")
    home = tmp_path_factory.mktemp("corpus") / "home"
    subprocess.run([sys.executable, str(GEN), "--home", str(home), "--size-mb", "3", "--days", "20",
                    "--end-date", "2026-08-03", "--long-context-frac", "0.05", "--seed", "7",
                    "--codex-archived-rate", "0.3", "--resume-rate", "0.5"], check=True, capture_output=True, timeout=120)
    return home


def naive_claude(home: Path):
    winners = {}
    loose = []
    for path in sorted(str(p) for p in (home / ".claude" / "projects").rglob("*.jsonl")):
        in_file = {}
        for raw in open(path, "rb"):
            try:
                obj = json.loads(raw)
            except ValueError:
                continue
            msg = obj.get("message") if isinstance(obj, dict) else None
            if obj.get("type") != "assistant" or not isinstance(msg, dict) or not isinstance(msg.get("usage"), dict):
                continue
            u = msg["usage"]
            nums = [u.get("input_tokens", 0), u.get("cache_read_input_tokens", 0),
                    u.get("cache_creation_input_tokens", 0), u.get("output_tokens", 0)]
            if not any(nums):
                continue
            one_hour = (u.get("cache_creation") or {}).get("ephemeral_1h_input_tokens", 0)
            row = (obj["timestamp"][:10], re.sub(r"-\d{8}$", "", msg["model"]), nums, one_hour)
            rank = (obj.get("isSidechain") is True, "/subagents/" in path)
            if msg.get("id") and obj.get("requestId"):
                in_file[msg["id"] + ":" + obj["requestId"]] = (rank, row)
            else:
                loose.append(row)
        for key, value in in_file.items():
            if key not in winners or value[0] < winners[key][0]:
                winners[key] = value
    totals = defaultdict(lambda: [0, 0, 0, 0, 0.0])
    for day, model, nums, one_hour in loose + [row for _, row in winners.values()]:
        t = totals[(day, model)]
        for i in range(4):
            t[i] += nums[i]
        inp, read, create, out = nums
        p = CLAUDE_PRICES[model]
        if model == "claude-sonnet-4-5" and inp + read + create > 200_000:
            p = SONNET_LONG
        t[4] += (inp * p[0] + out * p[1] + (create - one_hour) * p[2] + one_hour * 2 * p[0] + read * p[3]) / 1e6
    return totals


def naive_codex(home: Path):
    totals = defaultdict(lambda: [0, 0, 0, 0.0])
    seen_sessions = set()
    for path in sorted((home / ".codex").rglob("*.jsonl")):
        model, previous, sid = None, None, None
        for raw in open(path, "rb"):
            obj = json.loads(raw)
            payload = obj.get("payload") or {}
            if obj["type"] == "session_meta":
                sid = payload["id"]
            elif obj["type"] == "turn_context":
                model = payload["model"]
            elif obj["type"] == "event_msg" and payload.get("type") == "token_count" and payload.get("info"):
                usage = payload["info"]["total_token_usage"]
                now = (usage["input_tokens"], usage["cached_input_tokens"], usage["output_tokens"])
                if now == previous:
                    continue  # a re-emitted snapshot
                base = previous or (0, 0, 0)
                delta = [a - b for a, b in zip(now, base)]
                previous = now
                if sid in seen_sessions:
                    continue
                t = totals[(obj["timestamp"][:10], model)]
                for i in range(3):
                    t[i] += delta[i]
                p = CODEX_PRICES[model]
                t[3] += ((delta[0] - delta[1]) * p[0] + delta[1] * p[2] + delta[2] * p[1]) / 1e6
        seen_sessions.add(sid)
    return totals


def _report(corpus, monkeypatch, env, provider):
    """A cold 365-day report over the generated corpus (each provider in its own cache)."""
    monkeypatch.setenv("HOME", str(corpus))
    monkeypatch.setenv("XDG_CACHE_HOME", str(corpus.parent / ("cache-" + provider)))
    return service.cost_report(env(), provider, 365)


def _by_day_and_model(report):
    """(date, model) → (total tokens, cost) as the report states them."""
    return {(day["date"], b["modelName"]): (b["totalTokens"], b["cost"])
            for day in report["daily"] for b in day["modelBreakdowns"]}


def test_claude_totals_match_naive_implementation(corpus, monkeypatch, env):
    report = _report(corpus, monkeypatch, env, "claude")
    expected = naive_claude(corpus)
    ours = _by_day_and_model(report)
    assert ours == {k: (sum(v[:4]), pytest.approx(v[4], abs=1e-9)) for k, v in expected.items()}
    assert sum(d["cacheReadTokens"] for d in report["daily"]) == sum(v[1] for v in expected.values())
    assert sum(d["outputTokens"] for d in report["daily"]) == sum(v[3] for v in expected.values())


def test_codex_totals_match_naive_implementation(corpus, monkeypatch, env):
    report = _report(corpus, monkeypatch, env, "codex")
    expected = naive_codex(corpus)
    ours = _by_day_and_model(report)
    assert ours == {k: (v[0] + v[2], pytest.approx(v[3], abs=1e-9)) for k, v in expected.items()}
    assert sum(d.get("cacheReadTokens", 0) for d in report["daily"]) == sum(v[1] for v in expected.values())


def test_scans_cut_short_resume_to_the_same_answer(corpus, monkeypatch, env, tmp_path):
    """Budgeted refreshes parse at most N bytes per file per run and continue next time (mid-file
    for Claude keyed rows and the Codex reducer state); the end result equals one full scan."""
    monkeypatch.setenv("HOME", str(corpus))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "stepwise"))
    runs = 0
    while True:
        runs += 1
        result = service.scan_family(env(), "claude", task_limit=150_000)
        complete = result.complete
        result.close()
        result = service.scan_family(env(), "codex", task_limit=150_000)
        complete = complete and result.complete
        result.close()
        if complete:
            break
        assert runs < 100
    assert runs > 2  # the corpus really was read in several steps
    stepwise = [service.cost_report(env(), p, 365) for p in ("claude", "codex")]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "whole"))
    whole = [service.cost_report(env(), p, 365) for p in ("claude", "codex")]
    assert stepwise == whole


def test_busy_scan_lock_leaves_the_menu_scanning(corpus, monkeypatch, env, tmp_path):
    from codexbar.cache import FileLock
    from codexbar.cost import summary

    monkeypatch.setenv("HOME", str(corpus))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "busy"))
    lock = FileLock(env().cache_dir, "cost-codex")  # another process is scanning
    assert lock.acquire()
    try:
        assert summary.refresh_summary(env(), "codex", budget_seconds=0.3) is None
        assert summary.read_summary(env().cache_dir, "codex")["scanning"] is True
    finally:
        lock.release()
    assert summary.refresh_summary(env(), "codex", budget_seconds=30)["window"]["tokens"] > 0
