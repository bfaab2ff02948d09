"""Payloads → SwiftBar/xbar menu text (the protocol as both apps really parse it; swiftbar.md).

Rules kept here so no caller has to remember them: `|` can't be escaped (dynamic text is
stripped of it), only `true`/`false` are booleans, `terminal=false` on every action, xbar gets
the strict subset (no SwiftBar-only keys, single colours), and every line is one line.
"""

from __future__ import annotations

from datetime import datetime

from codexbar.cache import surfaced_error
from codexbar.descriptor import Descriptor
from codexbar.env import Env, parse_instant
from codexbar.render import formatting as fmt
from codexbar.render import view as viewmod

TYPE_CHECKING = False   # typing stays off the hot path (its import alone costs milliseconds)
if TYPE_CHECKING:
    from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

    Item = Tuple[int, str, Dict[str, Any]]   # (depth, text, params) — what section builders return

XBAR_KEYS = frozenset({"href", "bash", "terminal", "refresh", "color", "font", "size", "length", "trim",
                       "dropdown", "alternate", "image", "templateImage", "emojize", "ansi", "disabled", "key"})
# every character SwiftBar or xbar treats as a line break (swiftbar.md §2.1)
_BREAKS = {ord(c): " " for c in "\r\n\x0b\x0c\x85\u2028\u2029"}
_SYMBOL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz,0123456789.")
MUTED = ("#6E6E73", "#98989D", "gray")
ERROR = ("#C62828", "#FF6B6B", "red")
BAR_FULL, BAR_EMPTY = "█", "░"


def clean_text(text: str) -> str:
    """One safe line: no `|`, no line breaks, no leading `--`, backslashes kept literally."""
    out = " ".join(str(text).translate(_BREAKS).split(" ")).replace("|", "¦").replace("\\", "\\\\").strip()
    if out.startswith("-"):
        out = "\u2212" + out[1:]   # a leading "--" would be read as menu depth
    return out


def has_symbol_token(text: str) -> bool:
    """True when SwiftBar would read ``:name:`` (regex ``:[a-z,0-9,.]*:``) as an SF Symbol."""
    parts = text.split(":")
    return any(all(c in _SYMBOL_CHARS for c in part) for part in parts[1:-1])


def _is_param_key(key: str) -> bool:
    return key.startswith("param") and key[5:].isdigit() and not key[5:].startswith("0")


def _quote(value: str) -> str:
    if value and not any(c in value for c in " \t\"'"):
        return value
    if '"' not in value:
        return '"%s"' % value
    return "'%s'" % value.replace("'", "")


class Menu:
    """Accumulates lines for one host (``swiftbar`` / ``xbar`` / ``terminal`` preview)."""

    def __init__(self, env: Env) -> None:
        self.host = env.plugin_host
        self.dark = env.dark_mode
        self.lines: List[str] = []

    @property
    def strict(self) -> bool:
        return self.host == "xbar"

    def color(self, pair: Tuple[str, str, str]) -> str:
        if self.strict:
            return pair[2]
        return "%s,%s" % (pair[0], pair[1])

    def line(self, text: str, depth: int = 0, **params: Any) -> None:
        body = clean_text(text) or " "
        if not self.strict and has_symbol_token(body):
            params.setdefault("symbolize", False)
        if "bash" in params:
            params.setdefault("terminal", False)
        rendered = []
        for key, value in params.items():
            if value is None:
                continue
            if self.strict and key not in XBAR_KEYS and not _is_param_key(key):
                continue
            if key == "color" and isinstance(value, tuple):
                value = self.color(value)
            if isinstance(value, bool):
                value = "true" if value else "false"
            rendered.append("%s=%s" % (key, _quote(str(value).replace("|", "¦"))))
        prefix = "--" * depth
        self.lines.append(prefix + body + (" | " + " ".join(rendered) if rendered else ""))

    def items(self, items: Sequence[Item], base_depth: int = 0) -> None:
        for depth, text, params in items:
            if text == "---":
                self.lines.append("--" * (base_depth + depth) + "---")
            else:
                self.line(text, base_depth + depth, **dict(params))

    def separator(self) -> None:
        if self.lines and self.lines[-1] != "---":
            self.lines.append("---")

    def text(self) -> str:
        while self.lines and self.lines[-1] == "---":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"


