"""Payloads → terminal text, exactly as presentation.md §2 (colours only when asked)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, List, Mapping, Optional

from codexbar.descriptor import Descriptor
from codexbar.render import formatting as fmt
from codexbar.render import view as viewmod


class Painter:
    def __init__(self, color: bool) -> None:
        self.enabled = color

    def __call__(self, text: str, code: str) -> str:
        return "\x1b[%sm%s\x1b[0m" % (code, text) if self.enabled and text else text


def percent_code(remaining: float) -> str:
    if remaining < 10:
        return "31"
    if remaining < 25:
        return "33"
    return "32"


def provider_block(payload: Mapping[str, Any], desc: Descriptor, now: datetime, *, color: bool = False,
                   status_line: Optional[str] = None, note: Optional[str] = None) -> str:
    paint = Painter(color)
    view = viewmod.build(payload, desc, now)
    head = desc.name + (" " + view.version if view.version else "") + (" (%s)" % view.source if view.source else "")
    lines: List[str] = [paint("== %s ==" % head, "1;95")]
    for row in view.windows:
        if not row.usage_known:
            lines.append(paint(row.label + ":", "95") + " usage unknown")
            continue
        lines.append("%s %s %s" % (paint(row.label + ":", "95"), paint(row.left_text, percent_code(row.remaining)),
                                   paint("[" + fmt.bar(row.remaining) + "]", "95")))
        if row.pace is not None:
            lines.append(paint("Pace: " + fmt.pace_summary(row.pace, row.lane, desc.pace_headroom), "90"))
        if row.reset:
            lines.append(paint(row.reset, "90"))
    for section in view.sections:
        for detail in section.rows:
            lines.append(detail.text())
    for money in view.money:
        lines.append(money.text(" | "))
    for ident in view.identity:
        lines.append(ident.text())
    if note:
        lines.append("Note: " + note)
    if status_line:
        lines.append(status_line)
    return "\n".join(lines)


def error_block(desc: Descriptor, message: str, hint: Optional[str], *, color: bool = False,
                status_line: Optional[str] = None) -> str:
    paint = Painter(color)
    lines = [paint("== %s ==" % desc.name, "1;95"), paint("Error: " + message, "31")]
    if hint:
        lines.append(paint(hint, "90"))
    if status_line:
        lines.append(status_line)
    return "\n".join(lines)
