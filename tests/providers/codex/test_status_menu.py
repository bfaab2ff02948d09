"""The provider menu with its status page: component submenu and incident line, from a real
background refresh against recorded status feeds on the loopback server."""

from __future__ import annotations

from support.run import lint, run_plugin

from .conftest import RESET, USAGE

STATUS_FIX = __import__("pathlib").Path(__file__).resolve().parents[3] / "fixtures" / "status" / "openai"


def test_codex_menu_shows_status_components_and_incident(codex_auth, chatgpt, overrides, httpserver):
    codex_auth("oauth.json")
    chatgpt(USAGE, "usage-normal.json")
    chatgpt(RESET, "reset-credits.json")
    overrides("https://status.openai.com")
    httpserver.expect_request("/proxy/status.openai.com").respond_with_data(
        (STATUS_FIX / "proxy.json").read_text(), content_type="application/json")
    httpserver.expect_request("/api/v2/status.json").respond_with_data(
        (STATUS_FIX / "status-minor.json").read_text(), content_type="application/json")
    result = run_plugin("codex.5m.py")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("Status Page | href=https://status.openai.com/")
    assert lines[start:start + 11] == [
        "Status Page | href=https://status.openai.com/",
        "--● Codex — Degraded performance | color=orange",
        "----● CLI — Degraded performance | color=orange",
        "----● Codex Web — Operational | color=green",
        "--● APIs — Major outage | color=red",
        "----● Responses — Operational | color=green",
        "----● Fine-tuning — Major outage | color=red",
        "--● FedRAMP — Operational | color=green",
        "-----",
        "--Open Status Page | href=https://status.openai.com/",
        "Increased Codex CLI latency — Updated 39m ago",
    ]
    assert "Open status page | href=https://status.openai.com/" not in lines   # replaced by the submenu
    assert lint(result.stdout).returncode == 0


def test_usage_status_flag_adds_status_to_json_and_text(codex_auth, chatgpt, overrides, httpserver):
    import json

    from support.run import run_cli

    codex_auth("oauth.json")
    chatgpt(USAGE, "usage-normal.json")
    chatgpt(RESET, "reset-credits.json")
    overrides("https://status.openai.com")
    httpserver.expect_request("/api/v2/status.json").respond_with_data(
        (STATUS_FIX / "status-minor.json").read_text(), content_type="application/json")
    result = run_cli(["usage", "--provider", "codex", "--status", "--format", "json"])
    assert result.returncode == 0, result.stderr
    (element,) = json.loads(result.stdout)
    assert element["status"] == {"indicator": "minor", "description": "Increased Codex CLI latency",
                                 "updatedAt": "2026-08-03T11:20:05Z", "url": "https://status.openai.com/"}
    text = run_cli(["usage", "--provider", "codex", "--status"])
    assert text.stdout.splitlines()[-1] == "Status: Partial outage – Increased Codex CLI latency"


def test_xbar_gets_a_strict_menu_for_codex(codex_auth, chatgpt, monkeypatch):
    codex_auth("oauth.json")
    chatgpt(USAGE, "usage-spark.json")
    chatgpt(RESET, "reset-credits.json")
    monkeypatch.setenv("XBARDarkMode", "false")
    result = run_plugin("codex.5m.py", env={"SWIFTBAR": ""})
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == "Codex 78% | color=green"
    checked = lint(result.stdout, strict_xbar=True)
    assert checked.returncode == 0, checked.stdout