class Block:
    """One provider's state as the plugin knows it."""

    def __init__(self, descriptor: Descriptor, entry: Optional[Mapping[str, Any]], state: str = "fresh",
                 extra_items: Optional[List[Item]] = None, status_items: Optional[List[Item]] = None,
                 refresh_command: Optional[List[str]] = None) -> None:
        self.descriptor = descriptor
        self.entry = entry                       # cache mirror entry (payload, fetchedAt, error…)
        self.state = state                       # fresh | refreshing | loading
        self.extra_items = extra_items or []     # the local cost section
        self.status_items = status_items or []   # status page link/submenu + incident line
        self.refresh_command = refresh_command   # argv for the Refresh action


def title_text(block: Block) -> Tuple[str, Optional[float], bool]:
    """(title, remaining percent or None, has surfaced error)."""
    desc = block.descriptor
    entry = block.entry or {}
    payload = entry.get("payload")
    error = surfaced_error(block.entry)
    remaining = None
    usage = (payload or {}).get("usage") or {}
    primary = usage.get("primary")
    if isinstance(primary, dict):
        remaining = fmt.remaining_percent(float(primary.get("usedPercent") or 0))
    if remaining is None:
        if payload is None and block.state == "loading":
            return desc.short_name + " …", None, False
        return desc.short_name + (" ⚠" if error or payload is None else ""), None, bool(error)
    return desc.short_name + " " + fmt.percent_string(remaining) + (" ⚠" if error else ""), remaining, bool(error)


def _bar_text(remaining: float) -> str:
    return fmt.bar(remaining, 12, BAR_FULL, BAR_EMPTY)


def _status_line(block: Block, now: datetime) -> Tuple[str, Tuple[str, str, str]]:
    entry = block.entry or {}
    if block.state == "refreshing":
        return "Refreshing…", MUTED
    if block.state == "loading" and not entry.get("payload"):
        return "Loading…", MUTED
    fetched = parse_instant(str(entry.get("fetchedAt") or ""))
    if fetched is None:
        return "Not fetched yet", MUTED
    return fmt.updated_text(fetched, now), MUTED


def provider_lines(menu: Menu, block: Block, now: datetime, depth: int = 0) -> None:
    """The dropdown body for one provider (everything below the title)."""
    desc = block.descriptor
    entry = block.entry or {}
    payload = entry.get("payload")
    error = surfaced_error(block.entry)
    small = {"size": 12}

    header = desc.name
    if payload:
        view = viewmod.build(payload, desc, now)
        source = view.source
        menu.line(header + (" · " + source if source else ""), depth, **small)
        for row in view.windows:
            color = viewmod.severity_color(row.remaining)
            if not row.usage_known:
                menu.line("%s: usage unknown" % row.label, depth)
                continue
            menu.line("%s: %s" % (row.label, row.left_text), depth, color=color)
            line = _bar_text(row.remaining) + ("  " + row.reset if row.reset else "")
            menu.line(line, depth, font="Menlo", size=11)
            if row.pace is not None:
                left = fmt.pace_left_text(row.pace)
                right = fmt.pace_right_text(row.pace, row.lane, separator=" · ", headroom=desc.pace_headroom)
                menu.line("Pace: " + left + (" · " + right if right else ""), depth, size=11, color=MUTED)
        for money in view.money:
            menu.line(money.text(), depth)
        for section in view.sections:
            if not section.rows and not section.chart:
                continue
            menu.line(section.title, depth)
            for row in section.rows:
                menu.line(row.text(), depth + 1, size=12)
            chart = section.chart or {}
            points = [p for p in chart.get("points") or [] if isinstance(p, dict)]
            if points:
                total = sum(float(p.get("value") or 0) for p in points)
                menu.line("%s: %s %s over %d points" % (chart.get("title") or "Chart", fmt.tokens(total),
                                                        chart.get("unit") or "", len(points)), depth + 1, size=12)
        for row in view.identity:
            menu.line(row.text(), depth, size=12)
    else:
        menu.line(header, depth, **small)

    status, color = _status_line(block, now)
    if error:
        menu.line("⚠ " + str(error.get("message") or "Refresh failed"), depth, color=ERROR)
        if error.get("hint"):
            menu.line(str(error["hint"]), depth, size=11, color=MUTED)
        if payload:
            menu.line("Showing last good data · " + status.replace("Updated", "updated"), depth, size=11, color=MUTED)
        elif block.state != "fresh":
            menu.line(status, depth, size=11, color=MUTED)
    else:
        menu.line(status, depth, size=11, color=color)
        last = entry.get("error")
        if last and payload:
            # one failure after a success is not surfaced (failure gate), but say it happened
            menu.line("Last refresh failed: %s (will retry)" % last.get("message"), depth, size=11, color=MUTED)

    if block.extra_items:
        if depth == 0:
            menu.separator()
        menu.items(block.extra_items, depth)


