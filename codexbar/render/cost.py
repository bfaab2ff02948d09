"""The cost block of the Claude/Codex menus and the ``codexbar cost`` text (presentation.md §2).

Stdlib only: the plugin hot path renders a stored menu summary (``codexbar.cost.summary``)
with ``swiftbar_items`` and never touches the logs.
"""

from __future__ import annotations

from datetime import datetime
TYPE_CHECKING = False   # typing stays off the plugin hot path
if TYPE_CHECKING:
    from typing import Any, Dict, List, Mapping, Optional, Tuple

from codexbar.render import formatting as fmt

if TYPE_CHECKING:
    Item = Tuple[int, str, Dict[str, Any]]
SUMMARY_SCHEMA = 1   # codexbar.cost.summary.SCHEMA (a test keeps them equal)
MUTED = ("#6E6E73", "#98989D", "gray")

HINTS = {
    "claude": "Estimated from local Claude logs at API rates; token totals include cache read/write "
              "tokens and may differ from Claude Code /status.",
    "codex": "Not a subscription bill or plan value · local usage × public API prices",
}
DEFAULT_HINT = "Estimated from local logs · may differ from your bill"
NAMES = {"claude": "Claude", "codex": "Codex", "vertexai": "Vertex AI"}


def hint(provider: str) -> str:
    return HINTS.get(provider, DEFAULT_HINT)


def window_label(days: int) -> str:
    return "Today" if days == 1 else "Last %d days" % days


def amount_line(label: str, cost: Optional[float], tokens: Optional[int], code: str = "USD") -> str:
    """``Today: $1.25 · 1.2K tokens`` / ``Today: —`` (cost unknown, no tokens)."""
    money = fmt.currency(cost, code) if cost is not None else "—"
    if tokens is None:
        return "%s: %s" % (label, money)
    return "%s: %s · %s tokens" % (label, money, fmt.tokens(tokens))


model_display_name = fmt.model_display_name   # one rule for every renderer


def model_line(model: Mapping[str, Any]) -> str:
    """``claude-sonnet-4-5: $0.42 · 1.2K tokens``; unknown prices say so instead of $0."""
    name = model_display_name(str(model.get("name", "")))
    cost = model.get("costUSD")
    if model.get("label"):
        money = str(model["label"])
    elif cost is None:
        money = "price unknown"
    else:
        money = fmt.currency(cost)
    return "%s: %s · %s tokens" % (name, money, fmt.tokens(int(model.get("tokens") or 0)))


# -- menu ----------------------------------------------------------------------------------------


def scanning_items() -> List[Item]:
    """What the menu shows while the first scan of a large history is still running."""
    return [(0, "Scanning logs…", {"color": MUTED})]


def swiftbar_items(summary: Mapping[str, Any], now: datetime) -> List[Item]:
    """Menu items for a stored summary: today, the window, models, chart, hint."""
    if summary.get("noLogs") and not summary.get("scanning"):
        return []
    title = "Cost (API-equivalent estimate)" if summary.get("provider") == "codex" else "Cost (API-rate estimate)"
    items: List[Item] = [(0, title, {"color": MUTED, "size": 12})]
    if summary.get("scanning"):
        items.extend(scanning_items())
    if "today" not in summary:
        return items
    today, span = summary.get("today") or {}, summary.get("window") or {}
    items.append((0, amount_line("Today", today.get("costUSD"), today.get("tokens")), {}))
    days = int(summary.get("historyDays") or 30)
    items.append((0, amount_line(window_label(days), span.get("costUSD"), span.get("tokens")), {}))
    models = summary.get("models") or []
    if models:
        items.append((0, "Models (%s)" % window_label(days).lower(), {}))
        items.extend((1, model_line(m), {}) for m in models)
    if summary.get("chartPNG"):
        items.append((0, "", {"image": summary["chartPNG"]}))
    if summary.get("retainedDays"):
        items.append((0, "Includes %d day%s kept after their logs were deleted" % (
            summary["retainedDays"], "" if summary["retainedDays"] == 1 else "s"), {"color": MUTED, "size": 11}))
    items.append((0, str(summary.get("hint") or hint(str(summary.get("provider", "")))), {"color": MUTED, "size": 11}))
    return items


