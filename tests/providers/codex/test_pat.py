"""Personal access token (``--source api``): whoami, then usage, sent like the Codex CLI."""

from __future__ import annotations

import re

from codexbar.env import Env
from codexbar.fetch import fetch
from tests.providers.codex.conftest import ACCESS, PAT, RESET, USAGE, WHOAMI, requests_to


def run(source_mode=None):
    return fetch("codex", Env.from_process(), runtime="cli", source_mode=source_mode)


def ok(outcome) -> dict:
    assert outcome.error is None, (outcome.error.kind, outcome.error.message)
    return outcome.payload


def test_pat_calls_whoami_then_usage_with_cli_headers(codex_auth, chatgpt, httpserver, fake_codex):
    codex_auth("pat.json")
    fake_codex("normal")
    chatgpt(WHOAMI, "whoami.json")
    chatgpt(USAGE, "usage-no-plan.json")
    chatgpt(RESET, "reset-credits.json")
    out = ok(run())
    assert out["source"] == "pat" and out["version"] == "0.50.0"
    assert out["usage"]["identity"] == {"providerID": "codex", "accountEmail": "pat@example.com", "loginMethod": "team"}
    assert out["usage"]["primary"]["usedPercent"] == 22 and out["usage"]["dataConfidence"] == "exact"
    assert "codexResetCredits" not in out["usage"] and requests_to(httpserver, RESET) == []
    assert [r.path for r, _ in httpserver.log] == [WHOAMI, USAGE]
    for request in (requests_to(httpserver, WHOAMI)[0], requests_to(httpserver, USAGE)[0]):
        assert request.headers["Authorization"] == "Bearer " + PAT
        assert request.headers["originator"] == "codex_cli_rs"
        assert re.fullmatch(r"codex_cli_rs/0\.50\.0 \(Mac OS \d+\.\d+\.\d+; (arm64|x86_64|unknown)\)",
                            request.headers["User-Agent"])
    assert requests_to(httpserver, USAGE)[0].headers["ChatGPT-Account-Id"] == "acct-pat"
    assert "ChatGPT-Account-Id" not in requests_to(httpserver, WHOAMI)[0].headers


def test_pat_without_a_codex_binary_and_on_linux(codex_auth, chatgpt, httpserver, monkeypatch):
    monkeypatch.setenv("CODEXBAR_PLATFORM", "linux")
    codex_auth("pat.json")
    chatgpt(WHOAMI, "whoami.json")
    chatgpt(USAGE)
    out = ok(run("api"))
    assert "version" not in out and out["usage"]["loginMethod"] == "pro"
    agent = requests_to(httpserver, USAGE)[0].headers["User-Agent"]
    assert re.fullmatch(r"codex_cli_rs \(Linux \d+\.\d+\.\d+; (arm64|x86_64|unknown)\)", agent)


def test_pat_wins_over_oauth_in_the_same_file(codex_auth, chatgpt, httpserver):
    codex_auth("pat-and-oauth.json")
    chatgpt(WHOAMI, "whoami.json")
    chatgpt(USAGE)
    assert ok(run())["source"] == "pat"
    assert {r.headers["Authorization"] for r, _ in httpserver.log} == {"Bearer " + PAT}


def test_rejected_pat_falls_back_to_oauth_in_auto_mode_only(codex_auth, chatgpt, httpserver):
    codex_auth("pat-and-oauth.json")
    chatgpt(WHOAMI, body="{}", status=401)
    chatgpt(USAGE)
    outcome = run()
    assert ok(outcome)["source"] == "oauth"
    assert [(a.source, a.error_kind) for a in outcome.attempts] == [("api", "auth_expired"), ("oauth", None)]
    assert requests_to(httpserver, USAGE)[0].headers["Authorization"] == "Bearer " + ACCESS
    explicit = run("api")
    assert explicit.error.kind == "auth_expired" and "codex login" in explicit.error.message


def test_whoami_server_error_is_surfaced(codex_auth, chatgpt):
    codex_auth("pat-and-oauth.json")
    chatgpt(WHOAMI, body="upstream down", status=503)
    outcome = run()
    assert (outcome.error.kind, outcome.error.message) == ("unavailable", "Codex API error 503: upstream down")
    assert [a.source for a in outcome.attempts] == ["api"]


def test_explicit_api_without_a_pat_is_not_connected(codex_auth, chatgpt):
    codex_auth("oauth.json")
    outcome = run("api")
    assert outcome.error.kind == "missing_credential"
    assert outcome.error.message == "Not connected: no personal access token."
    assert outcome.error.hint
