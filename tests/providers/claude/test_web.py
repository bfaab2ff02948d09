"""Web source: claude.ai cookie from config or a real Firefox cookies.sqlite, loopback claude.ai API."""

from __future__ import annotations

import json
import stat
import time

import pytest
from werkzeug import Response

from codexbar.errors import FetchError
from codexbar.providers.claude.web import WebSource
from support.cookie_db import chrome_profile, firefox_profile

from .conftest import ORIGINS, fixture_json

SOURCE = WebSource()
MANUAL = "sk-ant-sid01-FAKEmanual"
ORGS = "/api/organizations"
USAGE = "/api/organizations/org-chat/usage"


@pytest.fixture
def server(overrides, httpserver):
    overrides(*ORIGINS)
    return httpserver


def serve_claude_ai(server, key=MANUAL, usage="usage.json", overage="overage.json", prepaid="prepaid-eur.json",
                    account="account-max.json", usage_headers=None):
    cookie = {"Cookie": "sessionKey=" + key}
    server.expect_request(ORGS, headers=cookie).respond_with_json(fixture_json("web/organizations.json"))
    server.expect_request(USAGE, headers=cookie).respond_with_response(Response(
        json.dumps(fixture_json("web/" + usage)), content_type="application/json", headers=usage_headers or {}))
    for path, name in (("/api/organizations/org-chat/overage_spend_limit", overage),
                       ("/api/organizations/org-chat/prepaid/credits", prepaid), ("/api/account", account)):
        if name:
            server.expect_request(path, headers=cookie).respond_with_json(fixture_json("web/" + name))
        else:
            server.expect_request(path).respond_with_data("oops", status=500)


def manual_config(header="Cookie: theme=dark; sessionKey=%s; lastActive=1" % MANUAL):
    return {"id": "claude", "cookieHeader": header}


def test_manual_cookie_header_full_fetch(server, ctx_factory):
    serve_claude_ai(server)
    ctx = ctx_factory(runtime="cli", config=manual_config())
    assert SOURCE.available(ctx)
    data = SOURCE.fetch(ctx).dump()
    assert data["source"] == "web"
    usage = data["usage"]
    assert usage["primary"] == {"usedPercent": 17, "windowMinutes": 300, "resetsAt": "2026-08-03T15:30:00Z",
                                "resetDescription": "Aug 3 at 3:30PM"}
    assert usage["tertiary"]["resetsAt"] == "2026-08-07T07:00:00Z"
    # overage (EUR) because the usage body had no extra_usage; the EUR prepaid balance is attached
    assert usage["providerCost"] == {"used": 123.45, "limit": 67.89, "currencyCode": "EUR", "period": "Monthly cap",
                                     "balance": 123.45, "updatedAt": "2026-08-03T12:00:00Z"}
    assert (usage["accountEmail"], usage["accountOrganization"], usage["loginMethod"]) == (
        "user@example.com", "Chat Org", "Claude Max 20x")
    # every request carried only the sessionKey pair
    assert {r.headers["Cookie"] for r, _ in server.log} == {"sessionKey=" + MANUAL}


def test_best_effort_endpoints_may_fail(server, ctx_factory):
    serve_claude_ai(server, overage=None, prepaid=None, account=None)
    usage = SOURCE.fetch(ctx_factory(config=manual_config())).dump()["usage"]
    assert "providerCost" not in usage and "accountEmail" not in usage
    assert usage["accountOrganization"] == "Chat Org"


def test_enterprise_usage_keeps_extra_usage_from_the_usage_body(server, ctx_factory):
    serve_claude_ai(server, usage="usage-enterprise.json", overage=None, prepaid="prepaid-usd.json",
                    account="account-enterprise-first.json")
    usage = SOURCE.fetch(ctx_factory(config=manual_config())).dump()["usage"]
    assert usage["primary"] == {"usedPercent": 0, "windowMinutes": 300, "isSyntheticPlaceholder": True}
    assert usage["providerCost"] == {"used": 41.32, "limit": 1000, "currencyCode": "USD", "period": "Monthly cap",
                                     "balance": 25, "updatedAt": "2026-08-03T12:00:00Z"}
    assert usage["loginMethod"] == "Claude Enterprise"
    assert not any(r.path.endswith("overage_spend_limit") for r, _ in server.log)


