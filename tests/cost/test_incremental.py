"""The per-file cache: appends parse only new bytes, anything else rescans, deleted files keep
their days as retained history, and every incremental answer equals a cold full scan."""

from __future__ import annotations

import json
import os
from pathlib import Path

import sqlite3

from codexbar.cost import db, scanner, service

S1 = ".claude/projects/-Users-me-proj/s1.jsonl"
S2 = ".claude/projects/-Users-me-proj/s2.jsonl"
CODEX_ACTIVE = ".codex/sessions/2026/08/03/rollout-2026-08-03T10-00-00-0199aaaa-0000-7000-8000-000000000001.jsonl"


def _day(report, date):
    return next((d for d in report["daily"] if d["date"] == date), None)


def _cold(env, provider, days=30):
    db.clear(env.cache_dir)
    return service.cost_report(env, provider, days)


def _strip(report):
    return {k: v for k, v in report.items() if k != "updatedAt"}


def _touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def test_partially_written_last_line_counts_once_completed(logs, env):
    first = service.cost_report(env(), "claude")
    assert _day(first, "2026-08-03")["totalTokens"] == 19554
    with open(logs / S2, "ab") as handle:
        handle.write(b"\n")  # Claude Code finishes writing msg_01P (haiku, 1000 input → $0.001)
    second = service.cost_report(env(), "claude")
    assert _day(second, "2026-08-03")["totalTokens"] == 20554
    assert round(_day(second, "2026-08-03")["totalCost"], 9) == round(0.014758 + 0.001, 9)
    assert _parsed(env(), "claude", logs / S2) == (logs / S2).stat().st_size
    assert _strip(second) == _strip(_cold(env(), "claude"))


def _query(env, family, sql, *params):
    conn = sqlite3.connect(str(scanner.db_file(env, family)))
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _parsed(env, family, path):
    return _query(env, family, "SELECT parsed FROM files WHERE path = ?", str(path))[0][0]


def test_codex_append_resumes_parser_state(logs, env):
    service.cost_report(env(), "codex")
    path = logs / CODEX_ACTIVE
    before = _parsed(env(), "codex", path)
    with open(path, "ab") as handle:
        handle.write(b'{"timestamp":"2026-08-03T11:00:00Z","type":"turn_context","payload":{"model":"gpt-5.4"}}\n')
        handle.write(b'{"timestamp":"2026-08-03T11:01:00Z","type":"event_msg","payload":{"type":"token_count","info":'
                     b'{"total_token_usage":{"input_tokens":321100,"cached_input_tokens":14000,"output_tokens":1030},'
                     b'"last_token_usage":{"input_tokens":1000,"cached_input_tokens":0,"output_tokens":20}}}}\n')
    after = service.cost_report(env(), "codex")
    day = _day(after, "2026-08-03")
    # +1000 input / +20 output on gpt-5.4 (1000·2.5 + 20·15 = 2800 → $0.0028); the archived copy
    # has no such event, so nothing is double counted
    assert day["totalTokens"] == 321000 + 1020
    assert round(day["totalCost"], 9) == round(1.5312 + 0.0028, 9)
    assert _parsed(env(), "codex", path) > before
    assert _strip(after) == _strip(_cold(env(), "codex"))


def test_truncated_file_is_rescanned(logs, env):
    service.cost_report(env(), "claude")
    path = logs / S1
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(lines[:2]) + b"\n")  # only the two msg_01A chunks remain
    report = service.cost_report(env(), "claude")
    assert [d["date"] for d in report["daily"]] == ["2026-08-01", "2026-08-03"]
    assert _day(report, "2026-08-03")["totalTokens"] == 19514 + 10  # msg_01A + msg_01B (from s2)
    assert _strip(report) == _strip(_cold(env(), "claude"))


def test_rewritten_file_same_size_is_rescanned(logs, env):
    service.cost_report(env(), "claude")
    path = logs / S2
    data = path.read_bytes()
    path.write_bytes(data.replace(b'"output_tokens":8,', b'"output_tokens":9,'))
    _touch_later(path)
    report = service.cost_report(env(), "claude")
    assert _day(report, "2026-08-03")["outputTokens"] == 329


