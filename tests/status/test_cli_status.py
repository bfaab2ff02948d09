"""`usage --status` path: one status.json GET through the real Http against a loopback server."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from codexbar.providers.claude import DESCRIPTOR as CLAUDE
from codexbar.providers.codex import DESCRIPTOR as CODEX
from codexbar.providers.zai import DESCRIPTOR as ZAI
from codexbar.status.cli import cli_status_for, fetch_cli_status
from tests.status.helpers import CLAUDE_STATUS, OPENAI_STATUS, http, serve

NOW = datetime(2026, 8, 3, 12, 0, tzinfo=timezone.utc)
PAGE = "https://status.claude.com/"
PATH = "/api/v2/status.json"


def test_major_outage(overrides, httpserver) -> None:  # noqa: ANN001
    overrides(CLAUDE_STATUS)
    serve(httpserver, PATH, "claude/status-major.json")
    assert fetch_cli_status(http(), CLAUDE_STATUS, PAGE, NOW) == {
        "indicator": "major",
        "description": "Elevated errors on Claude Opus",
        "updatedAt": "2026-06-18T19:41:22Z",
        "url": "https://status.claude.com/",
    }


def test_descriptor_entry_point_uses_status_api_and_page_url(overrides, httpserver) -> None:  # noqa: ANN001
    overrides(OPENAI_STATUS)
    serve(httpserver, PATH, "openai/status-minor.json")
    assert cli_status_for(http(), CODEX, NOW) == {
        "indicator": "minor",
        "description": "Increased Codex CLI latency",
        "updatedAt": "2026-08-03T11:20:05Z",
        "url": "https://status.openai.com/",
    }
    # the CLI never tries the incident.io feed or components
    assert [r.path for r, _ in httpserver.log] == [PATH]


def test_provider_without_status_page_gets_none() -> None:
    assert cli_status_for(http(), ZAI, NOW) is None


def test_unknown_indicator_and_null_description_are_omitted(overrides, httpserver) -> None:  # noqa: ANN001
    overrides(CLAUDE_STATUS)
    serve(httpserver, PATH, "claude/status-odd-indicator.json")
    assert cli_status_for(http(), CLAUDE, NOW) == {"indicator": "unknown", "url": PAGE}


@pytest.mark.parametrize("fixture, status, content_type, description", [
    (None, 500, "text/plain", "status.claude.com status is unavailable (HTTP 500)."),
    (None, 404, "text/plain", "status.claude.com status request returned HTTP 404."),
    (None, 429, "text/plain", "status.claude.com status is rate limiting requests (HTTP 429)."),
    ("errors/maintenance.html", 200, "text/html",
     "status.claude.com status returned a web page instead of JSON (HTTP 200)."),
    ("errors/truncated.json", 200, "application/json", "status.claude.com status returned invalid JSON."),
    ("errors/bad-date.json", 200, "application/json", "Status feed has an invalid date in page.updated_at."),
    ("claude/components.json", 200, "application/json", "Status feed is missing status."),
])
def test_failures_become_unknown_with_one_line_reason(overrides, httpserver, fixture, status,  # noqa: ANN001
                                                      content_type, description) -> None:
    overrides(CLAUDE_STATUS)
    serve(httpserver, PATH, fixture, status=status, content_type=content_type, body="oops")
    assert fetch_cli_status(http(), CLAUDE_STATUS, PAGE, NOW) == {
        "indicator": "unknown", "description": description, "url": PAGE}


def test_timeout_becomes_unknown(overrides, httpserver) -> None:  # noqa: ANN001
    overrides(CLAUDE_STATUS)
    serve(httpserver, PATH, "claude/status-major.json", delay=1.5)
    result = fetch_cli_status(http(deadline_in=1.0), CLAUDE_STATUS, PAGE, NOW)
    # let the slow handler finish so its request does not leak into the next test's log
    end = time.monotonic() + 3
    while not httpserver.log and time.monotonic() < end:
        time.sleep(0.05)
    assert result == {"indicator": "unknown", "description": "status.claude.com status did not answer within 1 s.",
                      "url": PAGE}


def test_connection_refused_becomes_unknown(monkeypatch) -> None:  # noqa: ANN001
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    monkeypatch.setenv("CODEXBAR_ENDPOINT_OVERRIDES", '{"%s": "http://127.0.0.1:%d"}' % (CLAUDE_STATUS, port))
    result = fetch_cli_status(http(), CLAUDE_STATUS, PAGE, NOW)
    assert result["indicator"] == "unknown"
    assert result["description"].startswith("Could not reach status.claude.com status (ConnectError")
    assert result["url"] == PAGE


def test_invalid_override_config_is_unknown_not_a_crash(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("CODEXBAR_ENDPOINT_OVERRIDES", '{"https://status.claude.com": "http://example.invalid"}')
    result = fetch_cli_status(http(), CLAUDE_STATUS, PAGE, NOW)
    assert result["indicator"] == "unknown"
    assert result["description"].startswith("Endpoint override for https://status.claude.com must be https://")
