"""Pure parser for the text the `claude` CLI draws for ``/usage`` and ``/status`` (spec §7).

A PTY capture is a redrawing TUI: stale status-bar meters, garbled repaints ("Curretsession"),
CR-only line ends, compact captures without spaces. Every rule here exists because a real
capture needed it. Input is captured text plus an explicit ``now``; output is a Panel or a
FetchError with the user-facing reason.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import List, Optional, Tuple

from codexbar.errors import AuthExpired, FetchError, FetchTimeout, ParseError, RateLimited
from codexbar.model import Identity, NamedWindow, RateWindow, UsageSnapshot

from .parse import SESSION_MINUTES, WEEKLY_MINUTES, slug
from .plans import cli_plan
from .resets import parse_reset

_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_SPACE = "[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
_PERCENT = re.compile(r"([0-9]{1,3}(?:\.[0-9]+)?)" + _SPACE + "*%")
_MODEL = re.compile(r"current\s*week\s*\(([^)]+)\)", re.IGNORECASE)
_RESET_WORD = re.compile(r"(?i)\bresets?\b")
_RESET_GLUED = re.compile(r"\b(?:Reset|Resets)(?=[A-Z0-9])")

SESSION_LABEL = "Current session"
WEEKLY_LABEL = "Current week (all models)"
MODEL_LABELS = ("Current week (Opus)", "Current week (Sonnet only)", "Current week (Sonnet)")

RATE_LIMITED = "Claude CLI usage endpoint is rate limited right now. Please try again later."
SUBSCRIPTION_NOTICE = ("Claude CLI /usage returned a subscription notice without session quota data. "
                       "Local cost and token history remain available.")
STILL_LOADING = "Claude CLI /usage is still loading usage data."

_AUTH_MARKERS = (
    "authentication_error", "permission_error", "token_expired", "token expired", "token has expired",
    "oauth account information not found", "does not have access to claude code", "run /login",
    "run `claude login`", "run claude login", "api error: 401", "api error: 403", "forbidden",
    "invalid api key", "invalid_api_key", "invalid credential", "not authenticated", "not authorized",
    "token revoked", "unauthorized",
)


def strip_ansi(value: str) -> str:
    return _CSI.sub("", value)


def squash(value: str) -> str:
    """Lowercase alphanumerics only: how labels are compared."""
    return "".join(ch for ch in value.lower() if ch.isalnum())


def no_space(value: str) -> str:
    return "".join(ch for ch in value.lower() if not ch.isspace())


def _round(value: float) -> int:
    return int(math.floor(value + 0.5))


# -- errors shown by the CLI --------------------------------------------------------------------


def _error_from_json(clean: str) -> Optional[str]:
    match = re.search(r"Failed\s*to\s*load\s*usage\s*data:\s*(\{.*\})", clean, re.DOTALL)
    if not match:
        return None
    raw = match.group(1)
    try:
        payload = json.loads(raw.replace("\r", "").replace("\n", ""))
    except ValueError:
        return None
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return None
    message = error.get("message").strip() if isinstance(error.get("message"), str) else ""
    details = error.get("details") if isinstance(error.get("details"), dict) else {}
    code = details.get("error_code").strip() if isinstance(details.get("error_code"), str) else ""
    kind = error.get("type").strip().lower() if isinstance(error.get("type"), str) else ""
    if kind == "rate_limit_error":
        return RATE_LIMITED
    parts = [p for p in (message, "(%s)" % code if code else "") if p]
    if not parts:
        return None
    hint = " ".join(parts)
    if code and "token" in code.lower():
        return "%s. Run `claude login` to refresh." % hint
    if kind in ("authentication_error", "permission_error"):
        return "Claude CLI authentication error: %s. Run `claude login`." % hint
    return "Claude CLI error: %s" % hint


def _failure_line(clean: str) -> str:
    matches = list(re.finditer(r"failed\s*to\s*load\s*usage\s*data[^\r\n]*", clean, re.IGNORECASE))
    return matches[-1].group(0).lower() if matches else ""


def _subscription_notice_only(clean: str) -> bool:
    squashed = no_space(clean)
    if "currentlyusingyoursubscription" not in squashed or "claudecodeusage" not in squashed:
        return False
    quota = ("currentsession", "currentweek", "%used", "%left", "%remaining", "%available")
    return not any(marker in squashed for marker in quota)


def usage_error(clean: str) -> Optional[str]:
    """The CLI's own failure (JSON error, trust prompt, notice), as the message to show."""
    from_json = _error_from_json(clean)
    if from_json:
        return from_json
    lower = clean.lower()
    if "do you trust the files in this folder?" in lower and "current session" not in lower:
        folder = re.search(r"Do you trust the files in this folder\?\s*(?:\r?\n)+\s*([^\r\n]+)", clean, re.IGNORECASE)
        where = folder.group(1).strip() if folder else ""
        if where:
            return ("Claude CLI is waiting for a folder trust prompt (%s). codexbar tries to auto-accept this, "
                    "but if it keeps appearing run: `cd \"%s\" && claude` and choose \u201cYes, proceed\u201d, "
                    "then retry." % (where, where))
        return ("Claude CLI is waiting for a folder trust prompt. codexbar tries to auto-accept this, but if it "
                "keeps appearing open `claude` once, choose \u201cYes, proceed\u201d, then retry.")
    failure = _failure_line(clean)
    if "token_expired" in failure or "token has expired" in failure:
        return "Claude CLI token expired. Run `claude login` to refresh."
    if "authentication_error" in failure:
        return "Claude CLI authentication error. Run `claude login`."
    if "rate_limit_error" in failure or "rate limited" in failure or "ratelimited" in no_space(failure):
        return RATE_LIMITED
    if _subscription_notice_only(clean):
        return SUBSCRIPTION_NOTICE
    if "failed to load usage data" in lower or "failedtoloadusagedata" in no_space(clean):
        return "Claude CLI could not load usage data. Open the CLI and retry `/usage`."
    return None


