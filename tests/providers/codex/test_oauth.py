"""OAuth end to end: auth.json in a temp home, ChatGPT answers from a loopback server, our real
HTTP layer and pipeline; the Codex CLI hand-off through the fake `codex`."""

from __future__ import annotations

import json
import time

import pytest
from werkzeug.wrappers import Response

from codexbar.env import Env
from codexbar.fetch import fetch
from tests.providers.codex.conftest import (ACCESS, ACCOUNT_ID, MONTHLY, RESET, USAGE, http_body,
                                            requests_to)

SESSION = {"usedPercent": 22, "windowMinutes": 300, "resetsAt": "2026-08-03T14:15:00Z", "resetDescription": "2:15 PM"}
WEEKLY = {"usedPercent": 43, "windowMinutes": 10080, "resetsAt": "2026-08-06T16:00:00Z",
          "resetDescription": "Aug 6, 4:00 PM"}
RESET_ID = "codex-reset-credit-v1-d9e81c0b244e1754e895e2e984d4608ace7273a1f63d3ce2759f3506f44a35d8"


def run(source_mode=None, **kwargs):
    return fetch("codex", Env.from_process(), runtime="cli", source_mode=source_mode, **kwargs)


def ok(outcome) -> dict:
    assert outcome.error is None, (outcome.error.kind, outcome.error.message)
    return outcome.payload


def test_oauth_payload_matches_codexbar(codex_auth, chatgpt):
    codex_auth("oauth.json")
    chatgpt(USAGE)
    chatgpt(RESET, "reset-credits.json")
    out = ok(run())
    redeemed_id = out["usage"]["codexResetCredits"]["credits"][1]["id"]
    assert out == {
        "provider": "codex", "source": "oauth",
        "usage": {
            "primary": SESSION, "secondary": WEEKLY, "tertiary": None,
            "dataConfidence": "exact", "updatedAt": "2026-08-03T12:00:00Z",
            "identity": {"providerID": "codex", "accountEmail": "dev@example.com", "loginMethod": "pro"},
            "accountEmail": "dev@example.com", "loginMethod": "pro",
            "codexResetCredits": {"credits": [
                {"id": RESET_ID, "reset_type": "weekly", "status": "available", "granted_at": "2026-08-01T00:00:00Z",
                 "expires_at": "2026-09-01T00:00:00Z", "title": "Weekly reset",
                 "description": "Resets your weekly Codex limit once."},
                {"id": redeemed_id, "reset_type": "weekly", "status": "redeemed", "granted_at": "2026-07-01T00:00:00Z",
                 "redeem_started_at": "2026-07-02T10:00:00Z", "redeemed_at": "2026-07-02T10:00:01Z"}],
                "availableCount": 1, "updatedAt": "2026-08-03T12:00:00Z"},
        },
        "credits": {"remaining": 14.5, "events": [], "updatedAt": "2026-08-03T12:00:00Z"},
    }
    assert redeemed_id.startswith("codex-reset-credit-v1-") and redeemed_id != RESET_ID


def test_requests_carry_the_codex_headers(codex_auth, chatgpt, httpserver):
    codex_auth("oauth.json")
    chatgpt(USAGE)
    chatgpt(RESET, "reset-credits.json")
    ok(run())
    (usage,) = requests_to(httpserver, USAGE)
    assert usage.headers["Authorization"] == "Bearer " + ACCESS
    assert usage.headers["User-Agent"] == "CodexBar"
    assert usage.headers["Accept"] == "application/json"
    assert usage.headers["ChatGPT-Account-Id"] == ACCOUNT_ID
    (reset,) = requests_to(httpserver, RESET)
    assert reset.headers["OpenAI-Beta"] == "codex-1" and reset.headers["originator"] == "Codex Desktop"
    assert reset.headers["ChatGPT-Account-ID"] == ACCOUNT_ID and reset.headers["User-Agent"] == "CodexBar"


def test_api_key_file_sends_the_key_without_an_account_header(codex_auth, chatgpt, httpserver):
    codex_auth("api-key.json")
    chatgpt(USAGE)
    out = ok(run())
    (usage,) = requests_to(httpserver, USAGE)
    assert usage.headers["Authorization"] == "Bearer sk-FAKE-placeholder"
    assert "ChatGPT-Account-Id" not in usage.headers
    assert out["usage"]["identity"] == {"providerID": "codex", "loginMethod": "pro"}
    assert "codexResetCredits" not in out["usage"]      # the reset-credit call failed: ignored


def test_spark_limits_show_as_extra_windows(codex_auth, chatgpt):
    codex_auth("oauth.json")
    chatgpt(USAGE, "usage-spark.json")
    usage = ok(run())["usage"]
    assert [(w["id"], w["title"], w["window"]["usedPercent"]) for w in usage["extraRateWindows"]] == [
        ("codex-spark", "Codex Spark 5-hour", 30), ("codex-spark-weekly", "Codex Spark Weekly", 100),
        ("codex-gpt-5-3-codex-mini", "GPT 5.3 Codex Mini", 12)]


