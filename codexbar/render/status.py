"""Status wording for the terminal and the SwiftBar/xbar menu (status.md §6–§7). Stdlib only.

Input is a status dict as stored by ``codexbar.status.poll`` or returned by
``codexbar.status.cli``: ``{indicator, description?, updatedAt?, url, components?}``.
"""

from __future__ import annotations

from datetime import datetime
TYPE_CHECKING = False   # typing stays off the plugin hot path
if TYPE_CHECKING:
    from typing import Any, Dict, List, Mapping, Optional, Tuple

from codexbar.env import parse_instant
from codexbar.render.formatting import updated_text
from codexbar.status import component_label, has_issue, label

# (depth, text, params): depth 0 = the caller's level; a text of "---" is a separator.
if TYPE_CHECKING:
    MenuItem = Tuple[int, str, Dict[str, str]]

_ANSI = {"none": "32", "minor": "33", "major": "31", "critical": "31", "maintenance": "34",
         "unknown": "90"}

# Dot colours: names valid in both SwiftBar's and xbar's tables, no light,dark pairs (xbar).
_DOT = {"none": "green", "minor": "orange", "maintenance": "orange", "major": "red",
        "critical": "red", "unknown": "gray"}
DOT = "\u25cf"  # ●
SEPARATOR = "---"


def status_label(indicator: str) -> str:
    """``Operational``, ``Partial outage``, … (``Status unknown`` for anything unrecognised)."""
    return label(indicator)


def _indicator(status: Mapping[str, Any]) -> str:
    value = status.get("indicator")
    return value if isinstance(value, str) else "unknown"


def _description(status: Mapping[str, Any]) -> str:
    value = status.get("description")
    return value.strip() if isinstance(value, str) else ""


def text_line(status: Mapping[str, Any], color: bool) -> str:
    """``Status: Partial outage – Degraded performance`` (en dash), ANSI-coloured on request."""
    indicator = _indicator(status)
    line = "Status: " + status_label(indicator)
    description = status.get("description")
    if isinstance(description, str) and description:
        line += " \u2013 " + " ".join(description.split())
    if not color:
        return line
    return "\x1b[%sm%s\x1b[0m" % (_ANSI.get(indicator, "90"), line)


def menu_text(text: str) -> str:
    """One safe SwiftBar/xbar title: one line, no ``|``, no leading ``-`` read as depth."""
    clean = " ".join(text.split()).replace("|", "\u00a6")
    return "\u2010" + clean[1:] if clean.startswith("-") else clean


def status_text_line(status: Optional[Mapping[str, Any]], now: datetime) -> Optional[str]:
    """The menu's status line: only when something is wrong; ``<text> — Updated 5m ago``."""
    if not status or not has_issue(_indicator(status)):
        return None
    text = _description(status) or status_label(_indicator(status))
    updated = status.get("updatedAt")
    when = parse_instant(updated) if isinstance(updated, str) else None
    if when is not None:
        text += " \u2014 " + updated_text(when, now)
    return menu_text(text)


def _component_items(rows: List[Mapping[str, Any]], depth: int) -> List[MenuItem]:
    items: List[MenuItem] = []
    for row in rows:
        name = row.get("name")
        if not isinstance(name, str) or not name.strip():
            continue
        raw = row.get("status")
        indicator = row.get("indicator") if isinstance(row.get("indicator"), str) else "unknown"
        words = component_label(raw) if isinstance(raw, str) else status_label(indicator)
        text = menu_text("%s %s \u2014 %s" % (DOT, name, words))
        items.append((depth, text, {"color": _DOT.get(indicator, "gray")}))
        children = row.get("children")
        if isinstance(children, list) and children:
            items.extend(_component_items(children, depth + 1))  # a group opens as a submenu
    return items


def status_page_items(status: Optional[Mapping[str, Any]], page_url: Optional[str],
                      depth: int = 0) -> List[MenuItem]:
    """The "Status Page" action; a submenu of components (website link last) when known."""
    if not page_url:
        return []
    components = status.get("components") if status else None
    rows = _component_items(components, depth + 1) if isinstance(components, list) else []
    items: List[MenuItem] = [(depth, "Status Page", {"href": page_url})]
    if rows:
        items.extend(rows)
        items.append((depth + 1, SEPARATOR, {}))
        items.append((depth + 1, "Open Status Page", {"href": page_url}))
    return items


def swiftbar_items(status: Optional[Mapping[str, Any]], page_url: Optional[str], now: datetime,
                   depth: int = 0) -> List[MenuItem]:
    """Menu items for a provider section, in CodexBar's order: Status Page, then the line."""
    items = status_page_items(status, page_url, depth)
    line = status_text_line(status, now)
    if line:
        items.append((depth, line, {}))
    return items


def overlay(indicator: Optional[str]) -> Optional[str]:
    """The menu-bar icon badge (status.md §6): None, ``"dot"`` or ``"exclamation"``."""
    if not indicator or not has_issue(indicator):
        return None
    return "dot" if indicator in ("minor", "maintenance") else "exclamation"