PARSE_PREFIX = "Could not parse Claude usage: "


def classify(message: str) -> FetchError:
    """Turn a CLI failure message into the right error kind.

    Like CodexBar, everything but an authentication failure is reported as a parse failure of
    the /usage panel, so its text carries the "Could not parse Claude usage: " prefix.
    """
    lower = message.lower()
    if any(marker in lower for marker in _AUTH_MARKERS):
        return AuthExpired(message, hint="Run `claude login` in a terminal, then refresh.")
    text = PARSE_PREFIX + message
    if message == RATE_LIMITED:
        return RateLimited(text, hint="The CLI source waits 5 minutes before asking again.")
    if message == SUBSCRIPTION_NOTICE:
        return FetchError(text, kind="unavailable", hint="Claude did not report subscription limits for this login.")
    if "trust prompt" in lower:
        return FetchError(text, kind="unavailable", hint="Open `claude` once in that folder and accept the prompt.")
    return ParseError(text, hint="Run `claude` and type /usage to see what it shows.")


# -- panel search -------------------------------------------------------------------------------


def _model_name(line: str) -> Optional[str]:
    match = _MODEL.search(line)
    return match.group(1).strip() if match else None


def _edit_distance(a: str, b: str) -> int:
    if not a:
        return len(b)
    if not b:
        return len(a)
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        diagonal, row[0] = row[0], i
        for j in range(1, len(b) + 1):
            above = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, diagonal + (0 if a[i - 1] == b[j - 1] else 1))
            diagonal = above
    return row[len(b)]


def _is_all_models(squashed_model: str) -> bool:
    return squashed_model == "allmodels" or _edit_distance(squashed_model, "allmodels") <= 2


def _matches(line: str, label: str, fuzzy: bool) -> bool:
    expected = _model_name(label)
    if expected is None:
        return squash(label) in squash(line)
    actual = _model_name(line)
    if actual is None:
        return False
    if fuzzy and _is_all_models(squash(expected)):
        return _is_all_models(squash(actual))
    return squash(actual) == squash(expected)


def _crosses(line: str, label: str, fuzzy: bool = False) -> bool:
    """Did the scan reach another "Current …" block?"""
    squashed = squash(line)
    if not squashed.startswith("current"):
        return False
    expected = _model_name(label)
    if expected is None:
        return squash(label) not in squashed
    actual = _model_name(line)
    if actual is None:
        return True
    if fuzzy and _is_all_models(squash(expected)):
        return not _is_all_models(squash(actual))
    return squash(actual) != squash(expected)


def _status_bar_line(line: str) -> bool:
    lower = line.lower()
    return "|" in line and any(word in lower for word in ("opus", "sonnet", "haiku", "default"))


def percent_left(line: str) -> Optional[int]:
    """Percent LEFT from a line saying ``N% used`` / ``N% left``; other lines are ignored."""
    if _status_bar_line(line):
        return None
    match = _PERCENT.search(line)
    if not match:
        return None
    value = min(100.0, max(0.0, float(match.group(1))))
    lower = line.lower()
    if any(word in lower for word in ("used", "spent", "consumed")):
        return _round(max(0.0, min(100.0, 100.0 - value)))
    if any(word in lower for word in ("left", "remaining", "available")):
        return _round(value)
    return None


def _reset_from_line(line: str) -> Optional[str]:
    match = _RESET_WORD.search(line) or _RESET_GLUED.search(line)
    if not match:
        return None
    return clean_reset(line[match.start():])


