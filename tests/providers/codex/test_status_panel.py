"""The `/status` panel parser (diagnostics only) on a recorded panel with ANSI colours."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from codexbar.providers.codex.errors import CodexError
from codexbar.providers.codex.status_parse import parse_status, reset_date
from tests.providers.codex.conftest import FIX

NOW = datetime(2026, 8, 3, 12, 0, tzinfo=timezone.utc)   # TZ=UTC in tests


def test_panel_with_ansi_resets_and_monthly_limit():
    panel = parse_status((FIX / "status-panel.txt").read_text(), NOW)
    assert panel.credits == 1557
    assert panel.session.dump() == {"usedPercent": 50, "windowMinutes": 300, "resetsAt": "2026-08-04T09:01:00Z",
                                    "resetDescription": "09:01"}
    assert panel.weekly.dump() == {"usedPercent": 15, "windowMinutes": 10080, "resetsAt": "2026-11-27T04:01:00Z",
                                   "resetDescription": "04:01 on 27 Nov"}
    assert panel.credit_limit == {"title": "Monthly credit limit", "used": 7761.0, "limit": 100000.0,
                                  "remaining": 92239.0, "remainingPercent": 92.0,
                                  "resetsAt": datetime(2027, 7, 1, 8, 0, tzinfo=timezone.utc), "updatedAt": NOW}


def test_weekly_only_panel():
    panel = parse_status("Weekly limit: [███       ] 30% left (resets 10:00 on Aug 5)\n", NOW)
    assert panel.session is None and panel.credits is None
    assert panel.weekly.usedPercent == 70 and panel.weekly.resetsAt == datetime(2026, 8, 5, 10, tzinfo=timezone.utc)


def test_reset_times_roll_forward():
    assert reset_date("13:30", NOW) == datetime(2026, 8, 3, 13, 30, tzinfo=timezone.utc)
    assert reset_date("11:59", NOW) == datetime(2026, 8, 4, 11, 59, tzinfo=timezone.utc)
    assert reset_date("tomorrow-ish", NOW) is None


@pytest.mark.parametrize("text, message", [
    ("5h limit: data not available yet", "Could not parse Codex status; will retry shortly."),
    ("✨ Update available! codex 0.51.0", "Codex CLI update needed: Run `bun install -g @openai/codex` to continue "
                                         "(update prompt blocking /status)."),
    ("nothing useful here", "Could not parse Codex status; will retry shortly."),
    ("", "Codex status probe timed out."),
])
def test_unusable_panels(text, message):
    with pytest.raises(CodexError) as caught:
        parse_status(text, NOW)
    assert caught.value.message == message