def test_rewritten_and_grown_file_is_not_treated_as_an_append(logs, env):
    service.cost_report(env(), "claude")
    path = logs / S2
    data = path.read_bytes()
    path.write_bytes(data.replace(b"msg_01B", b"msg_01C") + b"\n")  # new content, larger
    report = service.cost_report(env(), "claude")
    # msg_01B is gone (replaced by msg_01C, same tokens), msg_01P now complete: +1000 tokens
    assert _day(report, "2026-08-03")["totalTokens"] == 19554 + 1000
    assert _strip(report) == _strip(_cold(env(), "claude"))


def test_deleted_logs_keep_their_days_as_retained_history(logs, env):
    from support.run import run_cli

    service.cost_report(env(), "claude")
    for path in sorted((logs / ".claude/projects/-Users-me-other").rglob("*.jsonl")):
        path.unlink()
    report = service.cost_report(env(), "claude", 90)
    day = _day(report, "2026-08-01")
    assert (day["totalTokens"], day.get("retainedHistory")) == (255, True)
    assert "retainedHistory" not in _day(report, "2026-08-03")
    summary = json.loads(run_cli(["cost", "--provider", "claude", "--days", "90", "--json"]).stdout)[0]
    assert [d["date"] for d in summary["daily"] if d.get("retainedHistory")] == ["2026-08-01"]
    cleared = run_cli(["cache", "clear", "--cost"])
    assert cleared.stdout.strip() == "cost: cleared (all providers)"
    after = service.cost_report(env(), "claude", 90)
    assert _day(after, "2026-08-01") is None


def test_new_day_moves_today_and_window(logs, env, monkeypatch):
    service.cost_report(env(), "claude")
    monkeypatch.setenv("CODEXBAR_NOW", "2026-08-04T08:00:00Z")
    report = service.cost_report(env(), "claude", 1)
    assert report["daily"] == []
    assert (report["sessionTokens"], report["sessionCostUSD"]) == (0, 0)
    assert report["totals"] == {"totalTokens": 0, "totalCost": 0}
    monkeypatch.setenv("CODEXBAR_NOW", "2026-09-01T08:00:00Z")  # 30 days back is 2026-08-03
    report = service.cost_report(env(), "claude", 30)
    assert [d["date"] for d in report["daily"]] == ["2026-08-03"]


def test_price_table_change_reprices_without_reparsing(logs, env):
    service.cost_report(env(), "claude")
    conn = sqlite3.connect(str(scanner.db_file(env(), "claude")))
    with conn:
        conn.execute("UPDATE meta SET v = 'old-table' WHERE k = 'pricing'")
        conn.execute("UPDATE rows SET cost = 1 WHERE cost IS NOT NULL")  # stale costs
        conn.execute("UPDATE agg SET cost = n")
    conn.close()
    report = service.cost_report(env(), "claude")
    assert round(report["last30DaysCostUSD"], 9) == round(0.18505975, 9)


def test_corrupt_cache_is_rebuilt(logs, env):
    service.cost_report(env(), "codex")
    path = scanner.db_file(env(), "codex")
    for suffix in ("-wal", "-shm"):
        if Path(str(path) + suffix).exists():
            Path(str(path) + suffix).unlink()
    path.write_bytes(b"\x00garbage" * 100)
    assert service.cost_report(env(), "codex")["last30DaysTokens"] == 424142


def test_cache_files_are_private(logs, env):
    service.cost_report(env(), "claude")
    folder = db.cost_dir(env().cache_dir)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert [p.name for p in folder.iterdir() if p.stat().st_mode & 0o077] == []


def test_incremental_bookkeeping_equals_bulk_rebuild(logs, env):
    """Small changes update winners/aggregates per key; a full recount must agree."""
    service.cost_report(env(), "claude")
    with open(logs / S2, "ab") as handle:
        handle.write(b"\n")
    (logs / ".claude/projects/-Users-me-other/p2.jsonl").unlink()  # the parent copy of msg_02K
    report = service.cost_report(env(), "claude", 90)
    assert _day(report, "2026-08-01")["retainedHistory"] is True
    incremental = _query(env(), "claude", "SELECT * FROM agg WHERE n != 0 ORDER BY 1, 2, 3")
    conn = sqlite3.connect(str(scanner.db_file(env(), "claude")))
    with conn:
        db.rebuild_counts(conn, "claude")
    rebuilt = conn.execute("SELECT * FROM agg WHERE n != 0 ORDER BY 1, 2, 3").fetchall()
    conn.close()
    assert incremental == rebuilt
