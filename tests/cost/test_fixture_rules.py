"""Every Claude and Codex counting rule of cost-usage.md on hand-written logs, with exact totals.

Claude (TZ=UTC, now 2026-08-03T12:00Z, window 2026-07-05…2026-08-03), prices per 1M tokens:
  2026-08-01  cross-file dedup (§2.4): p2.jsonl row msg_02K 100 in/20 create/10 read/30 out wins
              over the two subagent copies; the unique sidechain row msg_02S adds 70/5/0/20
              → input 170, create 25, read 10, output 50 = 255 tokens;
              sonnet-4-5: 170·3 + 25·3.75 + 10·0.3 + 50·15 = 1356.75 → $0.00135675
  2026-08-02  msg_01L sonnet-4-5 1000 in + 199500 read > 200k → long tier
              1000·6 + 199500·0.6 + 1000·22.5 = 148200 → $0.1482 (201500 tokens)
              msg_01H opus-4-5, 2000 create of which 1500 1-hour: 10·5 + 500·6.25 + 1500·(2·5)
              + 100·25 = 20675 → $0.020675 (2110 tokens)
              msg_01U claude-mystery-9: 150 tokens, price unknown (no cost, never $0)
              msg_01Z "2026-08-01T23:30:00-02:00" is 01:30Z on 08-02: haiku 20·1 + 10·5 → $0.00007
  2026-08-03  msg_01A: three chunks across s1 (first 12 out, last 310 out) and the resumed
              s2 copy count once with the last chunk: 4 in/1200 create/18000 read/310 out =
              19514 tokens, 4·3 + 1200·3.75 + 18000·0.3 + 310·15 = 14562 → $0.014562;
              msg_01B 2 in/8 out → $0.000126; the id-less haiku row twice (never deduped):
              20 in/10 out → $0.00007; day = 19554 tokens, $0.014758
  Skipped: user/tool_result lines, <synthetic> zero usage, a malformed line, a line with
  non-UTF-8 bytes, an unparsable timestamp, the partially written last line of s2 and the
  Vertex row msg_vrtx_01V (reported for vertexai only); msg_01OLD (2026-06-01) is outside 30 days.
"""

from __future__ import annotations

import json

from support.run import run_cli

CLAUDE_DAILY = [
    {"cacheCreationTokens": 25, "cacheReadTokens": 10, "date": "2026-08-01", "inputTokens": 170,
     "modelBreakdowns": [{"cost": 0.00135675, "modelName": "claude-sonnet-4-5", "totalTokens": 255}],
     "modelsUsed": ["claude-sonnet-4-5"], "outputTokens": 50, "totalCost": 0.00135675, "totalTokens": 255},
    {"cacheCreationTokens": 2000, "cacheReadTokens": 199500, "date": "2026-08-02", "inputTokens": 1130,
     "modelBreakdowns": [{"cost": 0.1482, "modelName": "claude-sonnet-4-5", "totalTokens": 201500},
                         {"cost": 0.020675, "modelName": "claude-opus-4-5", "totalTokens": 2110},
                         {"cost": 0.00007, "modelName": "claude-haiku-4-5", "totalTokens": 30},
                         {"modelName": "claude-mystery-9", "totalTokens": 150}],
     "modelsUsed": ["claude-haiku-4-5", "claude-mystery-9", "claude-opus-4-5", "claude-sonnet-4-5"],
     "outputTokens": 1160, "totalCost": 0.168945, "totalTokens": 203790},
    {"cacheCreationTokens": 1200, "cacheReadTokens": 18000, "date": "2026-08-03", "inputTokens": 26,
     "modelBreakdowns": [{"cost": 0.014688, "modelName": "claude-sonnet-4-5", "totalTokens": 19524},
                         {"cost": 0.00007, "modelName": "claude-haiku-4-5", "totalTokens": 30}],
     "modelsUsed": ["claude-haiku-4-5", "claude-sonnet-4-5"], "outputTokens": 328, "totalCost": 0.014758,
     "totalTokens": 19554},
]
COVERAGE_3 = {"estimated": 0, "priced": 3, "unmetered": 0, "unpriced": 0}