def clean_reset(raw: str) -> str:
    cleaned = raw.strip().strip(" )")
    cleaned = re.sub(r"(?i)\b([A-Za-z]{3}\s+\d{1,2})\s+t\s+(\d)", r"\1 at \2", cleaned)
    if cleaned.count("(") > cleaned.count(")"):
        cleaned += ")"
    return cleaned


def _scan(lines: List[str], label: str, span: int, pick, fuzzy: bool):  # noqa: ANN001 - small local helper
    for index, line in enumerate(lines):
        if not _matches(line, label, fuzzy):
            continue
        for candidate in lines[index:index + span]:
            if _crosses(candidate, label, fuzzy):
                break
            found = pick(candidate)
            if found is not None:
                return found
    return None


def _find(lines: List[str], labels: Tuple[str, ...], span: int, pick):  # noqa: ANN001
    for label in labels:
        # an exact label copy wins over a garbled repaint, whatever their order
        found = _scan(lines, label, span, pick, False)
        if found is None:
            found = _scan(lines, label, span, pick, True)
        if found is not None:
            return found
    return None


def all_percents(panel: str) -> List[int]:
    squashed = no_space(panel)
    has_windows = "currentsession" in squashed or "currentweek" in squashed
    loading = "loadingusage" in squashed
    if not (has_windows or loading) or (loading and not has_windows):
        return []
    if not any(word in squashed for word in ("used", "left", "remaining", "available")):
        return []
    return [p for p in (percent_left(line) for line in panel.splitlines()) if p is not None]


def latest_panel(clean: str) -> Optional[str]:
    """From the last "Settings:" header on, when it shows the Usage tab with numbers (or loading)."""
    start = clean.lower().rfind("settings:")
    if start < 0:
        return None
    tail = clean[start:]
    lower = tail.lower()
    if "usage" not in lower:
        return None
    numbers = "%" in lower and any(w in lower for w in ("used", "left", "remaining", "available"))
    if not numbers and "loading usage" not in lower:
        return None
    return tail


def has_session_value(squashed: str) -> bool:
    """Capture stop rule: ``currentsession`` followed somewhere by ``N%``."""
    at = squashed.find("currentsession")
    return at >= 0 and re.search(r"[0-9]{1,3}(?:\.[0-9]+)?%", squashed[at:]) is not None


def has_subscription_notice(squashed: str) -> bool:
    return "currentlyusingyoursubscription" in squashed and "claudecodeusage" in squashed


def _still_loading(panel: str) -> bool:
    squashed = no_space(strip_ansi(panel))
    return "loadingusage" in squashed and not has_session_value(squashed) and not all_percents(panel)


# -- identity -----------------------------------------------------------------------------------


def _first(pattern: str, value: str) -> Optional[str]:
    match = re.search(pattern, value, re.IGNORECASE)
    return match.group(1).strip() if match else None