def test_workspace_monthly_limit_from_spend_controls(codex_auth, chatgpt, httpserver):
    codex_auth("oauth.json")
    chatgpt(USAGE, "usage-team-monthly.json")
    chatgpt(MONTHLY, "monthly-usage.json")
    credits = ok(run())["credits"]
    assert credits == {"remaining": 0, "events": [], "updatedAt": "2026-08-03T12:00:00Z", "codexCreditLimit": {
        "title": "Monthly credit limit", "used": 250.5, "limit": 1000, "remaining": 749.5, "remainingPercent": 74.95,
        "updatedAt": "2026-08-03T12:00:00Z"}}
    (monthly,) = requests_to(httpserver, MONTHLY)
    assert monthly.headers["ChatGPT-Account-Id"] == ACCOUNT_ID


def test_monthly_lookup_failure_keeps_the_fetch(codex_auth, chatgpt):
    codex_auth("oauth.json")
    chatgpt(USAGE, "usage-team-monthly.json")
    chatgpt(MONTHLY, body="{}", status=500)
    assert ok(run())["credits"] == {"remaining": 0, "events": [], "updatedAt": "2026-08-03T12:00:00Z"}


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_login(codex_auth, chatgpt, status):
    codex_auth("oauth.json")
    chatgpt(USAGE, body='{"detail":"token expired"}', status=status)
    outcome = run()
    assert outcome.error.kind == "auth_expired"
    assert outcome.error.message == "Codex OAuth token expired or invalid. Run `codex login` to re-authenticate."
    assert outcome.error.hint


@pytest.mark.parametrize("status, body, kind, message", [
    (429, '{"detail":"slow down"}', "rate_limited", 'Codex API error 429: {"detail":"slow down"}'),
    (500, None, "unavailable", 'Codex API error 500: { "detail": "Internal error, request id req_FAKE" }'),
    (502, "html", "unavailable", "Codex API error 502."),
    (200, "html", "parse", "Invalid response from Codex usage API."),
    (200, '{"rate_limit": ', "parse", "Invalid response from Codex usage API."),
    (200, "", "parse", "Invalid response from Codex usage API."),
])
def test_server_problems_are_one_line_and_never_fall_back_to_the_cli(codex_auth, chatgpt, fake_codex,
                                                                     status, body, kind, message):
    codex_auth("oauth.json")
    codex = fake_codex("normal")
    if body is None:
        body = http_body("error-500.json")
    elif body == "html":
        body = http_body("error-502.html")
    chatgpt(USAGE, body=body, status=status, content_type="text/html" if "<html" in body else "application/json")
    outcome = run()
    assert (outcome.error.kind, outcome.error.message) == (kind, message)
    assert outcome.error.hint and "\n" not in outcome.error.message
    assert "app-server" not in json.dumps(codex.events())     # decode/5xx errors are surfaced, not retried


def test_a_slow_server_times_out(codex_auth, chatgpt, httpserver):
    codex_auth("oauth.json")

    def slow(_request):
        time.sleep(1.5)
        return Response(http_body("usage-normal.json"), content_type="application/json")

    httpserver.expect_request(USAGE).respond_with_handler(slow)
    started = time.monotonic()
    outcome = run(deadline_seconds=0.8)
    assert outcome.error.kind == "timeout" and outcome.error.hint
    assert time.monotonic() - started < 1.4


def test_unauthorized_in_auto_mode_falls_back_to_the_codex_cli(codex_auth, chatgpt, fake_codex):
    codex_auth("oauth.json")
    codex = fake_codex("normal")
    chatgpt(USAGE, status=401, body="{}")
    outcome = run()
    out = ok(outcome)
    assert out["source"] == "codex-cli" and out["version"] == "0.50.0"
    assert [(a.source, a.error_kind) for a in outcome.attempts] == [("api", None), ("oauth", "auth_expired"),
                                                                    ("cli", None)]
    assert codex.methods() == ["initialize", "initialized", "account/rateLimits/read", "account/read"]


def test_explicit_oauth_never_falls_back_on_unauthorized(codex_auth, chatgpt, fake_codex):
    codex_auth("oauth.json")
    fake_codex("normal")
    chatgpt(USAGE, status=401, body="{}")
    assert run("oauth").error.kind == "auth_expired"


def test_stale_native_login_is_handed_to_the_cli_and_auth_json_is_untouched(codex_auth, chatgpt, fake_codex,
                                                                            httpserver):
    path = codex_auth("oauth-stale.json")
    before = path.read_bytes()
    codex = fake_codex("normal")
    chatgpt(USAGE)
    for mode in (None, "oauth"):       # auto falls back; explicit oauth runs the CLI hand-off itself
        out = ok(run(mode))
        assert out["source"] == "codex-cli"
        assert out["usage"]["primary"]["usedPercent"] == 4.5
    assert requests_to(httpserver, USAGE) == []         # the stale token was never sent
    assert "account/rateLimits/read" in codex.methods()
    assert path.read_bytes() == before and oct(path.stat().st_mode & 0o777) == "0o600"