# -- terminal --------------------------------------------------------------------------------------


def _header(provider: str, color: bool) -> str:
    name = NAMES.get(provider, provider)
    title = "Codex API-equivalent estimate (not billed)" if provider == "codex" else "%s Cost (API-rate estimate)" % name
    return "\x1b[1;36m%s\x1b[0m" % title if color else title


def text_block(report: Mapping[str, Any], color: bool, group_by: Optional[str] = None) -> str:
    """``codexbar cost`` text for one provider report (the JSON element, internal keys allowed)."""
    provider = str(report.get("provider", ""))
    days = int(report.get("historyDays") or 30)
    label = window_label(days)
    lines = [_header(provider, color)]
    if group_by == "project" and provider == "codex":
        return "\n".join(lines + _project_lines(report, label) + [hint(provider)])
    if group_by == "session" and provider == "codex":
        return "\n".join(lines + _session_lines(report, label) + [hint(provider)])
    lines.append(amount_line("Today", report.get("sessionCostUSD"), report.get("sessionTokens")))
    lines.append(amount_line(label, report.get("last30DaysCostUSD"), report.get("last30DaysTokens")))
    lines.append(hint(provider))
    return "\n".join(lines)


def _project_lines(report: Mapping[str, Any], label: str) -> List[str]:
    lines = ["Projects (%s):" % label]
    projects = report.get("projects") or []
    if not projects:
        return lines + ["—"]
    for project in projects:
        lines.append("%s: %s" % (project["name"], _summary(project.get("totalCost"), project.get("totalTokens"))))
        if project.get("path"):
            lines.append("  " + project["path"])
        for source in project.get("sources") or []:
            lines.append("  - %s: %s" % (source["name"], _summary(source.get("totalCost"), source.get("totalTokens"))))
            if source.get("path"):
                lines.append("    " + source["path"])
    return lines


def _summary(cost: Optional[float], tokens: Optional[int]) -> str:
    money = fmt.currency(cost) if cost is not None else "—"
    return "%s · %s tokens" % (money, fmt.tokens(tokens)) if tokens is not None else money


def short_session_id(sid: str) -> str:
    text = sid.strip()
    return text if len(text) <= 12 else "%s...%s" % (text[:4], text[-8:])


def _session_lines(report: Mapping[str, Any], label: str) -> List[str]:
    lines = ["Conversations (%s):" % label]
    incomplete = report.get("historyCoverageIsEstablished") is False
    if incomplete:
        lines.append("Conversation history is incomplete while the local scan catches up.")
    sessions = report.get("_sessions") or []
    if not sessions:
        return lines if incomplete else lines + ["—"]
    for session in sessions:
        parts = [fmt.currency(session["costUSD"]) if session.get("costUSD") is not None else "—"]
        if session.get("totalTokens") is not None:
            parts.append("%s tokens" % fmt.tokens(session["totalTokens"]))
        parts.append("%d requests" % session["requestCount"])
        lines.append("Session %s: %s" % (short_session_id(session["sessionID"]), " · ".join(parts)))
        models = [model_display_name(m["modelName"]) for m in session.get("modelBreakdowns") or []]
        if not models:
            model_label = "Unknown model"
        elif len(models) == 1:
            model_label = models[0]
        else:
            model_label = "%s +%d model%s" % (models[0], len(models) - 1, "s" if len(models) > 2 else "")
        when = datetime.fromtimestamp(session["lastActivityMs"] / 1000.0)
        lines.append("%s · %s %d, %s" % (model_label, when.strftime("%b"), when.day, when.strftime("%H:%M")))
    return lines
