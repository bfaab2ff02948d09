"""Pure mapping: recorded ChatGPT answers → the exact payload values CodexBar emits."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from codexbar.errors import FetchError
from codexbar.providers.codex import parse, parse_side, rpc_parse
from tests.providers.codex.conftest import FIX, http_body

NOW = datetime(2026, 8, 3, 12, 0, tzinfo=timezone.utc)
SESSION = {"usedPercent": 22, "windowMinutes": 300, "resetsAt": "2026-08-03T14:15:00Z", "resetDescription": "2:15 PM"}
WEEKLY = {"usedPercent": 43, "windowMinutes": 10080, "resetsAt": "2026-08-06T16:00:00Z",
          "resetDescription": "Aug 6, 4:00 PM"}


def result(name: str, **kwargs) -> dict:
    usage = parse.parse_usage(json.loads(http_body(name)), NOW)
    options = dict(source="oauth", email="dev@example.com", plan_fallback="plus", now=NOW)
    options.update(kwargs)
    return parse.build_result(usage, **options).dump()


def test_session_and_weekly_windows_with_exact_confidence_and_credits():
    out = result("usage-normal.json")
    assert out["provider"] == "codex" and out["source"] == "oauth"
    assert out["usage"] == {
        "primary": SESSION, "secondary": WEEKLY, "tertiary": None, "updatedAt": "2026-08-03T12:00:00Z",
        "identity": {"providerID": "codex", "accountEmail": "dev@example.com", "loginMethod": "pro"},
        "dataConfidence": "exact", "accountEmail": "dev@example.com", "loginMethod": "pro"}
    assert out["credits"] == {"remaining": 14.5, "events": [], "updatedAt": "2026-08-03T12:00:00Z"}


@pytest.mark.parametrize("name, primary, secondary", [
    ("usage-free-weekly.json", None, {"usedPercent": 61, "windowMinutes": 10080}),      # lone weekly → secondary
    ("usage-session-only.json", {"usedPercent": 35, "windowMinutes": 300}, None),       # secondary slot → primary
    ("usage-unknown-540.json", {"usedPercent": 10, "windowMinutes": 540}, None),        # unknown kept as primary
    ("usage-weekly-unknown.json", {"usedPercent": 10, "windowMinutes": 540}, {"usedPercent": 43, "windowMinutes": 10080}),
    ("usage-reversed.json", {"usedPercent": 22, "windowMinutes": 300}, {"usedPercent": 43, "windowMinutes": 10080}),
])
def test_lane_normalization(name, primary, secondary):
    usage = result(name)["usage"]

    def brief(window):
        return None if window is None else {k: window[k] for k in ("usedPercent", "windowMinutes")}

    assert (brief(usage["primary"]), brief(usage["secondary"])) == (primary, secondary)


def test_free_plan_keeps_its_raw_plan_and_zero_balance():
    out = result("usage-free-weekly.json")
    assert out["usage"]["loginMethod"] == "free"
    assert out["credits"]["remaining"] == 0


def test_no_windows_and_no_credits_is_the_no_rate_limits_error():
    with pytest.raises(FetchError) as caught:
        result("usage-no-windows.json")
    assert caught.value.message == "Found sessions, but no rate limit events yet."
    assert caught.value.kind == "parse" and caught.value.hint


def test_credits_only_payload_still_succeeds_with_null_windows():
    out = result("usage-credits-only.json")
    assert out["source"] == "oauth"
    assert out["usage"]["primary"] is None and out["usage"]["secondary"] is None
    assert "dataConfidence" not in out["usage"]
    assert out["credits"]["remaining"] == 0


def test_malformed_window_is_dropped_and_confidence_becomes_unknown():
    usage = result("usage-malformed-window.json")["usage"]
    # the 12.5 % session window is dropped; the weekly one stays in the weekly slot
    assert usage["primary"] is None and usage["secondary"] == WEEKLY
    assert "dataConfidence" not in usage


@pytest.mark.parametrize("name, remaining", [
    ("usage-tiny-balance.json", 0), ("usage-numeric-balance.json", 0), ("usage-normal.json", 14.5)])
def test_balance_strings_and_numbers(name, remaining):
    assert result(name)["credits"]["remaining"] == remaining


def test_malformed_balance_means_no_credits():
    assert "credits" not in result("usage-bad-balance.json")


def test_unlimited_credits_are_flagged():
    assert result("usage-unlimited.json")["credits"] == {"remaining": 0, "events": [], "unlimited": True,
                                                        "updatedAt": "2026-08-03T12:00:00Z"}


def test_unknown_plan_prolite_is_kept_raw():
    assert result("usage-prolite.json")["usage"]["identity"]["loginMethod"] == "prolite"


def test_missing_plan_falls_back_to_the_token_plan():
    assert result("usage-no-plan.json")["usage"]["loginMethod"] == "plus"


def test_spark_windows_malformed_siblings_and_slug_ids():
    out = result("usage-spark.json")
    assert out["usage"]["extraRateWindows"] == [
        {"id": "codex-spark", "title": "Codex Spark 5-hour", "window": {
            "usedPercent": 30, "windowMinutes": 300, "resetsAt": "2026-08-03T16:30:00Z", "resetDescription": "4:30 PM"}},
        {"id": "codex-spark-weekly", "title": "Codex Spark Weekly", "window": {
            "usedPercent": 100, "windowMinutes": 10080, "resetsAt": "2026-08-06T16:00:00Z",
            "resetDescription": "Aug 6, 4:00 PM"}},
        # the duplicate Spark entry is dropped; the non-Spark entry uses its secondary window,
        # and reset_at 0 / seconds 0 mean no reset and no minutes
        {"id": "codex-gpt-5-3-codex-mini", "title": "GPT 5.3 Codex Mini", "window": {"usedPercent": 12}},
    ]
    assert "dataConfidence" not in out["usage"]     # "Broken" and "not an object" failed to decode
    assert out["usage"]["primary"] == SESSION


def test_additional_limits_that_are_not_an_array_are_ignored_but_lower_confidence():
    usage = result("usage-additional-not-array.json")["usage"]
    assert "extraRateWindows" not in usage and "dataConfidence" not in usage


def test_monthly_credit_limit_from_rate_limit_individual_limit_wins_over_spend_control():
    credits = result("usage-individual-limit.json")["credits"]
    assert credits["codexCreditLimit"] == {
        "title": "Monthly credit limit", "used": 7761, "limit": 100000, "remaining": 92239,
        "remainingPercent": 92.239, "resetsAt": "2026-09-01T00:00:00Z", "updatedAt": "2026-08-03T12:00:00Z"}


def test_monthly_credit_limit_from_spend_control():
    limit = result("usage-spend-control.json")["credits"]["codexCreditLimit"]
    assert limit["limit"] == 1000 and limit["remainingPercent"] == 96
    assert round(limit["used"], 6) == 36.797487 and round(limit["remaining"], 6) == 963.202513
    assert limit["resetsAt"] == "2026-09-01T00:00:00Z"


def test_limit_derives_used_and_percent_when_missing():
    assert parse.credit_limit({"limit": 200.0, "used": None, "remainingPercent": 75.0, "resetsAt": 0}, NOW) == {
        "title": "Monthly credit limit", "used": 50.0, "limit": 200.0, "remaining": 150.0, "remainingPercent": 75.0,
        "updatedAt": NOW}
    assert parse.credit_limit({"limit": 200.0, "used": 250.0, "remainingPercent": None, "resetsAt": None}, NOW)[
        "remainingPercent"] == 0
    assert parse.credit_limit({"limit": 0.0, "used": 1.0, "remainingPercent": None, "resetsAt": None}, NOW) is None


def test_monthly_lookup_only_for_workspace_plans_with_spend_control_and_no_limit():
    team = parse.parse_usage(json.loads(http_body("usage-team-monthly.json")), NOW)
    assert parse.should_fetch_monthly_limit(team, NOW)
    for name in ("usage-normal.json", "usage-spend-control.json", "usage-individual-limit.json"):
        assert not parse.should_fetch_monthly_limit(parse.parse_usage(json.loads(http_body(name)), NOW), NOW)


def test_monthly_usage_answer():
    limit, failed = parse_side.parse_monthly_usage(json.loads(http_body("monthly-usage.json")), NOW)
    assert not failed
    assert limit == {"title": "Monthly credit limit", "used": 250.5, "limit": 1000.0, "remaining": 749.5,
                     "remainingPercent": 74.95, "updatedAt": NOW}
    assert parse_side.parse_monthly_usage(json.loads(http_body("monthly-usage-off.json")), NOW) == (None, False)
    assert parse_side.parse_monthly_usage({"current_month_usage": "lots", "effective_monthly_limit": {"limit": 10}},
                                     NOW) == (None, True)


def test_reset_credits_rekeyed_and_counted():
    snap = parse_side.parse_reset_credits(json.loads(http_body("reset-credits.json")), NOW)
    first, second = snap["credits"]
    # sha256("com.steipete.CodexBar.reset-credit-id.v1\0rc_1"), computed with coreutils sha256sum
    assert first["id"] == ("codex-reset-credit-v1-"
                           "d9e81c0b244e1754e895e2e984d4608ace7273a1f63d3ce2759f3506f44a35d8")
    lookalike = "codex-reset-credit-v1-" + "a" * 64
    assert parse_side.reset_credit_id(lookalike) != lookalike
    assert first["expires_at"] == datetime(2026, 9, 1, tzinfo=timezone.utc) and "redeemed_at" not in first
    assert second["status"] == "redeemed" and "title" not in second
    assert snap["availableCount"] == 1
    assert parse.available_reset_credits(snap, NOW) == 1
    assert parse.available_reset_credits(snap, datetime(2026, 9, 2, tzinfo=timezone.utc)) == 0
    with pytest.raises(FetchError):
        parse_side.parse_reset_credits(json.loads(http_body("reset-credits-negative.json")), NOW)


def test_whoami():
    who = parse_side.parse_whoami(json.loads(http_body("whoami.json")))
    assert (who.account_id, who.email, who.plan) == ("acct-pat", "pat@example.com", "team")
    with pytest.raises(FetchError):
        parse_side.parse_whoami({"email": 42})


def test_non_object_usage_is_an_invalid_response():
    with pytest.raises(FetchError) as caught:
        parse.parse_usage(json.loads(http_body("usage-array.json")), NOW)
    assert caught.value.message == "Invalid response from Codex usage API."


@pytest.mark.parametrize("raw, label", [
    ("pro", "Pro 20x"), ("prolite", "Pro 5x"), ("pro_lite", "Pro 5x"), ("Pro-Lite", "Pro 5x"), ("pro lite", "Pro 5x"),
    ("plus", "Plus"), ("free_workspace", "Free Workspace"), ("k12", "K12"), ("team", "Team"),
    ("enterprise", "Enterprise"), ("codex pro", "Pro 20x"), ("  ", ""), (None, "")])
def test_plan_label(raw, label):
    assert parse.plan_label(raw) == label


@pytest.mark.parametrize("raw", ["pro", "prolite", "pro_lite", "pro-lite", "Pro Lite", "plus", "free", "go", "guest",
                                 "team", "business", "education", "enterprise", "edu", "k12", "quorum",
                                 "free_workspace", "codex pro", "codex pro lite", "plus plan", "unknown"])
def test_descriptor_plan_table_agrees_with_plan_label(raw):
    from codexbar.providers.codex import DESCRIPTOR

    assert DESCRIPTOR.plan_label(raw) == parse.plan_label(raw)


# -- RPC -------------------------------------------------------------------------------------------


def rpc_spec(mode: str) -> dict:
    return json.loads((FIX / "rpc" / (mode + ".json")).read_text())


def test_rpc_error_body_recovery_prolite():
    message = rpc_spec("error-body")["replies"]["account/rateLimits/read"]["error"]["message"]
    snap = rpc_parse.recover_from_error(message, NOW)
    assert snap.usage.dump()["primary"]["usedPercent"] == 4 and snap.usage.primary.windowMinutes == 300
    assert snap.usage.secondary.usedPercent == 19 and snap.usage.secondary.windowMinutes == 10080
    assert snap.usage.identity.accountEmail == "prolite-test@example.com"
    assert snap.usage.identity.loginMethod == "prolite"
    assert snap.credits.remaining == 0


def test_rpc_error_body_without_a_session_lane_is_not_partially_recovered():
    message = rpc_spec("partial-body")["replies"]["account/rateLimits/read"]["error"]["message"]
    assert rpc_parse.recover_from_error(message, NOW) is None


def test_rpc_error_body_credits_recover_independently():
    message = rpc_spec("credits-body")["replies"]["account/rateLimits/read"]["error"]["message"]
    snap = rpc_parse.recover_from_error(message, NOW)
    assert snap.usage is None and snap.credits.remaining == 14.5


def test_json_object_extraction_respects_strings():
    text = 'oops; body={"a": "}{ \\" }", "b": {"c": 1}} trailing }'
    assert rpc_parse.extract_json_object(text) == '{"a": "}{ \\" }", "b": {"c": 1}}'
    assert rpc_parse.extract_json_object("no body here") is None
