"""Pure mapping of ChatGPT's ``wham/usage`` answer to codexbar's models (side endpoints: parse_side.py).

No I/O, env or clock: every function takes decoded JSON plus an explicit ``now``. Shared by
the OAuth and PAT sources (rpc_parse.py reuses the window rules for the CLI's RPC answers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Tuple

from codexbar.model import Credits, Identity, NamedWindow, ProviderResult, RateWindow, UsageSnapshot
from codexbar.providers.codex.errors import invalid_response, no_rate_limits
from codexbar.render.formatting import absolute_reset

PROVIDER = "codex"
SESSION_MINUTES, WEEKLY_MINUTES = 300, 10080
DEFAULT_LIMIT_TITLE = "Monthly credit limit"
_NO_MONTHLY_LOOKUP_PLANS = ("guest", "free", "go", "plus", "pro")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")

# -- plan label (presentation) ------------------------------------------------------------------

_PLAN_EXACT = {"pro": "Pro 20x", "prolite": "Pro 5x", "pro_lite": "Pro 5x", "pro-lite": "Pro 5x",
               "pro lite": "Pro 5x"}
_PLAN_UPPER = ("cbp", "k12")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _clean_plan_name(text: str) -> str:
    stripped = _ANSI.sub("", text)
    cleaned = re.sub(r"^\s*(?:\[\d{1,3}m\s*)+", "", stripped)
    cleaned = re.sub(r"(?i)\b(claude|codex|account|plan)\b", "", cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned).strip() or stripped.strip()
    if cleaned.lower() == "oauth":
        return "Ollama"
    return cleaned[:1].upper() + cleaned[1:] if cleaned[:1].islower() else cleaned


def _plan_word(word: str) -> str:
    if word.lower() in _PLAN_UPPER:
        return word.upper()
    if word == word.upper() and any(c.isalpha() for c in word):
        return word
    return word[:1].upper() + word[1:] if word[:1].islower() else word


def plan_label(raw: Optional[str]) -> str:
    """Display name for a raw Codex plan: ``pro`` → "Pro 20x", ``prolite`` → "Pro 5x",
    ``free_workspace`` → "Free Workspace", ``k12`` → "K12"; "" for a blank value."""
    text = (raw or "").strip()
    if not text:
        return ""
    if text.lower() in _PLAN_EXACT:
        return _PLAN_EXACT[text.lower()]
    candidate = _clean_plan_name(text).strip()
    if not candidate:
        return text
    if candidate.lower() in _PLAN_EXACT:
        return _PLAN_EXACT[candidate.lower()]
    words = [w for w in re.split(r"[_\-\s]+", candidate) if w]
    return " ".join(_plan_word(w) for w in words) or candidate


# -- scalars ----------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    """A JSON integer (an integral float such as 12.0 counts, 12.5 and "12" do not)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def flexible_number(value: Any) -> Optional[float]:
    """A number or a numeric string ("14.5", "0E-10"); anything else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return float(value.strip())
    return None


def flexible_int(value: Any) -> Optional[int]:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str) and re.match(r"^[+-]?\d+$", value.strip()):
        return int(value.strip())
    return None


def _text(value: Any) -> Optional[str]:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


# -- windows ----------------------------------------------------------------------------------


def lane(window: Optional[RateWindow]) -> str:
    minutes = window.windowMinutes if window is not None else None
    return "session" if minutes == SESSION_MINUTES else "weekly" if minutes == WEEKLY_MINUTES else "unknown"


def normalize_lanes(primary: Optional[RateWindow], secondary: Optional[RateWindow]
                    ) -> Tuple[Optional[RateWindow], Optional[RateWindow]]:
    """Session = primary, Weekly = secondary: swap reversed pairs, a lone weekly window goes to
    secondary (free plans), a lone session/unknown window to primary."""
    if primary is not None and secondary is not None:
        if lane(primary) == "weekly" and lane(secondary) in ("session", "unknown"):
            return secondary, primary
        return primary, secondary
    single = primary or secondary
    if single is None:
        return None, None
    return (None, single) if lane(single) == "weekly" else (single, None)


def wham_window(raw: Any, now: datetime) -> Tuple[Optional[RateWindow], bool]:
    """(window, decode_failed). All three fields must be JSON integers; ``null`` is no window."""
    if raw is None:
        return None, False
    if not isinstance(raw, dict):
        return None, True
    used, reset, seconds = raw.get("used_percent"), raw.get("reset_at"), raw.get("limit_window_seconds")
    if not (_is_int(used) and _is_int(reset) and _is_int(seconds)):
        return None, True
    resets_at = epoch(int(reset))
    return RateWindow(usedPercent=float(used), windowMinutes=int(int(seconds) / 60), resetsAt=resets_at,
                      resetDescription=absolute_reset(resets_at, now)), False


@dataclass
class RateLimitBlock:
    primary: Optional[RateWindow] = None
    secondary: Optional[RateWindow] = None
    raw_primary: Any = None
    raw_secondary: Any = None
    primary_failed: bool = False
    secondary_failed: bool = False
    individual_limit: Optional[Dict[str, Any]] = None

    @property
    def failed(self) -> bool:
        return self.primary_failed or self.secondary_failed


def rate_limit_block(raw: Any, now: datetime) -> Optional[RateLimitBlock]:
    """``rate_limit`` as decoded by CodexBar; None when absent or not an object."""
    if not isinstance(raw, dict):
        return None
    block = RateLimitBlock(raw_primary=raw.get("primary_window"), raw_secondary=raw.get("secondary_window"))
    block.primary, block.primary_failed = wham_window(block.raw_primary, now)
    block.secondary, block.secondary_failed = wham_window(block.raw_secondary, now)
    block.individual_limit = limit_fields(raw.get("individual_limit")) or limit_fields(raw.get("individualLimit"))
    return block


# -- additional (model-specific) limits -------------------------------------------------------


def _slug(value: str) -> str:
    out, dash = [], False
    for char in value.lower():
        if char.isalnum():
            out.append(char)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def _named(window_id: str, title: str, raw: Mapping[str, Any], now: datetime) -> NamedWindow:
    reset, seconds = int(raw["reset_at"]), int(raw["limit_window_seconds"])
    resets_at = epoch(reset) if reset > 0 else None
    window = RateWindow(usedPercent=float(raw["used_percent"]),
                        windowMinutes=int(seconds / 60) if seconds > 0 else None, resetsAt=resets_at,
                        resetDescription=absolute_reset(resets_at, now) if resets_at else None)
    return NamedWindow(id=window_id, title=title, window=window)


def extra_windows(raw: Any, now: datetime) -> Tuple[List[NamedWindow], bool]:
    """``additional_rate_limits`` → named windows (Spark gets fixed ids); (windows, decode_failed)."""
    if raw is None:
        return [], False
    if not isinstance(raw, list):
        return [], True
    failed = False
    used_ids: set = set()
    result: List[NamedWindow] = []
    for entry in raw:
        if not isinstance(entry, dict):
            failed = True
            continue
        name, feature = _text(entry.get("limit_name")), _text(entry.get("metered_feature"))
        block = rate_limit_block(entry.get("rate_limit"), now)
        if entry.get("rate_limit") is not None and block is None:
            failed = True
        if block is None:
            continue
        failed = failed or block.failed
        valid = [(block.raw_primary if block.primary else None, "codex-spark", "Codex Spark 5-hour"),
                 (block.raw_secondary if block.secondary else None, "codex-spark-weekly", "Codex Spark Weekly")]
        if any("spark" in (v or "").lower() for v in (name, feature)):
            for snapshot, default_id, default_title in valid:
                if snapshot is None:
                    continue
                seconds = int(snapshot["limit_window_seconds"])
                minutes = int(seconds / 60) if seconds > 0 else 0
                if 0 < minutes <= 360:
                    default_id, default_title = "codex-spark", "Codex Spark 5-hour"
                elif minutes >= 8640:
                    default_id, default_title = "codex-spark-weekly", "Codex Spark Weekly"
                if default_id in used_ids:
                    continue
                used_ids.add(default_id)
                result.append(_named(default_id, default_title, snapshot, now))
            continue
        snapshot = valid[0][0] or valid[1][0]
        source = feature or name
        slug = _slug(source) if source else ""
        if snapshot is None or not slug or ("codex-" + slug) in used_ids:
            continue
        used_ids.add("codex-" + slug)
        result.append(_named("codex-" + slug, name or feature or "Codex extra limit", snapshot, now))
    return result, failed


# -- credits and the monthly credit limit -----------------------------------------------------


def limit_fields(raw: Any) -> Optional[Dict[str, Any]]:
    """A spend-control limit object: limit/used/remainingPercent (numbers or numeric strings), reset."""
    if not isinstance(raw, dict):
        return None
    remaining = flexible_number(raw.get("remainingPercent"))
    if remaining is None:
        remaining = flexible_number(raw.get("remaining_percent"))
    reset = None
    for key in ("resetsAt", "resets_at", "reset_at"):
        reset = flexible_int(raw.get(key))
        if reset is not None:
            break
    return {"limit": flexible_number(raw.get("limit")), "used": flexible_number(raw.get("used")),
            "remainingPercent": remaining, "resetsAt": reset}


def credit_limit(fields: Optional[Mapping[str, Any]], updated_at: datetime,
                 title: Optional[str] = None) -> Optional[Dict[str, Any]]:
    """``credits.codexCreditLimit``: used falls back to limit·(100−remaining%)/100, remaining% to
    100 − used/limit·100; both clamped like CodexBar."""
    if not fields or fields.get("limit") is None or fields["limit"] <= 0:
        return None
    limit = float(fields["limit"])
    used, given = fields.get("used"), fields.get("remainingPercent")
    if used is None:
        used = limit * max(0.0, min(100.0, 100.0 - given)) / 100.0 if given is not None else 0.0
    percent = given if given is not None else max(0.0, min(100.0, 100.0 - used / limit * 100.0))
    used = max(0.0, used)
    data: Dict[str, Any] = {"title": (title or "").strip() or DEFAULT_LIMIT_TITLE, "used": used, "limit": limit,
                            "remaining": max(0.0, limit - used), "remainingPercent": min(100.0, max(0.0, percent))}
    reset = fields.get("resetsAt")
    if reset is not None and reset > 0:
        data["resetsAt"] = epoch(reset)
    data["updatedAt"] = updated_at
    return data


def balance(raw_credits: Any) -> Optional[float]:
    return flexible_number(raw_credits.get("balance")) if isinstance(raw_credits, dict) else None


# -- the usage answer ---------------------------------------------------------------------------


@dataclass
class UsageBody:
    primary: Optional[RateWindow] = None
    secondary: Optional[RateWindow] = None
    extras: List[NamedWindow] = field(default_factory=list)
    decode_failed: bool = False
    plan: Optional[str] = None
    account_id: Optional[str] = None
    email: Optional[str] = None
    balance: Optional[float] = None
    unlimited: bool = False
    individual_limit: Optional[Dict[str, Any]] = None
    spend_control_present: bool = False


def parse_usage(body: Any, now: datetime) -> UsageBody:
    """Decode ``wham/usage`` (or ``/api/codex/usage``); raise invalid_response for a non-object."""
    if not isinstance(body, dict):
        raise invalid_response()
    out = UsageBody()
    block = rate_limit_block(body.get("rate_limit"), now)
    if block is not None:
        out.primary, out.secondary = block.primary, block.secondary
    out.extras, extras_failed = extra_windows(body.get("additional_rate_limits"), now)
    out.decode_failed = extras_failed or (block is not None and block.failed)
    plan = body.get("plan_type")
    out.plan = plan if isinstance(plan, str) and plan else None
    out.account_id = _text(body.get("account_id")) or _text(body.get("accountId"))
    out.email = _text(body.get("email"))
    out.balance = balance(body.get("credits"))
    credits = body.get("credits")
    out.unlimited = isinstance(credits, dict) and credits.get("unlimited") is True
    spend = body.get("spend_control") if isinstance(body.get("spend_control"), dict) else body.get("spendControl")
    spend_limit = None
    if isinstance(spend, dict):
        spend_limit = limit_fields(spend.get("individual_limit")) or limit_fields(spend.get("individualLimit"))
    root = limit_fields(body.get("individual_limit")) or limit_fields(body.get("individualLimit"))
    # precedence: root → rate_limit → spend_control (first object present wins, even without a limit)
    out.individual_limit = root or (block.individual_limit if block else None) or spend_limit
    out.spend_control_present = "spend_control" in body or "spendControl" in body
    return out


def credits_from(usage: UsageBody, updated_at: datetime) -> Optional[Credits]:
    limit = credit_limit(usage.individual_limit, updated_at)
    if usage.balance is None and limit is None and not usage.unlimited:
        return None
    return Credits(remaining=usage.balance if usage.balance is not None else 0.0, events=[], updatedAt=updated_at,
                   codexCreditLimit=limit, unlimited=True if usage.unlimited else None)


def should_fetch_monthly_limit(usage: UsageBody, updated_at: datetime) -> bool:
    """Workspace plans report the monthly pool only through spend-controls."""
    if credit_limit(usage.individual_limit, updated_at) is not None or not usage.spend_control_present:
        return False
    return usage.plan not in _NO_MONTHLY_LOOKUP_PLANS


def build_result(usage: UsageBody, *, source: str, email: Optional[str], plan_fallback: Optional[str],
                 now: datetime, reset_credits: Optional[Dict[str, Any]] = None,
                 version: Optional[str] = None, include_credits: bool = True) -> ProviderResult:
    """The OAuth/PAT payload. No window at all: credits (or an available reset credit) still make
    a result with null windows; otherwise "Found sessions, but no rate limit events yet."."""
    credits = credits_from(usage, now)
    identity = Identity(providerID=PROVIDER, accountEmail=email, loginMethod=usage.plan or plan_fallback)
    primary, secondary = normalize_lanes(usage.primary, usage.secondary)
    extras: Dict[str, Any] = {"codexResetCredits": reset_credits} if reset_credits is not None else {}
    if primary is not None or secondary is not None:
        snapshot = UsageSnapshot(primary=primary, secondary=secondary, extraRateWindows=usage.extras or None,
                                 updatedAt=now, identity=identity,
                                 dataConfidence=None if usage.decode_failed else "exact", **extras)
    elif credits is not None or available_reset_credits(reset_credits, now) > 0:
        snapshot = UsageSnapshot(primary=None, secondary=None, updatedAt=now, identity=identity, **extras)
    else:
        raise no_rate_limits()
    return ProviderResult(provider=PROVIDER, source=source, version=version, usage=snapshot,
                          credits=credits if include_credits else None)


def available_reset_credits(snapshot: Optional[Mapping[str, Any]], at: datetime) -> int:
    """Credits that are ``available`` and not expired at ``at``."""
    count = 0
    for item in (snapshot or {}).get("credits") or []:
        expires = item.get("expires_at")
        if item.get("status") == "available" and (expires is None or expires > at):
            count += 1
    return count
