"""Pure feed parsers: recorded responses in, exact status dicts out."""

from __future__ import annotations

import pytest

from codexbar.errors import ParseError
from codexbar.status import parse
from tests.conftest import fixture_json

GEMINI = "npdyhgECDJ6tB66MxXyo"


# -- statuspage status.json / summary.json ----------------------------------------------------


def test_status_json_major_with_fractional_date() -> None:
    assert parse.statuspage_status(fixture_json("status/claude/status-major.json")) == {
        "indicator": "major",
        "description": "Elevated errors on Claude Opus",
        "updatedAt": "2026-06-18T19:41:22Z",
    }


def test_summary_json_uses_offset_date_and_ignores_incident_list() -> None:
    assert parse.statuspage_status(fixture_json("status/claude/summary-minor.json")) == {
        "indicator": "minor",
        "description": "Partially Degraded Service",
        "updatedAt": "2026-08-03T11:40:00Z",
    }


def test_unknown_indicator_and_null_description_and_no_date() -> None:
    assert parse.statuspage_status(fixture_json("status/claude/status-odd-indicator.json")) == {
        "indicator": "unknown"}


@pytest.mark.parametrize("body, message", [
    ({"page": {}}, "Status feed is missing status."),
    ({"status": {"description": "x"}}, "Status feed is missing status.indicator."),
    ([1, 2], "Status feed is missing the top-level object."),
    (None, "Status feed is missing the top-level object."),
])
def test_status_json_wrong_shapes_are_parse_errors(body, message) -> None:  # noqa: ANN001
    with pytest.raises(ParseError) as caught:
        parse.statuspage_status(body)
    assert caught.value.message == message


def test_status_json_invalid_date_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as caught:
        parse.statuspage_status(fixture_json("status/errors/bad-date.json"))
    assert caught.value.message == "Status feed has an invalid date in page.updated_at."


@pytest.mark.parametrize("text, expected", [
    ("2026-06-18T19:41:22Z", "2026-06-18T19:41:22Z"),
    ("2026-06-18T19:41:22.123456789Z", "2026-06-18T19:41:22Z"),
    ("2026-06-18T21:41:22+02:00", "2026-06-18T19:41:22Z"),
    ("2026-06-18T17:11:22-0230", "2026-06-18T19:41:22Z"),
])
def test_iso_dates(text: str, expected: str) -> None:
    value = parse.parse_iso(text)
    assert value is not None and parse.iso_z(value) == expected


@pytest.mark.parametrize("text", ["2026-06-18", "2026-06-18T19:41:22", "2026-13-01T00:00:00Z", "soon"])
def test_iso_dates_rejected(text: str) -> None:
    assert parse.parse_iso(text) is None


# -- components.json ----------------------------------------------------------------------------


def test_components_sorted_grouped_blank_dropped() -> None:
    assert parse.statuspage_components(fixture_json("status/claude/components.json")) == [
        # position missing counts as 0, so Console comes first; its unknown status maps to unknown
        {"name": "Console", "status": "sunsetting", "indicator": "unknown"},
        {"name": "claude.ai", "status": "under_maintenance", "indicator": "maintenance"},
        # the group shows its OWN status; children in position order, not repeated at top level
        {"name": "Claude API", "status": "degraded_performance", "indicator": "minor", "children": [
            {"name": "Messages API", "status": "partial_outage", "indicator": "major"},
            {"name": "Message Batches", "status": "operational", "indicator": "none"},
        ]},
        {"name": "Claude Code", "status": "operational", "indicator": "none"},
    ]


def test_components_missing_list_is_empty_and_corrupt_row_fails() -> None:
    assert parse.statuspage_components({}) == []
    with pytest.raises(ParseError) as caught:
        parse.statuspage_components(fixture_json("status/claude/components-corrupt.json"))
    assert caught.value.message == "Status feed is missing components[0].status."


# -- incident.io ----------------------------------------------------------------------------------


def test_incidentio_groups_hidden_and_worst_leaf() -> None:
    indicator, components = parse.incidentio_summary(fixture_json("status/openai/proxy.json"))
    assert indicator == "critical"
    assert components == [
        {"name": "Codex", "status": "degraded_performance", "indicator": "minor", "children": [
            {"name": "CLI", "status": "degraded_performance", "indicator": "minor"},
            {"name": "Codex Web", "status": "operational", "indicator": "none"},
        ]},
        {"name": "APIs", "status": "full_outage", "indicator": "critical", "children": [
            {"name": "Responses", "status": "operational", "indicator": "none"},
            {"name": "Fine-tuning", "status": "full_outage", "indicator": "critical"},
        ]},
        {"name": "FedRAMP", "status": "operational", "indicator": "none"},
    ]


