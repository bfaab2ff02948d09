"""What a signed-in Codex user sees: the real CLI and plugin as subprocesses, ChatGPT on a
loopback server, the fake `codex` on PATH. Same figures in the JSON, the text and the menu."""

from __future__ import annotations

import json

import pytest

from support.run import PYTHON, lint, run_cli, run_plugin
from tests.providers.codex.conftest import ACCESS, RESET, USAGE

GREEN = "color=#2E7D32,#81C784"
MUTED = "color=#6E6E73,#98989D"


@pytest.fixture
def signed_in(codex_auth, chatgpt, fake_codex):
    path = codex_auth("oauth.json")
    fake_codex("normal")
    chatgpt(USAGE, "usage-spark.json")
    chatgpt(RESET, "reset-credits.json")
    return path


def test_usage_json(signed_in):
    before = signed_in.read_bytes()
    result = run_cli(["usage", "--provider", "codex", "--format", "json"])
    assert result.returncode == 0, result.stderr
    (element,) = json.loads(result.stdout)
    assert element["provider"] == "codex" and element["source"] == "oauth" and element["version"] == "0.50.0"
    usage = element["usage"]
    assert usage["primary"] == {"usedPercent": 22, "windowMinutes": 300, "resetsAt": "2026-08-03T14:15:00Z",
                                "resetDescription": "2:15 PM"}
    assert usage["secondary"] == {"usedPercent": 43, "windowMinutes": 10080, "resetsAt": "2026-08-06T16:00:00Z",
                                  "resetDescription": "Aug 6, 4:00 PM"}
    assert [w["id"] for w in usage["extraRateWindows"]] == ["codex-spark", "codex-spark-weekly",
                                                            "codex-gpt-5-3-codex-mini"]
    assert usage["identity"] == {"providerID": "codex", "accountEmail": "dev@example.com", "loginMethod": "pro"}
    assert usage["codexResetCredits"]["availableCount"] == 1
    assert element["credits"] == {"remaining": 14.5, "events": [], "updatedAt": "2026-08-03T12:00:00Z"}
    assert element["pace"]["primary"]["summary"].startswith("33% in reserve | Expected 55% used | Lasts until reset")
    assert element["pace"]["secondary"]["summary"].startswith("12% in reserve | Expected 55% used | Lasts until reset")
    assert ACCESS not in result.stdout + result.stderr
    assert signed_in.read_bytes() == before          # no token rewritten
    cached = [p for p in (signed_in.parents[1] / ".cache").rglob("*") if p.is_file()]
    assert cached, "the CLI stores its result in the shared cache"
    for path in cached:
        data = path.read_bytes()
        assert ACCESS.encode() not in data and b"FAKE-oauth-refresh" not in data and b"eyJ" not in data, path


def test_usage_text(signed_in):
    result = run_cli(["usage", "--provider", "codex", "--no-color"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "== Codex 0.50.0 (oauth) =="
    assert lines[1] == "Session: 78% left [=========---]"
    assert lines[2].startswith("Pace: 33% in reserve | Expected 55% used | Lasts until reset")
    assert lines[3] == "Resets in 2h 15m"
    assert lines[4] == "Weekly: 57% left [======------]"
    assert lines[5].startswith("Pace: 12% in reserve | Expected 55% used | Lasts until reset")
    assert lines[6] == "Resets in 3d 4h"
    assert "Codex Spark 5-hour: 70% left [========----]" in lines
    assert "Credits: 14.5 left" in lines
    assert "Account: dev@example.com" in lines
    assert ACCESS not in result.stdout


def test_cli_source_text_matches_what_codex_reports(codex_auth, fake_codex):
    fake_codex("normal")
    result = run_cli(["usage", "--provider", "codex", "--source", "cli", "--no-color"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "== Codex 0.50.0 (codex-cli) =="
    assert lines[1] == "Session: 96% left [===========-]"       # 4.5 % used
    assert "Weekly: 81% left [=========---]" in lines            # 19 % used
    assert "Credits: 21 left" in lines


def test_plugin_menu(signed_in):
    result = run_plugin("codex.5m.py")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "Codex 78%% | %s sfimage=chevron.left.forwardslash.chevron.right" % GREEN
    assert lines[1] == "---"
    assert lines[2] == "Codex · oauth | size=12"
    assert lines[3] == "Session: 78%% left | %s" % GREEN
    assert lines[4] == "█████████░░░  Resets in 2h 15m | font=Menlo size=11"
    assert lines[5].startswith("Pace: 33% in reserve · Lasts until reset")
    assert lines[6] == "Weekly: 57%% left | %s" % GREEN
    assert lines[7] == "██████░░░░░░  Resets in 3d 4h | font=Menlo size=11"
    assert "Credits: 14.5 left" in lines
    assert "Account: dev@example.com | size=12" in lines
    assert "Buy credits… | href=https://chatgpt.com/codex/settings/usage" in lines
    assert ("Refresh | bash=%s param1=-m param2=codexbar param3=refresh param4=codex param5=--interactive "
            "terminal=false refresh=true" % PYTHON) in lines
    assert ACCESS not in result.stdout
    checked = lint(result.stdout)
    assert checked.returncode == 0, checked.stdout


def test_plan_is_shown_with_codexbar_display_names(signed_in):
    result = run_cli(["usage", "--provider", "codex", "--no-color"])
    assert "Plan: Pro 20x" in result.stdout.splitlines()
    menu = run_plugin("codex.5m.py")
    assert "Plan: Pro 20x | size=12" in menu.stdout.splitlines()


def test_plugin_shows_an_expired_login_without_leaking_the_token(codex_auth, chatgpt):
    codex_auth("oauth.json")
    chatgpt(USAGE, body='{"detail": "FAKE-oauth-access-token-0001 expired"}', status=401)
    result = run_plugin("codex.5m.py")
    assert result.returncode == 0 and result.stderr == ""
    assert "Codex OAuth token expired or invalid. Run `codex login` to re-authenticate." in result.stdout
    assert ACCESS not in result.stdout
    assert lint(result.stdout).returncode == 0


def test_web_source_exits_with_a_clear_message(codex_auth):
    result = run_cli(["usage", "--provider", "codex", "--source", "web", "--format", "json"])
    (element,) = json.loads(result.stdout)
    assert result.returncode == 1
    assert element["error"]["message"].startswith("The OpenAI web dashboard source (--source web) is not "
                                                  "available in codexbar")


def test_stale_login_menu_comes_from_the_codex_cli_without_touching_auth_json(codex_auth, chatgpt, fake_codex,
                                                                             httpserver):
    path = codex_auth("oauth-stale.json")
    before = path.read_bytes()
    fake_codex("normal")
    chatgpt(USAGE)
    result = run_plugin("codex.5m.py")
    lines = result.stdout.splitlines()
    assert lines[0] == "Codex 96%% | %s sfimage=chevron.left.forwardslash.chevron.right" % GREEN
    assert lines[2] == "Codex · codex-cli | size=12"
    assert "Credits: 21 left" in lines
    assert [r for r, _ in httpserver.log] == []          # the stale token was never sent
    assert path.read_bytes() == before
