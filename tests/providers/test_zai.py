"""z.ai end to end: recorded answers on a loopback server, our real HTTP layer and pipeline."""

from __future__ import annotations

import json

import pytest

from codexbar.env import Env
from codexbar.fetch import fetch
from support import zai
from support.run import run_cli

KEY = "zai-test-key-0000000000"


@pytest.fixture
def connected(monkeypatch, overrides):
    monkeypatch.setenv("Z_AI_API_KEY", KEY)
    overrides(*zai.ORIGINS)


def payload_of(outcome):
    assert outcome.error is None, outcome.error and outcome.error.message
    return outcome.payload


def test_normal_plan_maps_every_window_and_detail(connected, httpserver):
    zai.serve(httpserver)
    out = payload_of(fetch("zai", Env.from_process(), runtime="cli"))
    usage = out["usage"]
    assert out["provider"] == "zai" and out["source"] == "api"
    assert usage["primary"] == {"usedPercent": 25, "windowMinutes": 300, "resetsAt": "2026-08-03T15:15:00Z",
                                "resetDescription": "5-hour"}
    assert usage["secondary"] == {"usedPercent": 9, "windowMinutes": 10080, "resetsAt": "2026-08-09T16:00:00Z",
                                  "resetDescription": "1 week window"}
    assert usage["tertiary"] is None
    assert usage["extraRateWindows"] == [{"id": "zai-mcp", "title": "MCP", "window": {
        "usedPercent": 22.400000000000002 if False else usage["extraRateWindows"][0]["window"]["usedPercent"],
        "windowMinutes": 43200, "resetDescription": "MCP"}}]
    assert round(usage["extraRateWindows"][0]["window"]["usedPercent"], 6) == 22.4
    assert usage["loginMethod"] == "Pro" and usage["identity"] == {"providerID": "zai", "loginMethod": "Pro"}
    assert [d["title"] for d in usage["details"]] == ["Quota details", "Hourly tokens", "Daily tokens"]
    quota_rows = usage["details"][0]["rows"]
    assert quota_rows[0] == {"label": "Token quota", "value": "9% used"}
    assert quota_rows[1] == {"label": "Session token quota", "value": "25% used"}
    assert quota_rows[2] == {"label": "MCP quota", "value": "22.4% used", "secondaryValue": "1000 limit · 776 remaining"}
    assert quota_rows[3:] == [{"label": "search-prime", "value": "210"}, {"label": "web-reader", "value": "14"}]
    hourly = usage["details"][1]
    assert hourly["rows"] == [{"label": "glm-4.6", "value": "400"}, {"label": "glm-4.5", "value": "75"}]
    assert hourly["chart"] == {"kind": "bars", "title": "Hourly tokens", "unit": "tokens", "points": [
        {"label": "2026-08-03 10:00", "value": 150}, {"label": "2026-08-03 11:00", "value": 25},
        {"label": "2026-08-03 12:00", "value": 300}]}
    daily = usage["details"][2]
    assert daily["rows"] == [{"label": "glm-4.5-air", "value": "2400"}, {"label": "glm-4.6", "value": "2400"}]


def test_request_carries_bearer_and_model_usage_is_called_twice(connected, httpserver):
    zai.serve(httpserver)
    fetch("zai", Env.from_process(), runtime="cli")
    quota_calls = [r for r, _ in httpserver.log if r.path == zai.QUOTA]
    usage_calls = [r for r, _ in httpserver.log if r.path == zai.MODEL_USAGE]
    assert len(quota_calls) == 1 and len(usage_calls) == 2
    assert quota_calls[0].headers["Authorization"] == "Bearer " + KEY
    assert quota_calls[0].headers["Accept"] == "application/json"
    assert not any(r.path == zai.BALANCE for r, _ in httpserver.log)   # global region: no balance call


def test_fractional_usage_from_counts(connected, httpserver):
    zai.serve(httpserver, quota="quota-fractional.json", hourly=None, daily=None)
    usage = payload_of(fetch("zai", Env.from_process(), runtime="cli"))["usage"]
    assert usage["primary"]["usedPercent"] == pytest.approx(100 / 3)
    assert usage["details"][0]["rows"][1] == {"label": "Session token quota", "value": "33.3% used",
                                              "secondaryValue": "3000 limit · 2000 remaining"}
    assert usage["loginMethod"] == "Lite"