def test_incidentio_all_operational() -> None:
    body = fixture_json("status/openai/proxy.json")
    body["summary"]["affected_components"] = []
    indicator, components = parse.incidentio_summary(body)
    assert indicator == "none"
    assert [c["indicator"] for c in components] == ["none", "none", "none"]


@pytest.mark.parametrize("body", [
    fixture_json("status/openai/proxy-empty.json"),
    {"summary": {}},
    {"page": {}},
    {"summary": {"structure": {"items": [{"component": {"name": "No id"}}]}}},
])
def test_incidentio_unusable_feeds_raise(body) -> None:  # noqa: ANN001
    with pytest.raises(ParseError):
        parse.incidentio_summary(body)


# -- Google Workspace ------------------------------------------------------------------------------


def test_workspace_picks_worst_relevant_active_incident() -> None:
    # Spec sample: critical, "Gemini API error.", 12:00Z. Resolved, other-product and
    # no-longer-affected incidents (all outages) are ignored.
    assert parse.google_workspace(fixture_json("status/google/incidents.json"), GEMINI) == {
        "indicator": "critical",
        "description": "Gemini API error.",
        "updatedAt": "2025-12-02T12:00:00Z",
    }


def test_workspace_other_product_sees_its_own_incident() -> None:
    assert parse.google_workspace(fixture_json("status/google/incidents.json"), "NNrDSLr5ZkpByGkhLKq7") == {
        "indicator": "critical", "description": "Gmail is down.", "updatedAt": "2025-12-02T07:30:00Z"}


def test_workspace_available_update_keeps_description_with_markdown_cleaned() -> None:
    assert parse.google_workspace(fixture_json("status/google/incidents-available.json"), GEMINI) == {
        "indicator": "none",
        "description": "We are monitoring the fix, see the dashboard.",
        "updatedAt": "2025-12-03T10:00:00Z",
    }


def test_workspace_last_update_then_severity_then_external_desc() -> None:
    assert parse.google_workspace(fixture_json("status/google/incidents-updates-only.json"), GEMINI) == {
        "indicator": "major",
        "description": "Gemini app unavailable for some users",
        "updatedAt": "2025-12-04T09:40:00Z",
    }


def test_workspace_nothing_relevant_is_operational() -> None:
    assert parse.google_workspace([], GEMINI) == {"indicator": "none"}
    resolved_only = [i for i in fixture_json("status/google/incidents.json") if i["id"] == "inc-resolved"]
    assert parse.google_workspace(resolved_only, GEMINI) == {"indicator": "none"}


def test_workspace_bad_shapes() -> None:
    with pytest.raises(ParseError) as caught:
        parse.google_workspace(fixture_json("status/google/incidents-bad-date.json"), GEMINI)
    assert caught.value.message == "Status feed has an invalid date in incidents[0].begin."
    with pytest.raises(ParseError):
        parse.google_workspace({"incidents": []}, GEMINI)


@pytest.mark.parametrize("status, severity, expected", [
    ("available", None, "none"), ("SERVICE_INFORMATION", "high", "minor"),
    ("SERVICE_DISRUPTION", None, "major"), ("SERVICE_OUTAGE", None, "critical"),
    ("SERVICE_MAINTENANCE", None, "maintenance"), ("SCHEDULED_MAINTENANCE", None, "maintenance"),
    (None, "LOW", "minor"), ("SOMETHING_NEW", "medium", "major"), (None, "High", "critical"),
    (None, None, "minor"), (None, "extreme", "minor"),
])
def test_workspace_indicator_table(status, severity, expected) -> None:  # noqa: ANN001
    assert parse.workspace_indicator(status, severity) == expected


@pytest.mark.parametrize("text, expected", [
    ("**Summary**\nGemini API error.\n", "Gemini API error."),
    ("summary\n\n**Bold** start", "Bold start"),
    ("\r\n  \r\n- [Status](https://example.invalid) update", "Status update"),
    ("**Summary**\n**Description**\n", None),
    ("Summary of events\nmore", "Summary of events"),
])
def test_workspace_summary_lines(text: str, expected) -> None:  # noqa: ANN001
    assert parse.workspace_summary(text) == expected


def test_fixtures_hold_no_secrets() -> None:
    from tests.conftest import FIXTURES

    for path in (FIXTURES / "status").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8").lower()
            for marker in ("bearer ", "sk-ant-", "sessionkey", "authorization", "cookie"):
                assert marker not in text, (path, marker)
