"""What a Claude user sees: the real `codexbar` CLI and `plugins/claude.5m.py` as subprocesses,
Anthropic and claude.ai on a loopback server, the fake `claude` on PATH in a real PTY."""

from __future__ import annotations

import json

import pytest

from support.run import PYTHON, lint, lock_free, plugin_heavy_imports, run_cli, run_plugin, wait_for

from .conftest import ORIGINS, TOKEN, USAGE, fixture_json

GREEN = "color=#2E7D32,#81C784"
MUTED = "color=#6E6E73,#98989D"


@pytest.fixture
def anthropic(overrides, httpserver):
    overrides(*ORIGINS)
    return httpserver


@pytest.fixture
def signed_in(credentials, anthropic):
    path = credentials("max-20x.json")
    anthropic.expect_request(USAGE, headers={"Authorization": "Bearer " + TOKEN}).respond_with_json(
        fixture_json("oauth/usage-max.json"))
    return path


def test_plugin_menu_shows_three_lanes_extra_windows_and_spend(signed_in):
    before = signed_in.read_bytes()
    result = run_plugin("claude.5m.py")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[:20] == [
        "Claude 72%% | %s sfimage=sparkle" % GREEN,
        "---",
        "Claude · oauth | size=12",
        "Session: 72%% left | %s" % GREEN,
        "████████░░░░  Resets in 2h | font=Menlo size=11",
        "Pace: 32%% in reserve · Lasts until reset | size=11 %s" % MUTED,
        "Weekly: 41%% left | %s" % GREEN,
        "████░░░░░░░░  Resets in 3d 19h | font=Menlo size=11",
        "Pace: 13%% in deficit · Runs out in 2d 5h | size=11 %s" % MUTED,
        "Sonnet: 88%% left | %s" % GREEN,
        "██████████░░  Resets in 3d 19h | font=Menlo size=11",
        "Pace: 34%% in reserve · Lasts until reset | size=11 %s" % MUTED,
        "Fable only: 95%% left | %s" % GREEN,
        "███████████░  Resets in 3d 19h | font=Menlo size=11",
        "Daily Routines: 97%% left | %s" % GREEN,
        "███████████░  Resets in 3d 19h | font=Menlo size=11",
        "Extra usage: $12.34 / $50.00 · Monthly cap",
        "Plan: Claude Max 20x | size=12",
        "Updated just now | size=11 %s" % MUTED,
        "---",
    ]
    assert ("Refresh | bash=%s param1=-m param2=codexbar param3=refresh param4=claude param5=--interactive "
            "terminal=false refresh=true" % PYTHON) in lines
    assert "Open status page | href=https://status.claude.com/" in lines
    assert ("Import Claude credentials | bash=%s param1=-m param2=codexbar param3=login param4=claude "
            "terminal=false refresh=true" % PYTHON) in lines
    assert TOKEN not in result.stdout
    assert signed_in.read_bytes() == before  # Claude Code's file is never rewritten
    checked = lint(result.stdout)
    assert checked.returncode == 0, checked.stdout


def test_usage_json_with_oauth_source(signed_in):
    result = run_cli(["usage", "--provider", "claude", "--source", "oauth", "--format", "json"])
    assert result.returncode == 0, result.stderr
    (element,) = json.loads(result.stdout)
    assert (element["provider"], element["source"]) == ("claude", "oauth")
    usage = element["usage"]
    assert usage["primary"] == {"usedPercent": 28, "windowMinutes": 300, "resetsAt": "2026-08-03T14:00:00Z",
                                "resetDescription": "Aug 3 at 2:00PM"}
    assert usage["secondary"] == {"usedPercent": 59, "windowMinutes": 10080, "resetsAt": "2026-08-07T07:00:00Z",
                                  "resetDescription": "Aug 7 at 7:00AM"}
    assert usage["tertiary"] == {"usedPercent": 12, "windowMinutes": 10080, "resetsAt": "2026-08-07T07:00:00Z",
                                 "resetDescription": "Aug 7 at 7:00AM"}
    assert [w["id"] for w in usage["extraRateWindows"]] == ["claude-weekly-scoped-fable", "claude-routines"]
    assert usage["providerCost"] == {"used": 12.34, "limit": 50, "currencyCode": "USD", "period": "Monthly cap",
                                     "updatedAt": "2026-08-03T12:00:00Z"}
    assert usage["identity"] == {"providerID": "claude", "loginMethod": "Claude Max 20x"}
    assert element["pace"]["primary"]["summary"] == "32% in reserve | Expected 60% used | Lasts until reset"
    assert element["pace"]["secondary"]["summary"] == "13% in deficit | Expected 46% used | Runs out in 2d 5h"
    assert TOKEN not in result.stdout + result.stderr


