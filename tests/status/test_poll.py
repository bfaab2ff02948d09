"""Menu path: incident.io → statuspage → components, the Google feed, and the last-good cache
(real loopback server, real diskcache directory in the temp home)."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone

import pytest

from codexbar.providers.claude import DESCRIPTOR as CLAUDE
from codexbar.providers.codex import DESCRIPTOR as CODEX
from codexbar.providers.zai import DESCRIPTOR as ZAI
from codexbar.status.poll import fetch_status, mirror_path, read_entry, read_status, refresh_status
from tests.status.helpers import CLAUDE_STATUS, GOOGLE, OPENAI_STATUS, descriptor, env, http, serve, store

NOW = datetime(2026, 8, 3, 12, 0, tzinfo=timezone.utc)
PROXY_OPENAI = "/proxy/status.openai.com"
PROXY_CLAUDE = "/proxy/status.claude.com"
GEMINI = descriptor("gemini", "https://www.google.com/appsstatus/dashboard/products/npdyhgECDJ6tB66MxXyo/history",
                    None)
CLAUDE_COMPONENTS = [
    {"name": "Console", "status": "sunsetting", "indicator": "unknown"},
    {"name": "claude.ai", "status": "under_maintenance", "indicator": "maintenance"},
    {"name": "Claude API", "status": "degraded_performance", "indicator": "minor", "children": [
        {"name": "Messages API", "status": "partial_outage", "indicator": "major"},
        {"name": "Message Batches", "status": "operational", "indicator": "none"}]},
    {"name": "Claude Code", "status": "operational", "indicator": "none"},
]


def paths(httpserver) -> list:  # noqa: ANN001
    return [request.path for request, _ in httpserver.log]


# -- fetch_status ---------------------------------------------------------------------------------


def test_incidentio_feed_with_status_overlay(overrides, httpserver) -> None:  # noqa: ANN001
    overrides(OPENAI_STATUS)
    serve(httpserver, PROXY_OPENAI, "openai/proxy.json")
    serve(httpserver, "/api/v2/status.json", "openai/status-minor.json")
    result = fetch_status(http(), CODEX, NOW)
    # indicator from the worst leaf (Fine-tuning full outage), text and time from status.json
    assert {k: v for k, v in result.items() if k != "components"} == {
        "indicator": "critical",
        "description": "Increased Codex CLI latency",
        "updatedAt": "2026-08-03T11:20:05Z",
        "url": "https://status.openai.com/",
    }
    assert [c["name"] for c in result["components"]] == ["Codex", "APIs", "FedRAMP"]
    assert paths(httpserver) == [PROXY_OPENAI, "/api/v2/status.json"]


def test_incidentio_feed_without_overlay_still_counts(overrides, httpserver) -> None:  # noqa: ANN001
    overrides(OPENAI_STATUS)
    serve(httpserver, PROXY_OPENAI, "openai/proxy.json")
    serve(httpserver, "/api/v2/status.json", status=503, body="down")
    result = fetch_status(http(), CODEX, NOW)
    assert result["indicator"] == "critical"
    assert "description" not in result and "updatedAt" not in result
    assert list(result) == ["indicator", "url", "components"]


@pytest.mark.parametrize("proxy", [
    dict(status=404, body="not found", content_type="text/html"),
    dict(fixture="openai/proxy-empty.json"),
    dict(fixture="errors/maintenance.html", content_type="text/html"),
])
def test_classic_statuspage_when_incidentio_is_unusable(overrides, httpserver, proxy) -> None:  # noqa: ANN001
    overrides(CLAUDE_STATUS)
    serve(httpserver, PROXY_CLAUDE, proxy.pop("fixture", None), **proxy)
    serve(httpserver, "/api/v2/summary.json", "claude/summary-minor.json")
    serve(httpserver, "/api/v2/components.json", "claude/components.json")
    assert fetch_status(http(), CLAUDE, NOW) == {
        "indicator": "minor",
        "description": "Partially Degraded Service",
        "updatedAt": "2026-08-03T11:40:00Z",
        "url": "https://status.claude.com/",
        "components": CLAUDE_COMPONENTS,
    }
    assert paths(httpserver) == [PROXY_CLAUDE, "/api/v2/summary.json", "/api/v2/components.json"]


@pytest.mark.parametrize("components", [
    dict(status=500, body="boom"), dict(fixture="claude/components-corrupt.json"),
])
def test_components_are_best_effort(overrides, httpserver, components) -> None:  # noqa: ANN001
    overrides(CLAUDE_STATUS)
    serve(httpserver, PROXY_CLAUDE, status=404, body="")
    serve(httpserver, "/api/v2/summary.json", "claude/summary-minor.json")
    serve(httpserver, "/api/v2/components.json", components.pop("fixture", None), **components)
    assert fetch_status(http(), CLAUDE, NOW) == {
        "indicator": "minor", "description": "Partially Degraded Service",
        "updatedAt": "2026-08-03T11:40:00Z", "url": "https://status.claude.com/"}


@pytest.mark.parametrize("summary, message", [
    (dict(status=500, body="boom"), "status.claude.com status is unavailable (HTTP 500)."),
    (dict(fixture="errors/truncated.json"), "status.claude.com status returned invalid JSON."),
    (dict(fixture="errors/maintenance.html", content_type="text/html"),
     "status.claude.com status returned a web page instead of JSON (HTTP 200)."),
])
def test_summary_failure_raises_a_clear_error(overrides, httpserver, summary, message) -> None:  # noqa: ANN001
    from codexbar.errors import FetchError

    overrides(CLAUDE_STATUS)
    serve(httpserver, PROXY_CLAUDE, status=404, body="")
    serve(httpserver, "/api/v2/summary.json", summary.pop("fixture", None), **summary)
    with pytest.raises(FetchError) as caught:
        fetch_status(http(), CLAUDE, NOW)
    assert caught.value.message == message


def test_google_workspace_feed_for_gemini(overrides, httpserver) -> None:  # noqa: ANN001
    overrides(GOOGLE)
    serve(httpserver, "/appsstatus/dashboard/incidents.json", "google/incidents.json")
    assert fetch_status(http(), GEMINI, NOW) == {
        "indicator": "critical",
        "description": "Gemini API error.",
        "updatedAt": "2025-12-02T12:00:00Z",
        "url": "https://www.google.com/appsstatus/dashboard/products/npdyhgECDJ6tB66MxXyo/history",
    }


def test_nothing_to_poll() -> None:
    assert fetch_status(http(), ZAI, NOW) is None
    assert fetch_status(http(), descriptor("grok", "https://status.x.ai", None), NOW) is None


# -- refresh_status and the cache -------------------------------------------------------------------


def serve_claude_ok(httpserver) -> None:  # noqa: ANN001
    serve(httpserver, PROXY_CLAUDE, status=404, body="")
    serve(httpserver, "/api/v2/summary.json", "claude/summary-minor.json")
    serve(httpserver, "/api/v2/components.json", "claude/components.json")


def test_refresh_stores_status_and_private_mirror(overrides, httpserver) -> None:  # noqa: ANN001
    overrides(CLAUDE_STATUS)
    serve_claude_ok(httpserver)
    cache = store()
    try:
        status = refresh_status(env(), cache, http(), CLAUDE)
    finally:
        cache.close()
    expected = {"indicator": "minor", "description": "Partially Degraded Service",
                "updatedAt": "2026-08-03T11:40:00Z", "url": "https://status.claude.com/",
                "components": CLAUDE_COMPONENTS}
    assert status == expected
    cache_dir = env().cache_dir
    assert read_status(cache_dir, "claude") == expected
    assert read_entry(cache_dir, "claude")["fetchedAt"] == "2026-08-03T12:00:00Z"
    mirror = mirror_path(cache_dir, "claude")
    assert mirror == cache_dir / "snapshots" / "status-claude.snapshot"
    assert stat.S_IMODE(os.stat(mirror).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(mirror.parent).st_mode) == 0o700
    # a fresh Store over the same directory sees the same entry (real diskcache on disk)
    again = store()
    try:
        assert again.get("status/claude")["status"] == expected
    finally:
        again.close()


def test_failed_refresh_keeps_last_good(overrides, httpserver, monkeypatch) -> None:  # noqa: ANN001
    overrides(CLAUDE_STATUS)
    serve_claude_ok(httpserver)
    cache = store()
    try:
        good = refresh_status(env(), cache, http(), CLAUDE)
        httpserver.clear()
        serve(httpserver, PROXY_CLAUDE, status=404, body="")
        serve(httpserver, "/api/v2/summary.json", status=500, body="boom")
        monkeypatch.setenv("CODEXBAR_NOW", "2026-08-03T12:05:00Z")
        kept = refresh_status(env(), cache, http(), CLAUDE)
    finally:
        cache.close()
    assert kept == good
    entry = read_entry(env().cache_dir, "claude")
    assert entry["status"] == good
    assert entry["fetchedAt"] == "2026-08-03T12:00:00Z"
    assert entry["attemptedAt"] == "2026-08-03T12:05:00Z"
    assert entry["error"] == {"kind": "unavailable", "message": "status.claude.com status is unavailable (HTTP 500)."}


def test_failure_before_first_success_shows_nothing(overrides, httpserver) -> None:  # noqa: ANN001
    overrides(CLAUDE_STATUS)
    serve(httpserver, PROXY_CLAUDE, status=404, body="")
    serve(httpserver, "/api/v2/summary.json", "errors/maintenance.html", content_type="text/html")
    cache = store()
    try:
        assert refresh_status(env(), cache, http(), CLAUDE) is None
    finally:
        cache.close()
    assert read_status(env().cache_dir, "claude") is None
    assert read_entry(env().cache_dir, "claude")["error"]["kind"] == "parse"


def test_failed_component_fetch_keeps_previous_components(overrides, httpserver) -> None:  # noqa: ANN001
    overrides(CLAUDE_STATUS)
    serve_claude_ok(httpserver)
    cache = store()
    try:
        refresh_status(env(), cache, http(), CLAUDE)
        httpserver.clear()
        serve(httpserver, PROXY_CLAUDE, status=404, body="")
        serve(httpserver, "/api/v2/summary.json", "claude/status-none.json")
        serve(httpserver, "/api/v2/components.json", status=502, body="bad gateway")
        status = refresh_status(env(), cache, http(), CLAUDE)
    finally:
        cache.close()
    assert status["indicator"] == "none"
    assert status["description"] == "All Systems Operational"
    assert status["components"] == CLAUDE_COMPONENTS


def test_components_only_kept_for_curated_providers(overrides, httpserver) -> None:  # noqa: ANN001
    overrides(CLAUDE_STATUS)
    serve_claude_ok(httpserver)
    cursor = descriptor("cursor", "https://status.claude.com/", CLAUDE_STATUS)  # any non-curated id
    cache = store()
    try:
        status = refresh_status(env(), cache, http(), cursor)
    finally:
        cache.close()
    assert "components" not in status and status["indicator"] == "minor"


def test_zoommate_allowlist_filters_top_level(overrides, httpserver) -> None:  # noqa: ANN001
    overrides(CLAUDE_STATUS)
    serve(httpserver, PROXY_CLAUDE, status=404, body="")
    serve(httpserver, "/api/v2/summary.json", "claude/status-none.json")
    serve(httpserver, "/api/v2/components.json", body=json.dumps({"components": [
        {"id": "1", "name": "Zoom Meetings", "status": "operational", "position": 1},
        {"id": "2", "name": "Zoom Phone", "status": "major_outage", "position": 2},
        {"id": "3", "name": "ZoomMate", "status": "degraded_performance", "position": 3}]}))
    zoom = descriptor("zoommate", "https://www.zoomstatus.com/", CLAUDE_STATUS)
    cache = store()
    try:
        status = refresh_status(env(), cache, http(), zoom)
    finally:
        cache.close()
    assert [c["name"] for c in status["components"]] == ["Zoom Meetings", "ZoomMate"]


def test_hooks_fire_on_outage_and_recovery_only(overrides, httpserver, monkeypatch) -> None:  # noqa: ANN001
    overrides(CLAUDE_STATUS)
    events = []
    bodies = ["claude/summary-minor.json", "claude/summary-minor.json", "claude/status-odd-indicator.json",
              "claude/status-none.json", "claude/status-none.json"]
    cache = store()
    try:
        for minute, body in enumerate(bodies):
            httpserver.clear()
            serve(httpserver, PROXY_CLAUDE, status=404, body="")
            serve(httpserver, "/api/v2/summary.json", body)
            serve(httpserver, "/api/v2/components.json", status=404, body="")
            monkeypatch.setenv("CODEXBAR_NOW", "2026-08-03T12:%02d:00Z" % minute)
            refresh_status(env(), cache, http(), CLAUDE, on_event=lambda e, i: events.append((e, i)))
    finally:
        cache.close()
    # minor → (minor: no repeat) → unknown (ignored) → none: recovered → none: nothing
    assert events == [("provider_unavailable", "minor"), ("provider_recovered", "none")]


def test_max_age_skips_the_network(overrides, httpserver, monkeypatch) -> None:  # noqa: ANN001
    overrides(CLAUDE_STATUS)
    serve_claude_ok(httpserver)
    cache = store()
    try:
        first = refresh_status(env(), cache, http(), CLAUDE)
        calls = len(httpserver.log)
        monkeypatch.setenv("CODEXBAR_NOW", "2026-08-03T12:04:00Z")
        assert refresh_status(env(), cache, http(), CLAUDE, max_age=300) == first
        assert len(httpserver.log) == calls
        monkeypatch.setenv("CODEXBAR_NOW", "2026-08-03T12:06:00Z")
        refresh_status(env(), cache, http(), CLAUDE, max_age=300)
        assert len(httpserver.log) == calls + 3
    finally:
        cache.close()


def test_lock_held_elsewhere_returns_stored_status(overrides, httpserver) -> None:  # noqa: ANN001
    import subprocess
    import sys
    import textwrap

    overrides(CLAUDE_STATUS)
    serve_claude_ok(httpserver)
    cache = store()
    try:
        first = refresh_status(env(), cache, http(), CLAUDE)
        calls = len(httpserver.log)
        # another process holds the provider's status lock
        holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
            import sys, time
            from pathlib import Path
            from codexbar.cache import FileLock
            lock = FileLock(Path(sys.argv[1]), "status-claude")
            assert lock.acquire(0)
            print("held", flush=True)
            time.sleep(30)
        """), str(env().cache_dir)], stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "held"
            assert refresh_status(env(), cache, http(), CLAUDE) == first
            assert len(httpserver.log) == calls
        finally:
            holder.kill()
            holder.wait()
    finally:
        cache.close()


