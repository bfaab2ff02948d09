"""Status wording: the CLI line, the menu line and the Status Page submenu, checked as exact
text and, once assembled into plugin output, by the SwiftBar/xbar linter."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

import pytest

from codexbar.render.status import (menu_text, overlay, status_label, status_text_line, swiftbar_items,
                                    text_line)
from tests.support.run import lint

NOW = datetime(2026, 8, 3, 12, 0, tzinfo=timezone.utc)
PAGE = "https://status.claude.com/"
COMPONENTS = [
    {"name": "Console", "status": "sunsetting", "indicator": "unknown"},
    {"name": "claude.ai", "status": "under_maintenance", "indicator": "maintenance"},
    {"name": "Claude API", "status": "degraded_performance", "indicator": "minor", "children": [
        {"name": "Messages API", "status": "partial_outage", "indicator": "major"},
        {"name": "Message Batches", "status": "operational", "indicator": "none"}]},
    {"name": "Claude Code", "status": "major_outage", "indicator": "critical"},
]


@pytest.mark.parametrize("indicator, label", [
    ("none", "Operational"), ("minor", "Partial outage"), ("major", "Major outage"),
    ("critical", "Critical issue"), ("maintenance", "Maintenance"), ("unknown", "Status unknown"),
    ("weird", "Status unknown"),
])
def test_labels(indicator: str, label: str) -> None:
    assert status_label(indicator) == label


def test_cli_text_line_plain() -> None:
    assert text_line({"indicator": "minor", "description": "Degraded performance", "url": PAGE}, False) == \
        "Status: Partial outage \u2013 Degraded performance"
    assert text_line({"indicator": "none", "url": PAGE}, False) == "Status: Operational"
    assert text_line({"indicator": "major", "description": "", "url": PAGE}, False) == "Status: Major outage"


@pytest.mark.parametrize("indicator, code", [
    ("none", "32"), ("minor", "33"), ("major", "31"), ("critical", "31"), ("maintenance", "34"),
    ("unknown", "90"),
])
def test_cli_text_line_colours(indicator: str, code: str) -> None:
    line = text_line({"indicator": indicator, "description": "x"}, True)
    assert line == "\x1b[%sm%s\x1b[0m" % (code, "Status: %s \u2013 x" % status_label(indicator))


def test_menu_line_only_when_something_is_wrong() -> None:
    assert status_text_line(None, NOW) is None
    assert status_text_line({"indicator": "none", "description": "All Systems Operational"}, NOW) is None
    assert status_text_line({"indicator": "major", "description": " Elevated errors on Claude Opus ",
                             "updatedAt": "2026-08-03T11:55:00Z"}, NOW) == \
        "Elevated errors on Claude Opus \u2014 Updated 5m ago"
    assert status_text_line({"indicator": "maintenance", "updatedAt": "2026-08-03T11:59:30Z"}, NOW) == \
        "Maintenance \u2014 Updated just now"
    assert status_text_line({"indicator": "minor", "description": ""}, NOW) == "Partial outage"
    assert status_text_line({"indicator": "critical", "description": "x",
                             "updatedAt": "2026-08-01T09:05:00Z"}, NOW) == "x \u2014 Updated 9:05 AM"


def test_menu_text_never_breaks_the_protocol() -> None:
    assert menu_text("API | web\nnext line") == "API \u00a6 web next line"
    assert menu_text("--- not a separator") == "\u2010-- not a separator"


def test_plain_link_without_components() -> None:
    assert swiftbar_items(None, PAGE, NOW) == [(0, "Status Page", {"href": PAGE})]
    assert swiftbar_items({"indicator": "none", "url": PAGE}, PAGE, NOW) == [(0, "Status Page", {"href": PAGE})]
    assert swiftbar_items({"indicator": "minor", "description": "Slow"}, None, NOW) == [(0, "Slow", {})]
    assert swiftbar_items(None, None, NOW) == []


def test_component_submenu_with_groups_and_link_last() -> None:
    status = {"indicator": "minor", "description": "Partially Degraded Service",
              "updatedAt": "2026-08-03T11:40:00Z", "url": PAGE, "components": COMPONENTS}
    assert swiftbar_items(status, PAGE, NOW, depth=1) == [
        (1, "Status Page", {"href": PAGE}),
        (2, "\u25cf Console \u2014 Status unknown", {"color": "gray"}),
        (2, "\u25cf claude.ai \u2014 Maintenance", {"color": "orange"}),
        (2, "\u25cf Claude API \u2014 Degraded performance", {"color": "orange"}),
        (3, "\u25cf Messages API \u2014 Partial outage", {"color": "red"}),
        (3, "\u25cf Message Batches \u2014 Operational", {"color": "green"}),
        (2, "\u25cf Claude Code \u2014 Major outage", {"color": "red"}),
        (2, "---", {}),
        (2, "Open Status Page", {"href": PAGE}),
        (1, "Partially Degraded Service \u2014 Updated 20m ago", {}),
    ]


def _plugin_output(items) -> str:  # noqa: ANN001
    lines = ["Claude", "---"]
    for depth, text, params in items:
        line = "--" * depth + text
        if params:
            line += " | " + " ".join("%s=%s" % kv for kv in params.items())
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("strict_xbar", [False, True])
def test_assembled_menu_passes_the_linter(strict_xbar: bool) -> None:
    status = {"indicator": "critical", "description": "Errors | timeouts on API",
              "updatedAt": "2026-08-03T11:00:00Z", "components": COMPONENTS}
    items = [(0, "Claude", {})] + [(d + 1, t, p) for d, t, p in swiftbar_items(status, PAGE, NOW)]
    output = _plugin_output(items)
    assert "|" not in "".join(t for _, t, _ in items)
    result = lint(output, strict_xbar=strict_xbar)
    errors = [line for line in result.stdout.splitlines() if "ERROR" in line]
    assert result.returncode == 0 and errors == [], result.stdout


@pytest.mark.parametrize("indicator, badge", [
    (None, None), ("none", None), ("minor", "dot"), ("maintenance", "dot"), ("major", "exclamation"),
    ("critical", "exclamation"), ("unknown", "exclamation"),
])
def test_icon_overlay(indicator, badge) -> None:  # noqa: ANN001
    assert overlay(indicator) == badge


def test_render_module_is_stdlib_only() -> None:
    code = ("import sys, codexbar.render.status; "
            "print(sorted(m for m in ('httpx', 'pydantic', 'diskcache', 'keyring') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "[]", out.stderr
