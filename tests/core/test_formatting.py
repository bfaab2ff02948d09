from datetime import datetime, timedelta, timezone

import pytest

from codexbar.render import formatting as fmt
from codexbar.render.json_out import dumps

NOW = datetime(2026, 8, 3, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("value,text", [(-1, "0%"), (0, "0%"), (0.1, "<1%"), (0.96, "<1%"), (1, "1%"),
                                        (1.5, "2%"), (2.5, "2%"), (99.5, "100%"), (101, "100%")])
def test_percent(value, text):
    assert fmt.percent_string(value) == text


@pytest.mark.parametrize("seconds,text", [(0.5, "now"), (601, "in 11m"), (3600, "in 1h"), (8100, "in 2h 15m"),
                                          (86341, "in 1d"), (26 * 3600 + 60, "in 1d 2h"), (86400 + 300, "in 1d 5m")])
def test_countdown(seconds, text):
    assert fmt.countdown(NOW + timedelta(seconds=seconds), NOW) == text


@pytest.mark.parametrize("count,text", [(0, "0"), (987, "987"), (-42, "-42"), (1200, "1.2K"), (1500, "1.5K"),
                                        (9000, "9K"), (15360, "15K"), (999999, "1000K"), (1234567, "1.2M"),
                                        (2500000000, "2.5B")])
def test_tokens(count, text):
    assert fmt.tokens(count) == text


@pytest.mark.parametrize("value,code,text", [(54.72, "USD", "$54.72"), (1234.56, "USD", "$1,234.56"),
                                             (-54.72, "USD", "-$54.72"), (0, "USD", "$0.00"), (0.001, "USD", "$0.00"),
                                             (54.72, "EUR", "€54.72"), (-1234.56, "EUR", "-€1,234.56"),
                                             (210, "CZK", "CZK 210.00"), (40, "CNY", "¥40.00")])
def test_currency(value, code, text):
    assert fmt.currency(value, code) == text


def test_compact_currency_and_credits():
    assert fmt.compact_currency(0.5) == "$0.50"
    assert fmt.compact_currency(12.56) == "$13"
    assert fmt.compact_currency(1515) == "$1,515"
    assert fmt.credits_left(42.5) == "42.5 left"
    assert fmt.credits_left(112) == "112 left"


def test_reset_line_provider_text():
    assert fmt.reset_line({"resetDescription": "resets in 3 days"}, NOW) == "Resets in 3 days"
    assert fmt.reset_line({"resetDescription": "Resets at 23:30 (UTC)"}, NOW) == "Resets at 23:30 (UTC)"
    assert fmt.reset_line({"resetDescription": "tomorrow"}, NOW) == "Resets tomorrow"
    assert fmt.reset_line({"resetDescription": "  "}, NOW) is None
    assert fmt.reset_line({"resetsAt": "2026-08-03T11:00:00Z"}, NOW) == "Resets now"
    assert fmt.reset_line({"resetsAt": "2026-08-03T14:15:00Z"}, NOW, absolute=True) == "Resets 2:15 PM"
    assert fmt.reset_line({"resetsAt": "2026-08-04T09:00:00Z"}, NOW, absolute=True) == "Resets tomorrow, 9:00 AM"
    assert fmt.reset_line({"resetsAt": "2026-08-05T09:00:00Z"}, NOW, absolute=True) == "Resets Aug 5, 9:00 AM"


def test_pace_reference_case():
    window = {"usedPercent": 79, "windowMinutes": 300, "resetsAt": (NOW + timedelta(seconds=5000)).isoformat()}
    pace = fmt.compute_pace(window, NOW, 300)
    assert fmt.pace_payload(pace, "session") == {
        "stage": "ahead", "deltaPercent": 7, "expectedUsedPercent": 72, "willLastToReset": False, "etaSeconds": 3456,
        "summary": "7% in deficit | Expected 72% used | Projected empty in 58m"}
    weekly = dict(window, windowMinutes=None)
    assert fmt.compute_pace(weekly, NOW, 10080).stage == "farBehind"


def test_pace_hidden_cases():
    soon = (NOW + timedelta(minutes=299)).isoformat()
    assert not fmt.pace_visible(fmt.compute_pace({"usedPercent": 0, "resetsAt": soon}, NOW, 300),
                                {"usedPercent": 0})   # expected < 3%
    assert fmt.compute_pace({"usedPercent": 50}, NOW, 300) is None
    exhausted = {"usedPercent": 100, "windowMinutes": 300, "resetsAt": (NOW + timedelta(hours=1)).isoformat()}
    assert not fmt.pace_visible(fmt.compute_pace(exhausted, NOW, 300), exhausted)


def test_model_names_and_bytes():
    assert fmt.model_display_name("claude-opus-4-5-20251101") == "claude-opus-4-5"
    assert fmt.model_display_name("gpt-4o-2024-08-06") == "gpt-4o"
    assert fmt.model_display_name("codex-auto-review") == "Codex Auto Review"
    assert fmt.byte_size(1536) == "1.5 KB" and fmt.byte_size(10240) == "10 KB" and fmt.byte_size(5 * 1024 ** 2) == "5 MB"


def test_json_encoding_rules():
    value = {"b": 28.0, "a": [1.5, datetime(2025, 12, 4, 19, 15, 0, 999999, tzinfo=timezone.utc)], "n": None}
    assert dumps(value) == '{"b":28,"a":[1.5,"2025-12-04T19:15:00Z"],"n":null}'
    assert dumps(value, pretty=True).splitlines()[1] == '  "a": ['