def test_firefox_cookie_database_in_the_home(server, home, ctx_factory):
    firefox_profile(home, [(".claude.ai", "sessionKey", "sk-ant-sid01-FAKEfirefox"),
                           (".notclaude.ai", "sessionKey", "sk-ant-sid01-FAKEelsewhere")])
    serve_claude_ai(server, key="sk-ant-sid01-FAKEfirefox")
    ctx = ctx_factory()
    assert SOURCE.available(ctx)
    assert SOURCE.fetch(ctx).usage.secondary.usedPercent == 48


def test_linux_firefox_profile_layout(server, home, ctx_factory, monkeypatch):
    monkeypatch.setenv("CODEXBAR_PLATFORM", "linux")
    firefox_profile(home, [("claude.ai", "sessionKey", "sk-ant-sid01-FAKElinuxfox")], macos=False)
    serve_claude_ai(server, key="sk-ant-sid01-FAKElinuxfox")
    assert SOURCE.fetch(ctx_factory()).usage.primary.usedPercent == 17


def test_chromium_on_macos_needs_a_user_action(server, home, ctx_factory):
    chrome_profile(home, [(".claude.ai", "sessionKey", "sk-ant-sid01-FAKEchrome")], macos=True, encrypt=False)
    ctx = ctx_factory(source_mode="web")
    with pytest.raises(FetchError) as caught:
        SOURCE.fetch(ctx)
    assert caught.value.message == "No Claude session key found in browser cookies."
    assert caught.value.hint.startswith("Chrome cookies need a Keychain prompt")
    assert server.log == []


def test_no_cookie_anywhere(ctx_factory):
    assert not SOURCE.available(ctx_factory())
    with pytest.raises(FetchError) as caught:
        SOURCE.fetch(ctx_factory(source_mode="web"))
    assert (caught.value.kind, caught.value.message) == ("missing_credential", "No Claude session key found in browser cookies.")


def test_cookie_source_rules(ctx_factory):
    assert not SOURCE.available(ctx_factory(config=dict(manual_config(), cookieSource="off")))
    assert not SOURCE.available(ctx_factory(config={"id": "claude", "cookieSource": "manual", "cookieHeader": "a=b"}))
    assert not SOURCE.available(ctx_factory(config={"id": "claude", "cookieHeader": "sessionKey=not-a-claude-key"}))
    assert SOURCE.available(ctx_factory(config={"id": "claude", "cookieHeader": "sessionKey=" + MANUAL}))


def test_token_account_bare_value_is_the_session_key(server, ctx_factory):
    serve_claude_ai(server, key="sk-ant-sid01-FAKEaccount")
    ctx = ctx_factory(account={"label": "personal", "token": "sk-ant-sid01-FAKEaccount"})
    assert SOURCE.available(ctx)
    assert SOURCE.fetch(ctx).usage.primary.usedPercent == 17


def test_renewed_session_key_is_kept_in_our_store(server, home, ctx_factory):
    serve_claude_ai(server, usage_headers={"Set-Cookie": "sessionKey=sk-ant-sid01-FAKErenewed; Path=/; HttpOnly"})
    ctx = ctx_factory(config=manual_config())
    SOURCE.fetch(ctx)
    store = ctx.env.data_dir / "cookies" / "claude.json"
    saved = json.loads(store.read_text())
    assert saved["cookies"]["sessionKey"]["value"] == "sk-ant-sid01-FAKErenewed"
    assert MANUAL not in store.read_text()  # only a fingerprint of the original
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    # later requests after the renewal used the new key already
    cookies = [r.headers["Cookie"] for r, _ in server.log]
    assert cookies[:2] == ["sessionKey=" + MANUAL] * 2 and set(cookies[2:]) == {"sessionKey=sk-ant-sid01-FAKErenewed"}
    # the next run starts from the renewed key
    server.clear()
    serve_claude_ai(server, key="sk-ant-sid01-FAKErenewed")
    assert SOURCE.fetch(ctx_factory(config=manual_config())).usage.primary.usedPercent == 17
    # a freshly pasted cookie wins over an old renewal
    server.clear()
    serve_claude_ai(server, key="sk-ant-sid01-FAKEpasted")
    SOURCE.fetch(ctx_factory(config=manual_config("sessionKey=sk-ant-sid01-FAKEpasted")))
    assert {r.headers["Cookie"] for r, _ in server.log} == {"sessionKey=sk-ant-sid01-FAKEpasted"}


