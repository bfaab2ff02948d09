"""Rows every renderer shares, from payload dicts (what the cache stores)."""

from datetime import datetime, timezone

from codexbar import registry
from codexbar.render.text import provider_block
from codexbar.render.view import money_rows, pace_block

NOW = datetime(2026, 8, 3, 12, 0, tzinfo=timezone.utc)


def codex_payload(used_weekly: float) -> dict:
    return {"provider": "codex", "source": "oauth", "usage": {
        "primary": None,
        # 10 080-minute window with 4 days left: 3 of 7 days elapsed (expected 42.9 %)
        "secondary": {"usedPercent": used_weekly, "windowMinutes": 10080, "resetsAt": "2026-08-07T12:00:00Z"},
        "tertiary": None, "updatedAt": "2026-08-03T12:00:00Z",
        "codexResetCredits": {"availableCount": 2, "updatedAt": "2026-08-03T12:00:00Z", "credits": [
            {"id": "a", "status": "available", "reset_type": "weekly", "granted_at": "2026-08-01T00:00:00Z"},
            {"id": "b", "status": "available", "reset_type": "weekly", "granted_at": "2026-07-01T00:00:00Z",
             "expires_at": "2026-08-01T00:00:00Z"},
            {"id": "c", "status": "redeemed", "reset_type": "weekly", "granted_at": "2026-07-01T00:00:00Z"}]}}}


def test_codex_headroom_in_cli_and_json():
    desc = registry.descriptor("codex")
    pace = pace_block(codex_payload(10), desc, NOW)["secondary"]
    assert pace["summary"] == "33% in reserve | Expected 43% used | Lasts until reset | 6.8× headroom"
    text = provider_block(codex_payload(10), desc, NOW)
    assert "Pace: 33% in reserve | Expected 43% used | Lasts until reset | 6.8× headroom" in text.splitlines()
    # no headroom for providers without it
    zai = registry.descriptor("zai")
    payload = codex_payload(10)
    payload["usage"]["primary"], payload["usage"]["secondary"] = payload["usage"]["secondary"], None
    assert "headroom" not in pace_block(payload, zai, NOW)["primary"]["summary"]


def test_reset_credits_count_only_unexpired_available():
    rows = money_rows(codex_payload(10), NOW)
    assert [(r.label, r.value) for r in rows] == [("Limit reset credits", "1 available")]