def test_corrupt_mirror_reads_as_nothing() -> None:
    path = mirror_path(env().cache_dir, "claude")
    path.parent.mkdir(parents=True)
    path.write_text("{not a snapshot")
    assert read_status(env().cache_dir, "claude") is None
    path.write_bytes(__import__("marshal").dumps({"schema": 1, "status": {"indicator": 3}}))
    assert read_status(env().cache_dir, "claude") is None


def test_read_status_is_hot_path_safe() -> None:
    import subprocess
    import sys

    code = ("import sys; from codexbar.status import read_status; import codexbar.render.status; "
            "read_status(__import__('pathlib').Path('/nonexistent'), 'claude'); "
            "heavy = [m for m in ('httpx', 'pydantic', 'diskcache', 'keyring', 'pexpect', 'psutil', "
            "'browser_cookie3') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "[]", out.stderr


def test_hanging_status_page_keeps_last_good_and_records_timeout(overrides, httpserver, monkeypatch) -> None:  # noqa: ANN001
    import time

    overrides(CLAUDE_STATUS)
    serve_claude_ok(httpserver)
    cache = store()
    try:
        good = refresh_status(env(), cache, http(), CLAUDE)
        httpserver.clear()
        serve(httpserver, PROXY_CLAUDE, status=404, body="")
        serve(httpserver, "/api/v2/summary.json", "claude/status-none.json", delay=1.5)
        monkeypatch.setenv("CODEXBAR_NOW", "2026-08-03T12:05:00Z")
        assert refresh_status(env(), cache, http(deadline_in=1.0), CLAUDE) == good
        end = time.monotonic() + 3
        while len(httpserver.log) < 2 and time.monotonic() < end:  # let the slow handler finish
            time.sleep(0.05)
    finally:
        cache.close()
    entry = read_entry(env().cache_dir, "claude")
    assert entry["status"] == good
    assert entry["error"]["kind"] == "timeout"
