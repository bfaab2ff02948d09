"""The §3.3/§3.5 worked examples, fed as rollout lines to the pure Codex reducer."""

from __future__ import annotations

import json
from typing import List, Optional, Sequence

from codexbar.cost import codex
from codexbar.cost.pricing import load


def _usage(v: Sequence[int]) -> dict:
    return {"input_tokens": v[0], "cached_input_tokens": v[1], "output_tokens": v[2]}


def _event(minute: int, total: Optional[Sequence[int]] = None, last: Optional[Sequence[int]] = None) -> bytes:
    info = {}
    if total is not None:
        info["total_token_usage"] = _usage(total)
    if last is not None:
        info["last_token_usage"] = _usage(last)
    return json.dumps({"timestamp": "2026-08-03T10:%02d:00Z" % minute, "type": "event_msg",
                       "payload": {"type": "token_count", "info": info}}, separators=(",", ":")).encode()


def _run(events: List[bytes], baseline: Optional[List[int]] = None) -> List[tuple]:
    rows: List[tuple] = []
    reducer = codex.Reducer(baseline)
    reducer.feed([b'{"timestamp":"2026-08-03T10:00:00Z","type":"turn_context","payload":{"model":"gpt-5"}}'] + events,
                 load(), rows)
    return rows


def _sum(rows: List[tuple]) -> List[int]:
    return [sum(r[codex.INPUT] for r in rows), sum(r[codex.CACHED] for r in rows), sum(r[codex.OUTPUT] for r in rows)]


def test_totals_only_counts_growth():
    rows = _run([_event(1, (100, 20, 10)), _event(2, (160, 40, 16))])
    assert _sum(rows) == [160, 40, 16]  # total tokens 176


def test_interleaved_counters_count_only_growth_past_the_high_water_mark():
    rows = _run([_event(i + 1, (v, 0, 0)) for i, v in enumerate((100000, 5000, 101000, 6000, 102000))])
    assert _sum(rows) == [102000, 0, 0]
    assert len(rows) == 3


def test_repeated_snapshot_counts_once():
    rows = _run([_event(1, (100, 20, 10), (100, 20, 10)), _event(2, (100, 20, 10), (100, 20, 10)),
                 _event(3, (130, 20, 12), (100, 20, 10))])
    assert _sum(rows) == [130, 20, 12]


def test_last_only_events_count_their_last_usage():
    rows = _run([_event(1, last=(50, 0, 5)), _event(2, last=(70, 10, 7))])
    assert _sum(rows) == [120, 10, 12]


def test_fork_subtracts_the_parent_baseline():
    parent = _run([_event(1, (10, 2, 1)), _event(10, (20, 5, 2)), _event(30, (30, 8, 3))])
    fork_ms = parent[1][codex.TS] + 10 * 60 * 1000  # between the parent's 2nd and 3rd event
    baseline = codex.counted_at(parent, fork_ms)
    assert baseline[:3] == [20, 5, 2]
    child = _run([_event(21, (20, 5, 2), (20, 5, 2)), _event(25, (27, 7, 4), (7, 2, 2))], baseline)
    assert _sum(child) == [7, 2, 2]  # total 9


def test_fork_last_only_consumes_the_inherited_amount():
    child = _run([_event(21, last=(15, 3, 1)), _event(22, last=(10, 4, 3))], [20, 5, 2, 0])
    # the first 20/5/2 of "last" values replay the parent: 15/3/1 is all inherited, then 5/2/1 of 10/4/3
    assert _sum(child) == [5, 2, 2]


def test_state_round_trip_resumes_exactly():
    events = [_event(i + 1, (100 * (i + 1), 10 * i, i), (100, 10, 1)) for i in range(8)]
    whole = _run(events)
    first: List[tuple] = []
    reducer = codex.Reducer()
    reducer.feed([b'{"timestamp":"2026-08-03T10:00:00Z","type":"turn_context","payload":{"model":"gpt-5"}}'] + events[:3],
                 load(), first)
    resumed = codex.Reducer.from_state(json.loads(json.dumps(reducer.to_state())))
    rest: List[tuple] = []
    resumed.feed(events[3:], load(), rest)
    assert first + rest == whole


def test_oversized_turn_context_keeps_its_model():
    from codexbar.cost.lines import OVERSIZED

    rows: List[tuple] = []
    reducer = codex.Reducer()
    prefix = b'{"timestamp":"2026-08-03T10:00:00Z","type":"turn_context","payload":{"model":"gpt-5.4","instructions":"xxxx'
    reducer.feed([OVERSIZED + prefix, _event(1, (10, 0, 1), (10, 0, 1))], load(), rows)
    assert rows[0][codex.MODEL] == "gpt-5.4"


def test_last_usage_wins_over_divergent_totals():
    """CodexBar's `codex daily report prefers last token usage over divergent totals`."""
    rows = _run([_event(1, (100, 20, 10), (100, 20, 10)), _event(2, (160, 40, 16), (60, 20, 6)),
                 _event(3, (1000, 900, 100), (40, 30, 5)), _event(4, (1050, 930, 110), (50, 30, 10))])
    assert _sum(rows) == [250, 100, 31]


def test_model_names_normalize_like_codexbar():
    pricing = load()
    assert pricing.normalize_codex("openai/gpt-5.5") == "gpt-5.5"
    assert pricing.normalize_codex("gpt-5.6") == "gpt-5.6-sol"
    assert pricing.normalize_codex("gpt-5-2025-08-07") == "gpt-5"
    assert pricing.normalize_codex("deepseek/deepseek-v3") == "deepseek/deepseek-v3"
    assert pricing.normalize_claude("us.anthropic.claude-sonnet-4-5-20250929-v1:0") == "claude-sonnet-4-5"
    assert pricing.normalize_claude("claude-opus-4-5-20251101") == "claude-opus-4-5"
    assert pricing.normalize_claude("claude-sonnet-4-20250514") == "claude-sonnet-4-20250514"
