"""Pure parsers: recorded OAuth/web/credential JSON → the exact JSON CodexBar prints (spec §5–§6, §9)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from codexbar.errors import FetchError, ParseError
from codexbar.providers.claude import parse, plans

from .conftest import fixture_json

NOW = datetime(2026, 8, 3, 12, 0, tzinfo=timezone.utc)


def record(subscription=None, tier=None):
    return parse.OAuthRecord(access_token="sk-ant-oat01-FAKE", scopes=["user:profile"],
                             subscription_type=subscription, rate_limit_tier=tier)


def oauth(name, rec=None):
    return parse.oauth_usage(fixture_json("oauth/" + name), rec or record("max", "default_claude_max_20x"),
                             NOW, timezone.utc).dump()


# -- credentials --------------------------------------------------------------------------------


def test_credentials_expiry_is_milliseconds_and_fields_are_read():
    rec = parse.oauth_record(fixture_json("credentials/max-20x.json"))
    assert rec.access_token == "sk-ant-oat01-FAKEaccess"
    assert rec.expires_at == datetime(2026, 8, 12, 10, 0, tzinfo=timezone.utc)
    assert rec.scopes == ["user:inference", "user:profile", "user:sessions:claude_code"]
    assert not rec.is_expired(NOW)
    assert plans.oauth_plan(rec.subscription_type, rec.rate_limit_tier) == "Claude Max 20x"


def test_missing_expiry_counts_as_expired():
    assert parse.oauth_record(fixture_json("credentials/no-expiry.json")).is_expired(NOW)


@pytest.mark.parametrize("name, message", [
    ("empty-token.json", "Claude OAuth access token missing. Run `claude` to authenticate."),
    ("mcp-only.json", "Claude keychain contains MCP OAuth state only (no claudeAiOauth)."),
])
def test_unusable_credentials_raise_clear_errors(name, message):
    with pytest.raises(FetchError) as caught:
        parse.oauth_record(fixture_json("credentials/" + name))
    assert caught.value.message.startswith(message)
    assert caught.value.hint


def test_missing_claude_ai_oauth_block():
    with pytest.raises(FetchError, match="Claude OAuth credentials missing"):
        parse.oauth_record({"other": 1})


def test_scope_check_names_the_scopes_it_found():
    rec = parse.oauth_record(fixture_json("credentials/no-profile-scope.json"))
    with pytest.raises(FetchError) as caught:
        parse.check_scope(rec)
    assert caught.value.message == (
        "Claude OAuth token missing 'user:profile' scope (has: user:inference, user:sessions:claude_code). "
        "Run `claude setup-token` to re-generate credentials, or switch Claude Source to Web/CLI.")


# -- plans --------------------------------------------------------------------------------------


@pytest.mark.parametrize("subscription, tier, label", [
    (None, "claude_pro", "Claude Pro"),
    ("pro", "default_claude_ai", "Claude Pro"),
    (None, "default_claude_ai", None),
    ("max", "default_claude_max_5x", "Claude Max 5x"),
    ("max", "default_claude_max_20x", "Claude Max 20x"),
    (None, "default_claude_max", "Claude Max"),
    ("team", "default_claude_max_20x", "Claude Team"),
    ("enterprise", None, "Claude Enterprise"),
    ("ultra", None, "Claude Ultra"),
])
def test_oauth_plan_labels(subscription, tier, label):
    assert plans.oauth_plan(subscription, tier) == label


@pytest.mark.parametrize("tier, billing, seat, label", [
    ("default_claude_max_20x", "stripe_subscription", None, "Claude Max 20x"),
    ("default_claude_team", "stripe_subscription", "team_standard", "Claude Team Standard"),
    ("default_claude_team", "stripe_subscription", "team_tier_1", "Claude Team Premium"),
    ("default_claude_team", "stripe_subscription", None, "Claude Team"),
    ("default_claude_ai", "stripe_subscription", None, "Claude Pro"),
    ("default_claude_ai", "invoice", None, None),
])
def test_web_plan_labels(tier, billing, seat, label):
    assert plans.web_plan(tier, billing, seat) == label


def test_cli_login_method_is_compacted():
    assert plans.cli_plan("Claude Max Account") == "Max"
    assert plans.cli_plan("Something New") == "Something New"


# -- OAuth usage --------------------------------------------------------------------------------


def test_oauth_full_payload_maps_every_lane():
    data = oauth("usage-max.json")
    assert data["primary"] == {"usedPercent": 28, "windowMinutes": 300, "resetsAt": "2026-08-03T14:00:00Z",
                               "resetDescription": "Aug 3 at 2:00PM"}
    assert data["secondary"] == {"usedPercent": 59, "windowMinutes": 10080, "resetsAt": "2026-08-07T07:00:00Z",
                                 "resetDescription": "Aug 7 at 7:00AM"}
    assert data["tertiary"]["usedPercent"] == 12
    # Fable (scoped) first, then Daily Routines from seven_day_cowork; design/omelette/iguana ignored,
    # the all-models scope and the nameless scope dropped
    assert [(w["id"], w["title"], w["window"]["usedPercent"]) for w in data["extraRateWindows"]] == [
        ("claude-weekly-scoped-fable", "Fable only", 5), ("claude-routines", "Daily Routines", 3)]
    assert data["extraRateWindows"][0]["window"]["resetDescription"] == "Aug 7 at 7:00AM"
    assert data["providerCost"] == {"used": 12.34, "limit": 50, "currencyCode": "USD", "period": "Monthly cap",
                                    "updatedAt": "2026-08-03T12:00:00Z"}
    assert data["loginMethod"] == "Claude Max 20x"
    assert data["identity"] == {"providerID": "claude", "loginMethod": "Claude Max 20x"}
    assert "accountEmail" not in data and "dataConfidence" not in data


def test_oauth_basic_mapping_from_claude_tests():
    data = oauth("usage-basic.json", record(None, "claude_pro"))
    assert (data["primary"]["usedPercent"], data["primary"]["windowMinutes"]) == (12.5, 300)
    assert data["secondary"]["usedPercent"] == 30
    assert data["tertiary"]["usedPercent"] == 5
    assert data["loginMethod"] == "Claude Pro"
    assert "providerCost" not in data and "extraRateWindows" not in data


def test_opus_fills_the_model_lane_when_sonnet_is_null():
    assert oauth("usage-opus-only.json")["tertiary"]["usedPercent"] == 33


def test_weekly_becomes_primary_when_five_hour_has_no_utilization():
    data = oauth("usage-no-five-hour.json")
    assert (data["primary"]["usedPercent"], data["primary"]["windowMinutes"]) == (41, 10080)
    assert data["secondary"]["usedPercent"] == 41


def test_empty_usage_is_a_parse_error():
    with pytest.raises(ParseError) as caught:
        oauth("usage-empty.json")
    assert caught.value.message == "Could not parse Claude usage: missing session data"
    assert caught.value.exit_code == 3


def test_enterprise_spend_limit_mode():
    rec = record("enterprise", None)
    data = oauth("usage-enterprise-spend-limit.json", rec)
    assert data["primary"] is None and data["secondary"] is None and data["tertiary"] is None
    assert data["providerCost"] == {"used": 7.63, "limit": 20, "currencyCode": "EUR", "period": "Spend limit",
                                    "updatedAt": "2026-08-03T12:00:00Z"}
    # null alias skipped in favour of the populated `routines`
    assert [w["id"] for w in data["extraRateWindows"]] == ["claude-routines"]
    window = parse.spend_limit_window(fixture_json("oauth/usage-enterprise-spend-limit.json"), rec, NOW)
    assert window.resetDescription == "Spend limit: \u20ac7.63 / \u20ac20.00"
    assert window.usedPercent == pytest.approx(38.15)


@pytest.mark.parametrize("name, used, limit", [
    ("usage-cents-small.json", 3.25, 20.5),
    ("usage-cents-large.json", 1234.56, 10000),
])
def test_extra_usage_cents_become_currency_units(name, used, limit):
    cost = oauth(name)["providerCost"]
    assert (cost["used"], cost["limit"], cost["currencyCode"], cost["period"]) == (used, limit, "USD", "Monthly cap")


def test_disabled_extra_usage_has_no_cost():
    assert "providerCost" not in oauth("usage-extra-disabled.json")


def test_scoped_limit_without_display_name_is_ignored_and_duplicates_dropped():
    limits = [
        {"kind": "weekly_scoped", "group": "weekly", "percent": 5, "scope": {"model": {"display_name": "Fable"}}},
        {"kind": "weekly_scoped", "group": "weekly", "percent": 9, "scope": {"model": {"display_name": "Fable"}}},
        {"kind": "weekly_scoped", "group": "weekly", "percent": 1, "scope": {"model": {"id": "m-1"}}},
        {"kind": "weekly", "group": "weekly", "percent": 2, "scope": {"model": {"display_name": "Other"}}},
    ]
    windows = parse.scoped_weekly_windows(limits, True, timezone.utc)
    assert [(w.id, w.window.usedPercent) for w in windows] == [("claude-weekly-scoped-fable", 5)]


def test_oauth_profile_email_and_org_keys():
    assert parse.oauth_profile(fixture_json("oauth/profile.json")) == {"email": "user@example.com",
                                                                        "organization": "org-123"}
    assert parse.oauth_profile({"email": "a@b.co", "organizationUuid": "o-1"}) == {"email": "a@b.co",
                                                                                 "organization": "o-1"}


def test_refresh_keeps_every_other_field():
    rec = parse.oauth_record(fixture_json("credentials/owned-expired.json"), owner="codexbar")
    updated = parse.refreshed_record(rec, fixture_json("oauth/token-refresh.json"), NOW)
    assert updated["accessToken"] == "sk-ant-oat01-FAKEownednew"
    assert updated["refreshToken"] == "sk-ant-ort01-FAKEownedrotated"
    assert updated["expiresAt"] == int((NOW.timestamp() + 28800) * 1000)
    assert updated["subscriptionType"] == "team" and updated["rateLimitTier"] == "default_claude_max_5x"
    assert updated["scopes"] == ["user:inference", "user:profile"]


# -- web ----------------------------------------------------------------------------------------


def test_organization_selection_rules():
    assert parse.choose_organization(fixture_json("web/organizations.json")).id == "org-chat"
    assert parse.choose_organization(fixture_json("web/organizations-api-only.json")).id == "org-other"
    assert parse.choose_organization([{"uuid": "only", "capabilities": ["api"]}]).id == "only"
    assert parse.choose_organization(fixture_json("web/organizations.json"), "org-api").name == "API Org"
    with pytest.raises(FetchError, match="Claude organization 'nope' was not found for this session."):
        parse.choose_organization(fixture_json("web/organizations.json"), "nope")
    with pytest.raises(FetchError, match="No Claude organization found for this account."):
        parse.choose_organization(fixture_json("web/organizations-empty.json"))


def test_web_usage_with_account_and_org():
    org = parse.Organization("org-chat", "Chat Org")
    account = parse.web_account(fixture_json("web/account-max.json"), "org-chat")
    data = parse.web_usage(fixture_json("web/usage.json"), NOW, organization=org, account=account,
                           tz=timezone.utc).dump()
    assert data["primary"] == {"usedPercent": 17, "windowMinutes": 300, "resetsAt": "2026-08-03T15:30:00Z",
                               "resetDescription": "Aug 3 at 3:30PM"}
    assert data["secondary"]["usedPercent"] == 48
    # the Sonnet lane carries the weekly reset
    assert data["tertiary"] == {"usedPercent": 9, "windowMinutes": 10080, "resetsAt": "2026-08-07T07:00:00Z",
                                "resetDescription": "Aug 7 at 7:00AM"}
    assert [(w["id"], w["window"]["usedPercent"]) for w in data["extraRateWindows"]] == [
        ("claude-weekly-scoped-fable", 5), ("claude-routines", 6)]
    assert "resetDescription" not in data["extraRateWindows"][0]["window"]
    assert (data["accountEmail"], data["accountOrganization"], data["loginMethod"]) == (
        "user@example.com", "Chat Org", "Claude Max 20x")


def test_web_five_hour_null_is_a_synthetic_zero():
    data = parse.web_usage(fixture_json("web/usage-enterprise.json"), NOW).dump()
    assert data["primary"] == {"usedPercent": 0, "windowMinutes": 300, "isSyntheticPlaceholder": True}
    cost = parse.web_cost(fixture_json("web/usage-enterprise.json")["extra_usage"], NOW)
    assert (cost.used, cost.limit, cost.period) == (41.32, 1000, "Monthly cap")


def test_overage_and_prepaid_credits():
    cost = parse.overage_cost(fixture_json("web/overage.json"), NOW)
    assert (cost.used, cost.limit, cost.currencyCode) == (123.45, 67.89, "EUR")
    assert parse.overage_cost(fixture_json("web/overage-disabled.json"), NOW) is None
    balance = parse.prepaid_balance(fixture_json("web/prepaid-eur.json"))
    assert balance == {"amount": 123.45, "currency": "EUR"}
    assert parse.apply_balance(cost, balance, NOW).balance == 123.45
    # different currency: the balance is not mixed in
    assert parse.apply_balance(cost, parse.prepaid_balance(fixture_json("web/prepaid-usd.json")), NOW).balance is None
    alone = parse.apply_balance(None, parse.prepaid_balance(fixture_json("web/prepaid-usd.json")), NOW)
    assert alone.dump() == {"used": 0, "limit": 0, "currencyCode": "USD", "period": "Extra usage", "balance": 25,
                            "updatedAt": "2026-08-03T12:00:00Z"}
    assert parse.prepaid_balance({"amount": -1, "currency": "usd"}) is None


def test_account_membership_selection():
    assert parse.web_account(fixture_json("web/account-team.json"), "org-chat") == {
        "email": "dev@example.com", "plan": "Claude Team Standard"}
    assert parse.web_account(fixture_json("web/account-enterprise-first.json"), "org-chat") == {
        "email": "boss@example.com", "plan": "Claude Enterprise"}


def test_renewed_session_key_from_set_cookie():
    pairs = [("other", "x"), ("sessionKey", "sk-ant-sid01-FAKErenewed"), ("sessionKey", "not-a-key")]
    assert parse.session_key_from_set_cookie(pairs) == "sk-ant-sid01-FAKErenewed"
    assert parse.session_key_from_set_cookie([("sessionKey", "junk")]) is None


def test_enabled_extra_usage_in_cents_large_team_cap():
    body = {"five_hour": {"utilization": 1}, "extra_usage": {"is_enabled": True, "monthly_limit": 200000,
                                                               "used_credits": 22200}}
    cost = parse.oauth_usage(body, record("team", None), NOW).providerCost
    assert (cost.used, cost.limit, cost.currencyCode, cost.period) == (222, 2000, "USD", "Monthly cap")


def test_routines_from_the_primary_alias():
    body = {"five_hour": {"utilization": 1}, "seven_day_routines": {"utilization": 4, "resets_at": "2026-08-07T07:00:00Z"},
            "seven_day_cowork": {"utilization": 99}}
    windows = parse.oauth_usage(body, record(), NOW, timezone.utc).extraRateWindows
    assert [(w.id, w.title, w.window.usedPercent) for w in windows] == [("claude-routines", "Daily Routines", 4)]


def test_descriptor_orders_and_origins():
    from codexbar.providers.claude import DESCRIPTOR

    assert DESCRIPTOR.order("plugin") == ("api", "oauth", "cli", "web")   # CodexBar app: OAuth → CLI → web
    assert DESCRIPTOR.order("cli") == ("api", "web", "cli")               # CodexBar CLI: web → CLI, never OAuth
    assert set(DESCRIPTOR.origins) == {"https://api.anthropic.com", "https://claude.ai", "https://platform.claude.com",
                                       "https://status.claude.com"}
    assert DESCRIPTOR.window_labels == ("Session", "Weekly", "Sonnet")
