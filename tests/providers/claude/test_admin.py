"""Admin API mode: an sk-ant-admin key → 30-day spend and tokens (loopback Anthropic)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from codexbar.errors import FetchError
from codexbar.providers.claude import admin
from support.run import run_cli

from .conftest import ORIGINS, fixture_json

KEY = "sk-ant-admin01-FAKEadminkey"
NOW = datetime(2026, 8, 3, 12, 0, tzinfo=timezone.utc)
QUERY = {"starting_at": "2026-07-04T00:00:00Z", "ending_at": "2026-08-04T00:00:00Z", "bucket_width": "1d",
         "limit": "31"}


@pytest.fixture
def server(overrides, httpserver):
    overrides(*ORIGINS)
    return httpserver


def serve_reports(server):
    headers = {"x-api-key": KEY, "anthropic-version": "2023-06-01", "User-Agent": "CodexBar/1.0"}
    server.expect_request("/v1/organizations/cost_report", headers=headers,
                          query_string=dict(QUERY, **{"group_by[]": "description"})).respond_with_json(
        fixture_json("admin/cost_report.json"))
    server.expect_request("/v1/organizations/usage_report/messages", headers=headers,
                          query_string=dict(QUERY, **{"group_by[]": "model"})).respond_with_json(
        fixture_json("admin/messages.json"))


def test_report_is_pure_and_exact():
    data = admin.report(fixture_json("admin/cost_report.json"), fixture_json("admin/messages.json"), NOW).dump()
    assert data["primary"] is None and data["secondary"] is None
    cost = data["providerCost"]
    assert cost.pop("used") == pytest.approx(15.841)
    assert cost == {"limit": 0, "currencyCode": "USD", "period": "Last 30 days", "updatedAt": "2026-08-03T12:00:00Z"}
    summary, items = data["details"]
    assert summary["title"] == "Usage summary"
    assert [(r["label"], r["value"]) for r in summary["rows"]] == [
        ("Today spend", "$0.50"), ("7d spend", "$15.84"), ("30d spend", "$15.84"), ("Today tokens", "450"),
        ("30d tokens", "7,480"), ("Cache read", "5,100"), ("Top model", "claude-sonnet-4")]
    # the Aug 4 bucket starts after "now" and is dropped
    assert summary["chart"] == {"kind": "bars", "title": "Daily spend", "unit": "USD", "points": [
        {"label": "2026-08-01", "value": 14.345}, {"label": "2026-08-02", "value": 0.996},
        {"label": "2026-08-03", "value": 0.5}]}
    assert [(r["label"], r["value"]) for r in items["rows"]] == [
        ("Claude Sonnet 4", "$12.85"), ("web_search", "$2.00"), ("Claude Opus 4", "$1.00")]
    assert data["loginMethod"] == "Admin API"


def test_admin_key_selects_admin_mode_only(server, monkeypatch, ctx_factory, credentials):
    credentials("max-20x.json")
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", KEY)
    serve_reports(server)
    done = run_cli(["usage", "--provider", "claude", "--format", "json"])
    assert done.returncode == 0, done.stderr
    (element,) = json.loads(done.stdout)
    assert element["source"] == "admin-api"
    assert element["usage"]["providerCost"]["used"] == pytest.approx(15.841)
    assert KEY not in done.stdout + done.stderr
    assert not any(r.path == "/api/oauth/usage" for r, _ in server.log)


def test_config_api_key_and_errors(server, ctx_factory):
    server.expect_request("/v1/organizations/cost_report").respond_with_data('{"error":"bad key ' + KEY + '"}', status=401)
    ctx = ctx_factory(config={"id": "claude", "apiKey": KEY})
    source = admin.AdminSource()
    assert source.available(ctx)
    with pytest.raises(FetchError) as caught:
        source.fetch(ctx)
    assert (caught.value.kind, caught.value.message) == ("auth_expired", "Claude API usage cost_report error: HTTP 401")
    assert source.falls_back_on(caught.value)  # menu-bar auto mode may try OAuth/CLI/web next


def test_server_error_on_messages(server, ctx_factory):
    server.expect_request("/v1/organizations/cost_report").respond_with_json(fixture_json("admin/cost_report.json"))
    server.expect_request("/v1/organizations/usage_report/messages").respond_with_data("oops", status=503)
    with pytest.raises(FetchError) as caught:
        admin.AdminSource().fetch(ctx_factory(account={"label": "org", "token": KEY}))
    assert (caught.value.kind, caught.value.message) == ("unavailable", "Claude API usage messages error: HTTP 503")


def test_missing_key(ctx_factory):
    source = admin.AdminSource()
    assert not source.available(ctx_factory())
    with pytest.raises(FetchError) as caught:
        source.fetch(ctx_factory(source_mode="api"))
    assert caught.value.message == "Claude API usage needs an Anthropic Admin API key."


def test_malformed_report(server, ctx_factory):
    server.expect_request("/v1/organizations/cost_report").respond_with_json({"nodata": True})
    with pytest.raises(FetchError) as caught:
        admin.AdminSource().fetch(ctx_factory(config={"id": "claude", "apiKey": KEY}))
    assert caught.value.message == "Failed to parse Claude API usage cost_report: no data array."


def test_admin_failure_falls_back_only_in_the_menu_bar(server, ctx_factory):
    server.expect_request("/v1/organizations/cost_report").respond_with_data("down", status=503)
    source = admin.AdminSource()
    for runtime, account, expected in (("plugin", None, True), ("cli", None, False),
                                       ("plugin", {"label": "org", "token": KEY}, False)):
        ctx = ctx_factory(runtime=runtime, account=account, config={"id": "claude", "apiKey": KEY})
        with pytest.raises(FetchError) as caught:
            source.fetch(ctx)
        assert source.falls_back_on(caught.value) is expected