def test_stale_native_login_without_the_cli(codex_auth, chatgpt):
    codex_auth("oauth-stale.json")
    outcome = run("oauth")
    assert outcome.error.kind == "auth_expired"
    assert outcome.error.message == ("Codex auth.json needs refresh. CodexBar will retry through the Codex CLI; "
                                     "run `codex login` if recovery fails.")


def test_stale_external_credentials_are_read_only(home, chatgpt, config_file, monkeypatch):
    import shutil

    from tests.providers.codex.conftest import FIX

    target = home / ".local" / "share" / "opencode" / "auth.json"
    target.parent.mkdir(parents=True)
    shutil.copyfile(FIX / "auth" / "opencode.json", target)      # expires 2026-08-06T07:06:40Z
    config_file([{"id": "codex", "allowExternalOAuthSources": True}])
    monkeypatch.setenv("CODEXBAR_NOW", "2026-08-07T00:00:00Z")
    outcome = run("oauth")
    assert outcome.error.kind == "auth_expired"
    assert outcome.error.message.startswith("This external Codex credential source is stale and read-only.")
    assert target.read_bytes() == (FIX / "auth" / "opencode.json").read_bytes()


def test_missing_or_corrupt_auth_json_without_the_cli(codex_auth, chatgpt):
    outcome = run()
    assert outcome.error.kind == "missing_credential"
    assert outcome.error.message == ("Not connected: no personal access token; no Codex login at ~/.codex/auth.json; "
                                     "no `codex` command (npm i -g @openai/codex, or set CODEX_CLI_PATH).")
    assert "codex login" in outcome.error.hint
    codex_auth("corrupt.json")
    outcome = run("oauth")
    assert outcome.error.kind == "missing_credential"
    assert "Failed to decode Codex credentials: Invalid JSON" in outcome.error.message


def only_origin(monkeypatch, httpserver, origin: str) -> None:
    """Send ``origin`` to the loopback server and every other Codex origin to a closed port."""
    dead = "http://127.0.0.1:9"
    mapping = {o: dead for o in ("https://chatgpt.com", "https://auth.openai.com", "https://chat.openai.com")}
    mapping[origin] = httpserver.url_for("").rstrip("/")
    monkeypatch.setenv("CODEXBAR_ENDPOINT_OVERRIDES", json.dumps(mapping))


def test_chatgpt_base_url_from_config_toml(codex_auth, codex_config, httpserver, monkeypatch):
    codex_auth("oauth.json")
    codex_config("chat-openai.toml")      # "https://chat.openai.com/" → …/backend-api/wham/usage
    only_origin(monkeypatch, httpserver, "https://chat.openai.com")
    httpserver.expect_request(USAGE).respond_with_data(http_body("usage-normal.json"),
                                                       content_type="application/json")
    assert ok(run())["usage"]["primary"] == SESSION


def test_custom_chatgpt_base_path(codex_auth, codex_config, chatgpt, httpserver):
    codex_auth("oauth.json")
    codex_config("custom-base.toml")      # 'https://chatgpt.com/custom-proxy/'
    chatgpt("/custom-proxy/backend-api/wham/usage")
    assert ok(run())["usage"]["secondary"] == WEEKLY
    assert requests_to(httpserver, USAGE) == []


def test_zero_credits_borrow_the_monthly_limit_from_the_cli_for_the_same_account(codex_auth, chatgpt, fake_codex):
    codex_auth("oauth.json")
    fake_codex("workspace-limit")
    chatgpt(USAGE, "usage-zero-credits.json")
    out = ok(run())
    assert out["source"] == "oauth"
    assert out["credits"]["codexCreditLimit"] == {
        "title": "Team monthly pool", "used": 1000, "limit": 5000, "remaining": 4000, "remainingPercent": 80,
        "resetsAt": "2026-09-01T00:00:00Z", "updatedAt": "2026-08-03T12:00:00Z"}


def test_no_borrowing_for_another_account_or_in_explicit_mode(codex_auth, chatgpt, fake_codex):
    codex_auth("oauth.json")
    codex = fake_codex("workspace-limit-other-account")
    chatgpt(USAGE, "usage-zero-credits.json")
    assert "codexCreditLimit" not in ok(run())["credits"]
    fake_codex("workspace-limit")
    before = len(codex.events())
    assert "codexCreditLimit" not in ok(run("oauth"))["credits"]
    assert not any("received" in e for e in codex.events()[before:])


def test_secrets_never_leave_the_process(codex_auth, chatgpt, fake_codex):
    codex_auth("oauth.json")
    chatgpt(USAGE, body='{"detail": "bad token FAKE-oauth-access-token-0001"}', status=500)
    outcome = run()
    text = json.dumps(outcome.error.to_dict()) + repr(outcome.attempts)
    assert "FAKE-oauth-access-token-0001" not in text and "FAKE-oauth-refresh" not in text
    assert "Codex API error 500" in outcome.error.message