@pytest.mark.parametrize("status, kind, message", [
    (401, "auth_expired", "Sign in to claude.ai (or refresh Claude cookies) to load usage data."),
    (403, "auth_expired", "Sign in to claude.ai (or refresh Claude cookies) to load usage data."),
    (500, "unavailable", "Claude API error: HTTP 500"),
])
def test_http_errors(server, ctx_factory, status, kind, message):
    server.expect_request(ORGS).respond_with_data("<html>nope</html>", status=status)
    with pytest.raises(FetchError) as caught:
        SOURCE.fetch(ctx_factory(config=manual_config()))
    assert (caught.value.kind, caught.value.message) == (kind, message)
    assert MANUAL not in caught.value.message


def test_html_instead_of_json(server, ctx_factory):
    server.expect_request(ORGS).respond_with_data("<!DOCTYPE html><html>cf challenge</html>", status=200)
    with pytest.raises(FetchError) as caught:
        SOURCE.fetch(ctx_factory(config=manual_config()))
    assert caught.value.message == "claude.ai returned a web page instead of JSON (HTTP 200)."


def test_configured_organization_must_exist(server, ctx_factory):
    server.expect_request(ORGS).respond_with_json(fixture_json("web/organizations.json"))
    with pytest.raises(FetchError) as caught:
        SOURCE.fetch(ctx_factory(config=dict(manual_config(), organizationID="org-missing")))
    assert caught.value.message == "Claude organization 'org-missing' was not found for this session."


def test_whole_web_fetch_is_bounded(server, ctx_factory):
    def slow(request):
        time.sleep(1.5)
        return Response("[]", content_type="application/json")

    server.expect_request(ORGS).respond_with_handler(slow)
    with pytest.raises(FetchError) as caught:
        SOURCE.fetch(ctx_factory(config=manual_config(), web_timeout=1))
    assert (caught.value.kind, caught.value.message) == ("timeout", "Claude web usage fetch timed out after 1 seconds.")
    end = time.monotonic() + 5
    while not server.log and time.monotonic() < end:
        time.sleep(0.05)


def test_plain_cli_usage_never_raises_a_keychain_prompt(server, home, ctx_factory):
    from codexbar.providers.claude.web import may_prompt

    chrome_profile(home, [(".claude.ai", "sessionKey", "sk-ant-sid01-FAKEchrome")], macos=True, encrypt=False)
    with pytest.raises(FetchError) as caught:
        SOURCE.fetch(ctx_factory(runtime="cli", interactive=True))
    assert caught.value.hint.startswith("Chrome cookies need a Keychain prompt")
    assert not may_prompt(ctx_factory(runtime="cli", interactive=True))
    assert may_prompt(ctx_factory(runtime="cli", interactive=True, source_mode="web"))
    assert may_prompt(ctx_factory(runtime="plugin", interactive=True))
    assert not may_prompt(ctx_factory(runtime="plugin", interactive=False))


def test_organization_rules_over_http(server, ctx_factory):
    server.expect_oneshot_request(ORGS).respond_with_json(fixture_json("web/organizations-empty.json"))
    with pytest.raises(FetchError) as caught:
        SOURCE.fetch(ctx_factory(config=manual_config()))
    assert caught.value.message == "No Claude organization found for this account."
    server.expect_oneshot_request(ORGS).respond_with_json(fixture_json("web/organizations-api-only.json"))
    server.expect_request("/api/organizations/org-other/usage").respond_with_json(fixture_json("web/usage.json"))
    data = SOURCE.fetch(ctx_factory(config=manual_config())).dump()
    assert data["usage"]["accountOrganization"] == "Other Org"  # not the api-only org