def test_single_credit_limit_30_days(connected, httpserver):
    zai.serve(httpserver, quota="quota-credit-30d.json", hourly=None, daily=None)
    usage = payload_of(fetch("zai", Env.from_process(), runtime="cli"))["usage"]
    assert usage["primary"]["windowMinutes"] == 43200
    assert usage["primary"]["resetDescription"] == "30 days window"
    assert usage["primary"]["usedPercent"] == 20          # max(500-400, 90) / 500
    assert usage["secondary"] is None
    rows = usage["details"][0]["rows"]
    assert rows[0]["label"] == "Credit quota"
    # Monday 12:00 UTC is off-peak; next peak Tuesday 06:00 UTC
    assert rows[1] == {"label": "Quota rate", "value": "Off-peak", "secondaryValue": "peak in 18h"}


def test_lone_time_limit_becomes_primary_and_unknown_types_are_ignored(connected, httpserver):
    zai.serve(httpserver, quota="quota-time-only.json", hourly="model-usage-empty.json", daily=None)
    usage = payload_of(fetch("zai", Env.from_process(), runtime="cli"))["usage"]
    assert usage["primary"] == {"usedPercent": 40, "windowMinutes": 300, "resetDescription": "MCP"}
    assert "extraRateWindows" not in usage
    assert [d["title"] for d in usage["details"]] == ["Quota details"]


def test_cn_region_balance_row(monkeypatch, connected, httpserver, config_file):
    config_file([{"id": "zai", "enabled": True, "region": "bigmodel-cn"}])
    zai.serve(httpserver, quota="quota-cn-usage.json", hourly=None, daily=None)
    httpserver.expect_request(zai.BALANCE).respond_with_data(zai.body("balance-cn.json"), content_type="application/json")
    usage = payload_of(fetch("zai", Env.from_process(), runtime="cli"))["usage"]
    assert usage["primary"]["usedPercent"] == 42
    assert usage["details"][0]["rows"][-1] == {"label": "Account balance", "value": "¥40.00",
                                               "secondaryValue": "recharged ¥100.00 · granted ¥20.00 · spent ¥77.50"}


def test_cn_balance_nulls_and_failure(monkeypatch, connected, httpserver, config_file):
    config_file([{"id": "zai", "enabled": True, "region": "bigmodel-cn"}])
    zai.serve(httpserver, quota="quota-cn-usage.json", hourly=None, daily=None)
    httpserver.expect_request(zai.BALANCE).respond_with_data(zai.body("balance-cn-nulls.json"),
                                                             content_type="application/json")
    rows = payload_of(fetch("zai", Env.from_process(), runtime="cli"))["usage"]["details"][0]["rows"]
    assert rows[-1] == {"label": "Account balance", "value": "¥42.50", "secondaryValue": "granted ¥5.00"}


def test_cn_balance_500_keeps_quota(monkeypatch, connected, httpserver, config_file):
    config_file([{"id": "zai", "enabled": True, "region": "bigmodel-cn"}])
    zai.serve(httpserver, quota="quota-cn-usage.json", hourly=None, daily=None)
    httpserver.expect_request(zai.BALANCE).respond_with_data("oops", status=500)
    usage = payload_of(fetch("zai", Env.from_process(), runtime="cli"))["usage"]
    assert usage["primary"]["usedPercent"] == 42
    assert [r["label"] for r in usage["details"][0]["rows"]] == ["Token quota"]


def test_bigmodel_key_only_used_in_cn(monkeypatch, overrides, httpserver, config_file):
    overrides(*zai.ORIGINS)
    monkeypatch.setenv("BIGMODEL_API_KEY", "bigmodel-key-123456")
    outcome = fetch("zai", Env.from_process(), runtime="cli")
    assert outcome.error is not None and outcome.error.kind == "missing_credential"
    config_file([{"id": "zai", "region": "bigmodel-cn"}])
    zai.serve(httpserver, hourly=None, daily=None)
    assert payload_of(fetch("zai", Env.from_process(), runtime="cli"))["usage"]["primary"]["usedPercent"] == 25
    assert httpserver.log[0][0].headers["Authorization"] == "Bearer bigmodel-key-123456"


def test_config_api_key_wins_and_is_trimmed(monkeypatch, overrides, httpserver, config_file):
    overrides(*zai.ORIGINS)
    monkeypatch.setenv("Z_AI_API_KEY", "env-key-should-lose")
    config_file([{"id": "zai", "apiKey": "  \"config-key-abc\"  "}])
    zai.serve(httpserver, hourly=None, daily=None)
    payload_of(fetch("zai", Env.from_process(), runtime="cli"))
    assert httpserver.log[0][0].headers["Authorization"] == "Bearer config-key-abc"


