"""The `claude` /usage panel parser on recorded captures (spec §7, §9 CLI rows)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from codexbar.errors import FetchError
from codexbar.providers.claude import panel, resets

from .conftest import fixture_text

NOW = datetime(2026, 8, 3, 12, 0, tzinfo=timezone.utc)
STATUS = fixture_text("cli/status-normal.txt")


def parsed(name, status=STATUS):
    return panel.parse_panel(fixture_text("cli/" + name), status)


def test_recorded_panel_with_status_identity():
    result = parsed("usage-normal.txt")
    assert (result.session_left, result.weekly_left, result.model_left) == (85, 97, 99)
    assert result.session_reset == "Resets 11:30pm (Asia/Calcutta)"
    assert result.weekly_reset == "Resets Aug 7 at 1:30pm (Asia/Calcutta)"
    assert (result.email, result.organization, result.login_method) == ("user@example.com", "Example Org", "Max")


def test_snapshot_json_for_the_recorded_panel():
    data = panel.snapshot(parsed("usage-normal.txt"), NOW, timezone.utc).dump()
    assert data["primary"] == {"usedPercent": 15, "windowMinutes": 300, "resetsAt": "2026-08-03T18:00:00Z",
                               "resetDescription": "Resets 11:30pm (Asia/Calcutta)"}
    assert data["secondary"] == {"usedPercent": 3, "windowMinutes": 10080, "resetsAt": "2026-08-07T08:00:00Z",
                                 "resetDescription": "Resets Aug 7 at 1:30pm (Asia/Calcutta)"}
    assert data["tertiary"]["usedPercent"] == 1
    assert data["dataConfidence"] == "percentOnly"
    assert (data["accountEmail"], data["accountOrganization"], data["loginMethod"]) == (
        "user@example.com", "Example Org", "Max")
    assert "extraRateWindows" not in data and "providerCost" not in data


def test_status_bar_zero_percent_is_not_the_session():
    # the capture starts with a status line "… | Opus 4.5 | default | 0%": it must not win
    assert parsed("usage-normal.txt").session_left == 85


def test_cr_only_line_endings_and_no_reset_promotion():
    result = parsed("usage-cr-only.txt")
    assert (result.session_left, result.weekly_left, result.model_left) == (83, 96, 97)
    assert result.session_reset == "Resets 12:59pm (Europe/Paris)"
    assert result.model_reset == "Resets Aug 5 at 3:59am (Europe/Paris)"
    text = "Current session\n17% used\nCurrent week (all models)\n4% used\nResets Dec 24 at 3:59pm (Europe/Paris)\n"
    only_weekly = panel.parse_panel(text)
    assert only_weekly.session_reset is None
    assert only_weekly.weekly_reset == "Resets Dec 24 at 3:59pm (Europe/Paris)"


def test_compact_capture_still_parses():
    result = parsed("usage-compact.txt", None)
    assert (result.session_left, result.weekly_left, result.model_left) == (94, 96, 99)
    assert result.weekly_reset == "ResetsAug7at1:29pm(Asia/Calcutta)"
    when = resets.parse_reset(result.weekly_reset, NOW, timezone.utc, 7 * 86400)
    assert when == datetime(2026, 8, 7, 7, 59, tzinfo=timezone.utc)


def test_scoped_weekly_panels_and_garbled_all_models_duplicate():
    data = panel.snapshot(parsed("usage-scoped.txt"), NOW, timezone.utc).dump()
    assert data["secondary"]["usedPercent"] == 40
    assert data["extraRateWindows"] == [
        {"id": "claude-weekly-scoped-fable", "title": "Fable only",
         "window": {"usedPercent": 68, "windowMinutes": 10080, "resetsAt": "2026-08-06T02:59:00Z",
                    "resetDescription": "Reset Aug 6 at 2:59am (UTC)"}},
        {"id": "claude-weekly-scoped-example-model", "title": "Example Model only",
         "window": {"usedPercent": 10, "windowMinutes": 10080, "resetsAt": "2026-08-07T02:59:00Z",
                    "resetDescription": "Resets Aug 7 at 2:59am (UTC)"}},
    ]


@pytest.mark.parametrize("name, kind, message", [
    ("usage-loading.txt", "parse", "Could not parse Claude usage: Claude CLI /usage is still loading usage data."),
    ("usage-token-expired.txt", "auth_expired",
     "OAuth token has expired. Please obtain a new token or refresh your existing token. (token_expired). "
     "Run `claude login` to refresh."),
    ("usage-rate-limited.txt", "rate_limited",
     "Could not parse Claude usage: Claude CLI usage endpoint is rate limited right now. Please try again later."),
    ("usage-subscription.txt", "unavailable",
     "Could not parse Claude usage: Claude CLI /usage returned a subscription notice without session quota data. "
     "Local cost and token history remain available."),
])
def test_cli_errors(name, kind, message):
    with pytest.raises(FetchError) as caught:
        parsed(name)
    assert (caught.value.kind, caught.value.message) == (kind, message)
    assert caught.value.hint


def test_trust_prompt_names_the_folder():
    with pytest.raises(FetchError) as caught:
        parsed("usage-trust-prompt.txt")
    assert "/Users/example/My Project" in caught.value.message
    assert 'cd "/Users/example/My Project" && claude' in caught.value.message


def test_permission_error_json_is_an_auth_error():
    text = ('Error: Failed to load usage data: {"error":{"type":"permission_error","message":"API Error: 403"}}')
    with pytest.raises(FetchError) as caught:
        panel.parse_panel(text)
    assert caught.value.kind == "auth_expired"
    assert caught.value.message == "Claude CLI authentication error: API Error: 403. Run `claude login`."


def test_status_only_output_is_missing_session():
    text = "Claude Code v2.1.29\n22:47 |  | Opus 4.5 | default | 0%\nSettings: Status Config Usage\n"
    with pytest.raises(FetchError) as caught:
        panel.parse_panel(text)
    assert caught.value.message == "Could not parse Claude usage: Missing Current session."
    assert caught.value.exit_code == 3


def test_login_method_from_account_line_with_ansi_noise():
    text = ("Current session\n10% used\nCurrent week (all models)\n20% used\nCurrent week (Opus)\n30% used\n"
            "Settings: Status   Config   Usage\n\nLogin method: \x1b[22mClaude Max Account\x1b[0m\n"
            "Account: user@example.com\nOrg: ACME\n")
    result = panel.parse_panel(text)
    assert (result.login_method, result.email, result.organization) == ("Max", "user@example.com", "ACME")
    assert result.model_left == 70


def test_org_equal_to_email_is_dropped():
    text = "Current session\n10% used\nAccount: a@example.com\nOrg: a@example.com's Organization\n"
    assert panel.parse_panel(text).organization is None


@pytest.mark.parametrize("text, window, expected", [
    ("Resets 11:30pm (Asia/Calcutta)", 300, datetime(2026, 8, 3, 18, 0, tzinfo=timezone.utc)),
    ("Resets 4pm", 300, datetime(2026, 8, 3, 16, 0, tzinfo=timezone.utc)),
    ("Resets 1:15am", 10080, datetime(2026, 8, 4, 1, 15, tzinfo=timezone.utc)),
    # just passed and the next one is outside a 5-hour window: the past one is the real reset
    ("Resets 11:30am", 300, datetime(2026, 8, 3, 11, 30, tzinfo=timezone.utc)),
    ("Resets Jan 2, 2027, 10:59pm (Europe/Helsinki)", 10080, datetime(2027, 1, 2, 20, 59, tzinfo=timezone.utc)),
    ("Resets Aug 7 at 1pm (UTC)", 10080, datetime(2026, 8, 7, 13, 0, tzinfo=timezone.utc)),
    ("Resets Nov 27", 10080, None),
    ("", 300, None),
])
def test_reset_text_to_instant(text, window, expected):
    assert resets.parse_reset(text, NOW, timezone.utc, window * 60.0) == expected


def test_edit_distance_tolerates_garbled_all_models_only():
    assert panel._is_all_models("allmodls")
    assert panel._is_all_models("allmodelss")
    assert not panel._is_all_models("fable")
