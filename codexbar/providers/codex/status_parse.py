"""Pure parser for the Codex TUI's ``/status`` panel (diagnostics only: ``--source cli`` uses the
app-server RPC, never the TUI). Text + explicit ``now`` in; credits, 5h/weekly windows and the
monthly credit limit out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, Optional

from codexbar.model import RateWindow
from codexbar.providers.codex.errors import CodexError
from codexbar.providers.codex.parse import credit_limit

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                       "nov", "dec"), start=1)}


@dataclass
class StatusPanel:
    credits: Optional[float]
    session: Optional[RateWindow]
    weekly: Optional[RateWindow]
    credit_limit: Optional[Dict[str, Any]]


def _number(raw: str) -> Optional[float]:
    """"7,761" / "1.234,5" / "557" → float (thousands separators in either style)."""
    text = raw.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
    elif "," in text:
        text = text.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", text) else text.replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    try:
        return float(text)
    except ValueError:
        return None


def _first(pattern: str, text: str) -> Optional[float]:
    match = re.search(pattern, text, re.IGNORECASE)
    return _number(match.group(1)) if match else None


def _line(pattern: str, text: str) -> Optional[str]:
    match = re.search(pattern, text, re.IGNORECASE)
    return match.group(0) if match else None


def _percent_left(line: Optional[str]) -> Optional[int]:
    value = _first(r"([0-9]{1,3})%\s+left", line or "")
    return int(value) if value is not None else None


def _reset_text(line: Optional[str]) -> Optional[str]:
    match = re.search(r"resets?\s+(.+)", line or "", re.IGNORECASE)
    if not match:
        return None
    text = re.sub(r"\s+", " ", match.group(1).strip().strip("()")).strip()
    return text or None


def reset_date(text: Optional[str], now: datetime) -> Optional[datetime]:
    """"09:01" → next occurrence; "04:01 on 27 Nov" / "04:01 on Nov 27" → next such date (local time)."""
    if not text:
        return None
    local_now = now.astimezone()
    match = (re.fullmatch(r"(\d{1,2}):(\d{2}) on (\d{1,2}) ([A-Za-z]{3})", text)
             or re.fullmatch(r"(\d{1,2}):(\d{2}) on ([A-Za-z]{3}) (\d{1,2})", text))
    if match:
        hour, minute, a, b = match.groups()
        day, month = (a, b) if a.isdigit() else (b, a)
        if month.lower() not in _MONTHS:
            return None
        try:
            when = local_now.replace(month=_MONTHS[month.lower()], day=int(day), hour=int(hour), minute=int(minute),
                                     second=0, microsecond=0)
        except ValueError:
            return None
        return when if when >= local_now else when.replace(year=when.year + 1)
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if match:
        try:
            when = local_now.replace(hour=int(match.group(1)), minute=int(match.group(2)), second=0, microsecond=0)
        except ValueError:
            return None
        return when if when >= local_now else when + timedelta(days=1)
    return None


def _window(line: Optional[str], minutes: int, now: datetime) -> Optional[RateWindow]:
    left = _percent_left(line)
    if left is None:
        return None
    text = _reset_text(line)
    return RateWindow(usedPercent=max(0.0, 100.0 - left), windowMinutes=minutes, resetsAt=reset_date(text, now),
                      resetDescription=text)


def parse_status(text: str, now: datetime) -> StatusPanel:
    clean = _ANSI.sub("", text)
    if not clean.strip():
        raise CodexError("Codex status probe timed out.", reason="status_timeout", kind="timeout")
    lower = clean.lower()
    if "data not available yet" in lower:
        raise CodexError("Could not parse Codex status; will retry shortly.", reason="status_parse", kind="parse")
    if "update available" in lower and "codex" in lower:
        raise CodexError("Codex CLI update needed: Run `bun install -g @openai/codex` to continue (update prompt "
                         "blocking /status).", reason="update_required", kind="unavailable",
                         hint="Update the Codex CLI, then refresh.")
    credits = _first(r"Credits:\s*([0-9][0-9.,]*)", clean)
    session = _window(_line(r"5h limit[^\n]*", clean), 300, now)
    weekly = _window(_line(r"Weekly limit[^\n]*", clean), 10080, now)
    limit = None
    monthly = _line(r"Monthly credit limit[^\n]*", clean)
    total = _first(r"of\s+([0-9][0-9., ]*)\s+credits used", clean) if monthly else None
    if monthly and total and total > 0:
        used = _first(r"([0-9][0-9., ]*)\s+of\s+[0-9][0-9., ]*\s+credits used", clean) or 0.0
        left = _percent_left(monthly)
        when = reset_date(_reset_text(monthly), now)
        limit = credit_limit({"limit": total, "used": used,
                              "remainingPercent": float(left) if left is not None else None,
                              "resetsAt": int(when.timestamp()) if when else None}, now)
    if credits is None and session is None and weekly is None and limit is None:
        raise CodexError("Could not parse Codex status; will retry shortly.", reason="status_parse", kind="parse")
    return StatusPanel(credits, session, weekly, limit)