def test_team_scope_query_and_headers(monkeypatch, overrides, httpserver, config_file):
    overrides(*zai.ORIGINS)
    monkeypatch.setenv("Z_AI_QUOTA_URL", "https://api.z.ai/api/monitor/usage/quota/limit?keep=1&type=9")
    config_file([{"id": "zai", "tokenAccounts": {"version": 1, "activeIndex": 0, "accounts": [
        {"id": "00000000-0000-0000-0000-000000000001", "label": "Team", "token": "team-token-0001",
         "addedAt": 0, "usageScope": "team", "organizationId": " org-8812 ", "workspaceID": "proj-4410"}]}}])
    httpserver.expect_request(zai.QUOTA, query_string="keep=1&type=2").respond_with_data(
        zai.body("quota-normal.json"), content_type="application/json")
    httpserver.expect_request(zai.MODEL_USAGE).respond_with_data(zai.body("model-usage-empty.json"),
                                                                 content_type="application/json")
    out = payload_of(fetch("zai", Env.from_process(), runtime="cli"))
    assert out["account"] == "Team"
    quota_request = httpserver.log[0][0]
    assert quota_request.headers["Bigmodel-Organization"] == "org-8812"
    assert quota_request.headers["Bigmodel-Project"] == "proj-4410"
    assert quota_request.headers["Authorization"] == "Bearer team-token-0001"
    usage_requests = [r for r, _ in httpserver.log if r.path == zai.MODEL_USAGE]
    assert len(usage_requests) == 2 and all(r.args.get("type") == "3" for r in usage_requests)


def test_team_scope_without_ids_is_rejected(overrides, httpserver, config_file):
    overrides(*zai.ORIGINS)
    config_file([{"id": "zai", "tokenAccounts": {"version": 1, "accounts": [
        {"id": "00000000-0000-0000-0000-000000000001", "label": "Team", "token": "team-token-0001",
         "usageScope": "team", "organizationId": "org-1"}]}}])
    outcome = fetch("zai", Env.from_process(), runtime="cli")
    assert outcome.error.message == "z.ai BigModel team usage requires both Organization ID and Project ID."
    assert httpserver.log == []


@pytest.mark.parametrize("value", ["http://attacker.test", "https://user:pw@proxy.test"])
def test_insecure_host_override_is_rejected_before_any_request(monkeypatch, connected, httpserver, value):
    monkeypatch.setenv("Z_AI_API_HOST", value)
    outcome = fetch("zai", Env.from_process(), runtime="cli")
    assert outcome.error.message == "z.ai endpoint override Z_AI_API_HOST must use HTTPS or a bare host."
    assert httpserver.log == []


def test_host_override_must_match_region(monkeypatch, connected, httpserver):
    monkeypatch.setenv("Z_AI_API_HOST", "open.bigmodel.cn")
    outcome = fetch("zai", Env.from_process(), runtime="cli")
    assert outcome.error.message == ("z.ai endpoint override Z_AI_API_HOST does not match the selected "
                                     "BigModel CN (open.bigmodel.cn) region.")


def test_bare_proxy_host_moves_quota_and_model_usage(monkeypatch, httpserver):
    monkeypatch.setenv("Z_AI_API_KEY", KEY)
    monkeypatch.setenv("Z_AI_API_HOST", "proxy.example.test")
    base = httpserver.url_for("").rstrip("/")
    monkeypatch.setenv("CODEXBAR_ENDPOINT_OVERRIDES", json.dumps({"https://proxy.example.test": base}))
    zai.serve(httpserver)
    out = payload_of(fetch("zai", Env.from_process(), runtime="cli"))
    assert out["usage"]["primary"]["usedPercent"] == 25
    assert len([r for r, _ in httpserver.log if r.path == zai.MODEL_USAGE]) == 2


@pytest.mark.parametrize("fixture,status,content_type,kind,message", [
    ("quota-normal.json", 401, "application/json", "auth_expired", "z.ai rejected the credentials (HTTP 401)."),
    ("quota-normal.json", 404, "application/json", "unavailable", "z.ai request returned HTTP 404."),
    ("error.html", 200, "text/html", "parse", "z.ai returned a web page instead of JSON (HTTP 200)."),
    ("quota-api-error.json", 200, "application/json", "unavailable", "z.ai quota API error: Token expired or invalid"),
    ("quota-no-limits.json", 200, "application/json", "parse", "Failed to parse z.ai quota data."),
    ("quota-float-percentage.json", 200, "application/json", "parse",
     "Failed to parse z.ai limit entry (percentage must be an integer)."),
])
def test_failures_are_one_clear_line(connected, httpserver, fixture, status, content_type, kind, message):
    zai.serve(httpserver, quota=fixture, status=status, content_type=content_type, hourly=None, daily=None)
    outcome = fetch("zai", Env.from_process(), runtime="cli")
    assert outcome.payload is None
    assert (outcome.error.kind, outcome.error.message) == (kind, message)
    assert KEY not in outcome.error.message