def test_usage_text_with_oauth_source(signed_in):
    result = run_cli(["usage", "--provider", "claude", "--source", "oauth", "--no-color"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:4] == ["== Claude (oauth) ==", "Session: 72% left [========----]",
                         "Pace: 32% in reserve | Expected 60% used | Lasts until reset", "Resets in 2h"]
    assert "Sonnet: 88% left [==========--]" in lines
    assert "Fable only: 95% left [===========-]" in lines
    assert "Extra usage: $12.34 / $50.00 | Monthly cap" in lines
    assert "Plan: Claude Max 20x" in lines


def test_cli_auto_order_uses_the_web_session_first(anthropic, config_file):
    config_file([{"id": "claude", "enabled": True, "cookieHeader": "sessionKey=sk-ant-sid01-FAKEmanual"}])
    anthropic.expect_request("/api/organizations").respond_with_json(fixture_json("web/organizations.json"))
    anthropic.expect_request("/api/organizations/org-chat/usage").respond_with_json(fixture_json("web/usage.json"))
    anthropic.expect_request("/api/organizations/org-chat/overage_spend_limit").respond_with_json(
        fixture_json("web/overage.json"))
    anthropic.expect_request("/api/organizations/org-chat/prepaid/credits").respond_with_json(
        fixture_json("web/prepaid-eur.json"))
    anthropic.expect_request("/api/account").respond_with_json(fixture_json("web/account-team.json"))
    result = run_cli(["usage", "--provider", "claude", "--format", "json"])
    assert result.returncode == 0, result.stderr
    (element,) = json.loads(result.stdout)
    assert element["source"] == "web"
    usage = element["usage"]
    assert (usage["accountEmail"], usage["accountOrganization"], usage["loginMethod"]) == (
        "dev@example.com", "Chat Org", "Claude Team Standard")
    assert usage["providerCost"]["balance"] == 123.45
    assert "sk-ant-sid01-FAKEmanual" not in result.stdout + result.stderr


def test_cli_auto_falls_to_the_claude_cli(fake_claude, credentials):
    credentials("max-20x.json")  # OAuth is never tried by `codexbar usage` in auto (CodexBar's CLI order)
    result = run_cli(["usage", "--provider", "claude", "--format", "json"])
    assert result.returncode == 0, result.stderr
    (element,) = json.loads(result.stdout)
    assert (element["source"], element["version"]) == ("claude", "2.1.70")
    usage = element["usage"]
    assert (usage["primary"]["usedPercent"], usage["secondary"]["usedPercent"], usage["tertiary"]["usedPercent"]) == (15, 3, 1)
    assert usage["primary"]["resetDescription"] == "Resets 11:30pm (Asia/Calcutta)"
    assert (usage["accountEmail"], usage["loginMethod"]) == ("user@example.com", "Max")


def test_plugin_falls_back_to_the_cli_when_the_oauth_token_is_stale(fake_claude, credentials, anthropic):
    credentials("expired.json")
    result = run_plugin("claude.5m.py", env={"CODEXBAR_FIRST_FETCH_BUDGET": "40"}, timeout=90)
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "Claude 85%% | %s sfimage=sparkle" % GREEN
    assert lines[2] == "Claude · claude | size=12"
    assert lines[3] == "Session: 85%% left | %s" % GREEN
    assert "Weekly: 97%% left | %s" % GREEN in lines
    assert "Sonnet: 99%% left | %s" % GREEN in lines
    assert anthropic.log == []  # the expired CLI-owned token was never sent
    assert lint(result.stdout).returncode == 0


def test_missing_everything_gives_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no claude binary either
    result = run_cli(["usage", "--provider", "claude", "--source", "oauth", "--format", "json"])
    (element,) = json.loads(result.stdout)
    assert result.returncode == 1
    assert element["error"]["message"] == "Claude OAuth credentials not found. Run `claude` to authenticate."


def test_rate_limited_plugin_keeps_the_last_good_data(credentials, anthropic):
    credentials("max-20x.json")
    anthropic.expect_oneshot_request(USAGE).respond_with_json(fixture_json("oauth/usage-max.json"))
    first = run_plugin("claude.5m.py")
    assert first.stdout.splitlines()[0].startswith("Claude 72%")
    anthropic.expect_request(USAGE).respond_with_data('{"error":"rate_limited"}', status=429,
                                                      headers={"Retry-After": "300"})
    for _ in range(2):
        run_cli(["refresh", "claude"])
    shown = run_plugin("claude.5m.py", env={"CODEXBAR_TTL_SECONDS": "3600"})
    assert shown.returncode == 0
    assert "Session: 72%% left | %s" % GREEN in shown.stdout.splitlines()  # last good data kept
    assert "Claude OAuth usage endpoint is rate limited by Anthropic right now." in shown.stdout
    assert lint(shown.stdout).returncode == 0


def test_fresh_claude_menu_renders_without_heavy_imports(signed_in, anthropic, home):
    run_plugin("claude.5m.py")
    assert wait_for(lambda: lock_free(home, "claude"))   # any background refresh has let go
    hits = len(anthropic.log)
    stdout, heavy = plugin_heavy_imports("claude.5m.py")
    assert heavy == []
    assert stdout.splitlines()[0] == "Claude 72%% | %s sfimage=sparkle" % GREEN
    assert len(anthropic.log) == hits