def action_lines(menu: Menu, block: Block, depth: int = 0) -> None:
    desc = block.descriptor
    if block.refresh_command:
        argv = block.refresh_command
        params: Dict[str, Any] = {"bash": argv[0]}
        for index, arg in enumerate(argv[1:], start=1):
            params["param%d" % index] = arg
        params.update(terminal=False, refresh=True)
        menu.line("Refresh %s" % desc.short_name if depth else "Refresh", depth, **params)
    if desc.dashboard_url:
        menu.line("Open usage dashboard", depth, href=desc.dashboard_url)
    if block.status_items:
        menu.items(block.status_items, depth)
    elif desc.status_url:
        menu.line("Open status page", depth, href=desc.status_url)
    for title, url in desc.actions:
        menu.line(title, depth, href=url)
    if block.refresh_command:
        for title, args in desc.commands:
            # same interpreter as the Refresh action; SwiftBar re-runs the plugin afterwards
            params = {"bash": block.refresh_command[0], "param1": "-m", "param2": "codexbar"}
            for index, arg in enumerate(args, start=3):
                params["param%d" % index] = arg
            params.update(terminal=False, refresh=True)
            menu.line(title, depth, **params)


def title_line(menu: Menu, block: Block) -> None:
    title, remaining, has_error = title_text(block)
    params: Dict[str, Any] = {}
    if remaining is not None:
        params["color"] = viewmod.severity_color(remaining) if not has_error else MUTED
    if menu.host == "swiftbar":
        params["sfimage"] = block.descriptor.sf_symbol
    menu.line(title, 0, **params)


def render(block: Block, env: Env) -> str:
    """A single-provider plugin's whole output."""
    menu = Menu(env)
    now = env.now()
    title_line(menu, block)
    menu.lines.append("---")
    provider_lines(menu, block, now)
    menu.separator()
    action_lines(menu, block)
    return menu.text()


def render_merged(blocks: Sequence[Block], env: Env) -> str:
    """Several providers in one item: a compact combined title, one section per provider."""
    menu = Menu(env)
    now = env.now()
    parts = []
    worst: Optional[float] = None
    for block in blocks:
        title, remaining, _ = title_text(block)
        parts.append(title)
        if remaining is not None:
            worst = remaining if worst is None else min(worst, remaining)
    params: Dict[str, Any] = {}
    if worst is not None:
        params["color"] = viewmod.severity_color(worst)
    if menu.host == "swiftbar":
        params["sfimage"] = "gauge.medium"
    menu.line("  ".join(parts) if parts else "codexbar", 0, **params)
    for block in blocks:
        menu.lines.append("---")
        provider_lines(menu, block, now)
        action_lines(menu, block)
    return menu.text()


def crash_output(title: str, message: str, env: Env) -> str:
    """Last-resort output when something unexpected happened: still valid, still exit 0."""
    menu = Menu(env)
    menu.line(title + " ⚠")
    menu.lines.append("---")
    menu.line("⚠ " + message, color=ERROR)
    menu.line("Set CODEXBAR_DEBUG=1 and run the plugin in a terminal for details.", size=11, color=MUTED)
    return menu.text()