def _approx(value):
    """Floats compared to 1e-12 (sums of exact nano-dollar amounts)."""
    if isinstance(value, float):
        return round(value, 12)
    if isinstance(value, dict):
        return {k: _approx(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_approx(v) for v in value]
    return value


def test_claude_cost_json_matches_every_rule(logs):
    result = run_cli(["cost", "--provider", "claude", "--format", "json"])
    assert result.returncode == 0, result.stderr
    [element] = json.loads(result.stdout)
    expected = {
        "provider": "claude", "source": "local", "updatedAt": "2026-08-03T12:00:00Z", "currencyCode": "USD",
        "sessionTokens": 19554, "sessionCostUSD": 0.014758, "historyDays": 30,
        "historyCoverageIsEstablished": True, "last30DaysTokens": 255 + 203790 + 19554,
        "last30DaysCostUSD": 0.00135675 + 0.168945 + 0.014758, "daily": CLAUDE_DAILY, "projects": [],
        "totals": {"inputTokens": 170 + 1130 + 26, "outputTokens": 50 + 1160 + 328,
                   "cacheReadTokens": 10 + 199500 + 18000, "cacheCreationTokens": 25 + 2000 + 1200,
                   "totalTokens": 223599, "totalCost": 0.18505975, "provenance": "listPriceEstimate",
                   "coverage": COVERAGE_3},
        "provenance": "listPriceEstimate", "coverage": COVERAGE_3,
    }
    assert _approx(element) == _approx(expected)


def test_vertex_rows_are_kept_apart(logs, env):
    from codexbar.cost import service

    vertex = service.cost_report(env(), "vertexai", 30)
    # msg_vrtx_01V: claude-opus-4-5@20251101, 50 in + 50 out → 50·5 + 50·25 = 1500 → $0.0015
    assert [(d["date"], d["totalTokens"], d["totalCost"]) for d in vertex["daily"]] == [("2026-08-03", 100, 0.0015)]
    claude = service.cost_report(env(), "claude", 30)
    assert all("claude-opus-4-5" not in d["modelsUsed"] for d in claude["daily"] if d["date"] == "2026-08-03")


def test_days_window_and_text(logs):
    # --days 90 reaches back to 2026-05-06 and adds msg_01OLD (100·3 + 100·15 → $0.0018, 200 tokens)
    result = run_cli(["cost", "--provider", "claude", "--days", "90", "--json"])
    [element] = json.loads(result.stdout)
    assert element["historyDays"] == 90
    assert [d["date"] for d in element["daily"]] == ["2026-06-01", "2026-08-01", "2026-08-02", "2026-08-03"]
    assert element["last30DaysTokens"] == 223599 + 200
    text = run_cli(["cost", "--provider", "claude", "--days", "1"])
    assert text.stdout.splitlines() == [
        "Claude Cost (API-rate estimate)",
        "Today: $0.01 · 20K tokens",  # 19554 tokens: ≥10 units print without a decimal
        "Today: $0.01 · 20K tokens",
        "Estimated from local Claude logs at API rates; token totals include cache read/write tokens "
        "and may differ from Claude Code /status.",
    ]
    clamped = json.loads(run_cli(["cost", "--provider", "claude", "--days", "999", "--json"]).stdout)
    assert clamped[0]["historyDays"] == 365
    junk = json.loads(run_cli(["cost", "--provider", "claude", "--days", "soon", "--json"]).stdout)
    assert junk[0]["historyDays"] == 30


CODEX_NOTE = """
Codex (same window):
  2026-07-30  no turn_context and no model in the event → "unknown": 1000 in/100 out, unpriced
  2026-07-31  interleaved totals-only 100000, 5000, 101000, 6000, 102000 → 102000 counted in 3 rows;
              gpt-5-mini 102000·0.25 → $0.0255
  2026-08-01  a fork whose parent is missing bills nothing (fail closed) and is 1 unmetered file
  2026-08-02  parent totals 10/2/1 → 20/5/2 → 30/8/3 (gpt-5); child forked at 10:20 (after the
              second event) with totals 20/5/2 then 27/7/4 counts 7/2/2: input 37, cached 10,
              output 5 = 42 tokens; rows priced separately → $0.0000585 + $0.0000265 = $0.000085
  2026-08-03  the same rollout in sessions/ and archived_sessions/ counts once; an identical
              re-emitted total and an info:null event count nothing: gpt-5.2-codex 12000/8000/300
              then +8000/6000/200 (12600 + 7350 → $0.01995); after the turn_context switch gpt-5.4
              +300000/0/500, above 272k per request → 300000·5 + 500·22.5 → $1.51125; the
              deepseek/ route is excluded. Day: 320000 in (14000 cached), 1000 out, 200 reasoning.
"""


def test_codex_cost_json_matches_every_rule(logs):
    result = run_cli(["cost", "--provider", "codex", "--json"])
    assert result.returncode == 0, result.stderr
    [element] = json.loads(result.stdout)
    daily = element["daily"]
    assert _approx(daily) == _approx([
        {"date": "2026-07-30", "inputTokens": 1000, "outputTokens": 100, "totalTokens": 1100,
         "modelsUsed": ["unknown"], "modelBreakdowns": [{"modelName": "unknown", "totalTokens": 1100}]},
        {"date": "2026-07-31", "inputTokens": 102000, "outputTokens": 0, "totalTokens": 102000, "totalCost": 0.0255,
         "modelsUsed": ["gpt-5-mini"], "modelBreakdowns": [{"modelName": "gpt-5-mini", "cost": 0.0255, "totalTokens": 102000}]},
        {"date": "2026-08-01"},
        {"date": "2026-08-02", "inputTokens": 37, "cacheReadTokens": 10, "outputTokens": 5, "totalTokens": 42,
         "totalCost": 0.000085, "modelsUsed": ["gpt-5"],
         "modelBreakdowns": [{"modelName": "gpt-5", "cost": 0.000085, "totalTokens": 42}]},
        {"date": "2026-08-03", "inputTokens": 320000, "cacheReadTokens": 14000, "outputTokens": 1000,
         "reasoningTokens": 200, "totalTokens": 321000, "totalCost": 1.5312, "modelsUsed": ["gpt-5.2-codex", "gpt-5.4"],
         "modelBreakdowns": [{"modelName": "gpt-5.4", "cost": 1.51125, "totalTokens": 300500},
                             {"modelName": "gpt-5.2-codex", "cost": 0.01995, "totalTokens": 20500}]},
    ])
    assert element["sessionTokens"] == 321000 and _approx(element["sessionCostUSD"]) == 1.5312
    assert element["last30DaysTokens"] == 1100 + 102000 + 42 + 321000
    assert _approx(element["last30DaysCostUSD"]) == _approx(0.0255 + 0.000085 + 1.5312)
    assert element["coverage"] == {"estimated": 0, "priced": 3, "unmetered": 1, "unpriced": 1}
    assert element["totals"]["reasoningTokens"] == 200 and "cacheCreationTokens" not in element["totals"]
    names = [(p["name"], p.get("path"), p.get("totalTokens")) for p in element["projects"]]
    assert names == [("proj", "/Users/me/proj", 321000), ("proj2", "/Users/me/proj2", 102000),
                     ("app", "/Users/me/app", 42), ("Unknown project", None, 1100)]


def test_codex_group_by_project_text(logs):
    result = run_cli(["cost", "--provider", "codex", "--group-by", "project"])
    assert result.stdout.splitlines()[:6] == [
        "Codex API-equivalent estimate (not billed)",
        "Projects (Last 30 days):",
        "proj: $1.53 · 321K tokens",
        "  /Users/me/proj",
        "  - proj: $1.53 · 321K tokens",
        "    /Users/me/proj",
    ]


def test_both_providers_and_unsupported(logs):
    result = run_cli(["cost", "--provider", "both", "--provider", "zai", "--json"])
    assert [e["provider"] for e in json.loads(result.stdout)] == ["codex", "claude"]
    assert "Skipping providers without local cost usage: zai" in result.stderr
    only = run_cli(["cost", "--provider", "zai"])
    assert only.returncode == 1 and "Error: cost is only supported for Claude, Codex." in only.stderr


def test_codex_group_by_session_text(logs):
    import os

    stamp = 1785754800  # 2026-08-03T11:00:00Z: every session last active at the same minute
    for path in (logs / ".codex").rglob("*.jsonl"):
        os.utime(path, (stamp, stamp))
    result = run_cli(["cost", "--provider", "codex", "--group-by", "session"])
    assert result.stdout.splitlines() == [
        "Codex API-equivalent estimate (not billed)",
        "Conversations (Last 30 days):",
        "Session parent-1: $0.00 · 33 tokens · 3 requests",
        "gpt-5 · Aug 3, 11:00",
        "Session nomodel-1: — · 1.1K tokens · 1 requests",
        "Unknown model · Aug 3, 11:00",
        "Session inter-1: $0.03 · 102K tokens · 3 requests",
        "gpt-5-mini · Aug 3, 11:00",
        "Session child-1: $0.00 · 9 tokens · 1 requests",
        "gpt-5 · Aug 3, 11:00",
        "Session 0199...00000001: $1.53 · 321K tokens · 3 requests",
        "gpt-5.4 +1 model · Aug 3, 11:00",
        "Not a subscription bill or plan value · local usage × public API prices",
    ]
    assert "Skipping session grouping for providers without Codex session data: Claude" in run_cli(
        ["cost", "--provider", "both", "--group-by", "session"]).stderr