def _clean_plan(value: str) -> str:
    stripped = strip_ansi(value)
    cleaned = re.sub(r"^\s*(?:\[\d{1,3}m\s*)+", "", stripped)
    cleaned = re.sub(r"(?i)\b(claude|codex|account|plan)\b", "", cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    return cleaned or stripped.strip()


def _login_method(value: str) -> Optional[str]:
    if not value:
        return None
    explicit = _first(r"login\s+method:\s*(.+)", value)
    if explicit:
        return cli_plan(_clean_plan(explicit))
    for match in re.finditer(r"(?i)(claude[ \t]+[a-z0-9][a-z0-9 \t._-]{0,24})", value):
        candidate = cli_plan(_clean_plan(match.group(1))) or _clean_plan(match.group(1))
        if "code" not in candidate.lower():
            return candidate
    return None


def identity(usage: str, status: Optional[str]) -> Tuple[Optional[str], Optional[str], Optional[str]]:
    """(email, organization, login method) from /usage and /status text."""
    status = status or ""
    strict = (r"Account:\s+([^\s@]+@[^\s@]+)", r"Email:\s+([^\s@]+@[^\s@]+)")
    loose = (r"Account:\s+(\S+)", r"Email:\s+(\S+)")
    email = None
    for patterns, source in ((strict, usage), (strict, status), (loose, usage), (loose, status)):
        email = email or next((v for v in (_first(p, source) for p in patterns) if v), None)
    generic = r"([A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,})"
    email = email or _first(generic, usage) or _first(generic, status)
    org = None
    for source in (usage, status):
        org = org or next((v for v in (_first(p, source) for p in (r"Org:\s*(.+)", r"Organization:\s*(.+)")) if v), None)
    if org and email and org.lower().startswith(email.lower()):
        org = None
    return email, org or None, _login_method(status) or _login_method(usage)


# -- the panel ----------------------------------------------------------------------------------


@dataclass
class Panel:
    session_left: int
    weekly_left: Optional[int] = None
    model_left: Optional[int] = None
    session_reset: Optional[str] = None
    weekly_reset: Optional[str] = None
    model_reset: Optional[str] = None
    scoped: List[Tuple[str, int, Optional[str]]] = field(default_factory=list)  # (model, left, reset)
    email: Optional[str] = None
    organization: Optional[str] = None
    login_method: Optional[str] = None


def check_usage(raw: str) -> None:
    """Errors that make a /status round trip pointless (spec: validate before /status)."""
    clean = strip_ansi(raw)
    message = usage_error(clean)
    if message:
        raise classify(message)
    if _still_loading(latest_panel(clean) or clean):
        raise ParseError(PARSE_PREFIX + STILL_LOADING,
                         hint="The CLI source retries once with a longer wait.")


def _scoped(lines: List[str]) -> List[Tuple[str, int, Optional[str]]]:
    found: List[Tuple[str, int, Optional[str]]] = []
    index_of = {}
    for index, line in enumerate(lines):
        model = _model_name(line)
        if model is None or not squash(model) or _is_all_models(squash(model)):
            continue
        left, reset = None, None
        for candidate in lines[index:index + 14]:
            if _crosses(candidate, line):
                break
            left = left if left is not None else percent_left(candidate)
            reset = reset or _reset_from_line(candidate)
        if left is None:
            continue
        key = squash(model)
        if key in index_of:
            found[index_of[key]] = (model, left, reset)
        else:
            index_of[key] = len(found)
            found.append((model, left, reset))
    return found


def parse_panel(raw: str, status: Optional[str] = None) -> Panel:
    """Parse a /usage capture (and optional /status capture). Raises FetchError on failure."""
    clean = strip_ansi(raw)
    status_clean = strip_ansi(status) if status else None
    if not clean.strip():
        raise FetchTimeout("Claude usage probe timed out.", hint="Run `claude` once in a terminal to check it starts.")
    check_usage(raw)
    panel = latest_panel(clean) or clean
    lines = panel.splitlines()
    session = _find(lines, (SESSION_LABEL,), 12, percent_left)
    weekly = _find(lines, (WEEKLY_LABEL,), 12, percent_left)
    model = _find(lines, MODEL_LABELS, 12, percent_left)
    models = {squash(m) for m in (_model_name(line) for line in lines) if m}
    has_weekly = any(_is_all_models(m) for m in models)
    has_model = bool(models & {"opus", "sonnetonly", "sonnet"})
    if session is None:
        ordered = all_percents(panel)
        session = ordered[0] if ordered else None
    email, org, login = identity(clean, status_clean)
    if session is None:
        raise ParseError(PARSE_PREFIX + "Missing Current session.",
                         hint="Run `claude` and type /usage to see what it shows.")
    return Panel(
        session_left=session, weekly_left=weekly, model_left=model,
        session_reset=_find(lines, (SESSION_LABEL,), 14, _reset_from_line),
        weekly_reset=_find(lines, (WEEKLY_LABEL,), 14, _reset_from_line) if has_weekly else None,
        model_reset=_find(lines, MODEL_LABELS, 14, _reset_from_line) if has_model else None,
        scoped=_scoped(lines), email=email, organization=org, login_method=login)


# -- panel → snapshot ---------------------------------------------------------------------------


def snapshot(panel: Panel, now: datetime, local_zone: tzinfo) -> UsageSnapshot:
    """CLI mapping (spec §6 CLI PTY): used = 100 − left; the raw reset text is kept."""

    def window(left: Optional[int], reset: Optional[str], minutes: int) -> Optional[RateWindow]:
        if left is None:
            return None
        text = reset.strip() if reset else None
        return RateWindow(usedPercent=max(0.0, min(100.0, 100.0 - left)), windowMinutes=minutes,
                          resetsAt=parse_reset(text, now, local_zone, minutes * 60.0), resetDescription=text)

    extras: List[NamedWindow] = []
    for model, left, reset in panel.scoped:
        key = squash(model)
        if key in ("opus", "sonnet", "sonnetonly"):
            continue
        title = model if key.endswith("only") else "%s only" % model
        extras.append(NamedWindow(id="claude-weekly-scoped-" + slug(model), title=title,
                                  window=window(left, reset or panel.weekly_reset, WEEKLY_MINUTES)))
    return UsageSnapshot(
        primary=window(panel.session_left, panel.session_reset, SESSION_MINUTES),
        secondary=window(panel.weekly_left, panel.weekly_reset, WEEKLY_MINUTES),
        tertiary=window(panel.model_left, panel.model_reset, WEEKLY_MINUTES),
        extraRateWindows=extras or None, updatedAt=now, dataConfidence="percentOnly",
        identity=Identity(providerID="claude", accountEmail=panel.email, accountOrganization=panel.organization,
                          loginMethod=panel.login_method))
