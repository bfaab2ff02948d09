"""The price table (codexbar/cost/pricing.json) and the §5 formulas, in exact nano-dollars."""

from __future__ import annotations

import json

from codexbar.cost.pricing import TABLE_PATH, load
from codexbar.cost.timeutil import parse_ms

BEFORE = parse_ms("2026-03-01T00:00:00Z")
AFTER = parse_ms("2026-08-01T00:00:00Z")


def test_table_shape_every_rate_is_an_exact_decimal():
    data = json.loads(TABLE_PATH.read_text())
    for family in ("codex", "claude"):
        for model, entry in data[family].items():
            tiers = [entry] + entry.get("historical", [])
            tiers += [t["longContext"] for t in list(tiers) if "longContext" in t]
            for tier in tiers:
                assert {"input", "output"} <= set(tier), model
                assert tier is entry or "threshold" in tier or "before" in tier, model
                for key in ("input", "output", "cacheRead", "cacheWrite"):
                    if key in tier:
                        assert round(tier[key] * 1000) == tier[key] * 1000, (model, key)


def test_codex_long_context_and_historical_prices():
    p = load()
    # gpt-5.6-terra: 2.5/M before 2026-07-30, 2/M after; 4/M above 272k input per request
    assert p.codex_cost("gpt-5.6-terra", parse_ms("2026-07-29T23:59:59Z"), 1000, 0, 0) == 2_500_000
    assert p.codex_cost("gpt-5.6-terra", AFTER, 1000, 0, 0) == 2_000_000
    assert p.codex_cost("gpt-5.6-terra", AFTER, 300_000, 0, 0) == 300_000 * 4000
    assert p.codex_cost("gpt-5.4", AFTER, 272_000, 0, 100) == 272_000 * 2500 + 100 * 15000  # not above
    # no cache-read price → cached input costs the input price (gpt-5-pro 15/M)
    assert p.codex_cost("gpt-5-pro", AFTER, 1000, 1000, 0) == 15_000_000
    assert p.codex_cost("gpt-5.3-codex-spark", AFTER, 1000, 0, 10) == 0
    assert p.codex_label("gpt-5.3-codex-spark") == "Research Preview"
    assert p.codex_cost("unknown", AFTER, 1000, 0, 0) is None


def test_claude_tiers_and_one_hour_cache():
    p = load()
    # claude-opus-4-6 had a >200k tier (10/M input) only before 2026-03-13
    assert p.claude_cost("claude-opus-4-6", BEFORE, 250_000, 0, 0, 0, 0) == 250_000 * 10_000
    assert p.claude_cost("claude-opus-4-6", AFTER, 250_000, 0, 0, 0, 0) == 250_000 * 5_000
    # sonnet-4-5: prompt = input + cache read + cache write; 200000 exactly is not above
    assert p.claude_cost("claude-sonnet-4-5", AFTER, 100_000, 50_000, 50_000, 0, 0) == (
        100_000 * 3000 + 50_000 * 300 + 50_000 * 3750)
    assert p.claude_cost("claude-sonnet-4-5", AFTER, 100_001, 50_000, 50_000, 0, 0) == (
        100_001 * 6000 + 50_000 * 600 + 50_000 * 7500)
    # 1-hour cache writes cost 2× input; the 1h part is clamped to the cache write total
    assert p.claude_cost("claude-haiku-4-5", AFTER, 0, 0, 100, 40, 0) == 60 * 1250 + 40 * 2000
    assert p.claude_cost("claude-haiku-4-5", AFTER, 0, 0, 100, 500, 0) == 100 * 2000
    assert p.claude_cost("claude-mystery-9", AFTER, 1, 0, 0, 0, 0) is None