def test_invalid_json(connected, httpserver):
    httpserver.expect_request(zai.QUOTA).respond_with_data('{"code":200,', content_type="application/json")
    outcome = fetch("zai", Env.from_process(), runtime="cli")
    assert (outcome.error.kind, outcome.error.message) == ("parse", "z.ai returned invalid JSON.")


def test_429_is_retried_once_then_reported(connected, httpserver):
    for _ in range(2):
        httpserver.expect_ordered_request(zai.QUOTA).respond_with_data(
            "{}", status=429, headers={"Retry-After": "0"})
    outcome = fetch("zai", Env.from_process(), runtime="cli")
    assert (outcome.error.kind, outcome.error.message) == ("rate_limited", "z.ai is rate limiting requests (HTTP 429).")
    assert len([r for r, _ in httpserver.log if r.path == zai.QUOTA]) == 2


def test_503_then_success_recovers(connected, httpserver):
    httpserver.expect_ordered_request(zai.QUOTA).respond_with_data("busy", status=503, headers={"Retry-After": "0"})
    httpserver.expect_ordered_request(zai.QUOTA).respond_with_data(zai.body("quota-normal.json"),
                                                                   content_type="application/json")
    httpserver.expect_request(zai.MODEL_USAGE).respond_with_data(zai.body("model-usage-empty.json"),
                                                                 content_type="application/json")
    assert payload_of(fetch("zai", Env.from_process(), runtime="cli"))["usage"]["primary"]["usedPercent"] == 25


def test_timeout_is_reported(monkeypatch, connected, httpserver):
    import time

    monkeypatch.setenv("CODEXBAR_FETCH_TIMEOUT", "1")
    httpserver.expect_request(zai.QUOTA).respond_with_handler(lambda request: time.sleep(2.5) or None)
    outcome = fetch("zai", Env.from_process(), runtime="cli")
    assert outcome.error.kind == "timeout"
    assert outcome.error.message == "z.ai did not answer within 1 s."


def test_cli_json_shape_matches_codexbar(connected, httpserver):
    zai.serve(httpserver)
    result = run_cli(["usage", "--provider", "zai", "--format", "json"])
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == 1
    element = data[0]
    assert set(element) == {"provider", "source", "usage", "pace"}
    assert element["usage"]["primary"]["usedPercent"] == 25
    assert element["pace"]["primary"] == {"stage": "behind", "deltaPercent": -10, "expectedUsedPercent": 35,
                                          "willLastToReset": True,
                                          "summary": "10% in reserve | Expected 35% used | Lasts until reset"}
    assert KEY not in result.stdout + result.stderr


def test_cli_text_block(connected, httpserver):
    zai.serve(httpserver)
    result = run_cli(["usage", "--provider", "z.ai"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:8] == [
        "== z.ai / GLM (api) ==",
        "5-hour: 75% left [=========---]",
        "Pace: 10% in reserve | Expected 35% used | Lasts until reset",
        "Resets in 3h 15m",
        "Weekly: 91% left [==========--]",
        "Pace: 3% in reserve | Expected 12% used | Lasts until reset",
        "Resets in 6d 4h",
        "MCP: 78% left [=========---]",
    ]
    assert "Plan: Pro" in lines
    assert "Token quota: 9% used" in lines
    assert "\x1b[" not in result.stdout     # not a TTY: no colour


def test_cli_error_exit_codes_and_json_error(connected, httpserver):
    zai.serve(httpserver, quota="error.html", content_type="text/html", hourly=None, daily=None)
    result = run_cli(["usage", "--provider", "zai", "--json"])
    assert result.returncode == 3
    assert json.loads(result.stdout) == [{"provider": "zai", "source": "auto", "error": {
        "code": 3, "message": "z.ai returned a web page instead of JSON (HTTP 200).", "kind": "provider"}}]
    text = run_cli(["usage", "--provider", "zai"])
    assert text.returncode == 3
    assert "Error: z.ai / GLM: z.ai returned a web page instead of JSON (HTTP 200)." in text.stderr
    assert "Traceback" not in text.stderr


def test_cli_no_key_says_how_to_connect():
    result = run_cli(["usage", "--provider", "zai"])
    assert result.returncode == 1
    assert "Not connected: no API key (Z_AI_API_KEY or config apiKey)." in result.stdout
    assert "Set Z_AI_API_KEY" in result.stdout
    assert "Traceback" not in result.stderr
