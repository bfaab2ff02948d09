"""Pure mapping of ``codex app-server`` JSON-RPC answers (and their error bodies) to models."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Tuple

from codexbar.model import Credits, Identity, RateWindow, UsageSnapshot
from codexbar.providers.codex.errors import no_rate_limits, rpc_malformed
from codexbar.providers.codex.parse import (PROVIDER, limit_fields, balance, credit_limit, epoch,
                                            flexible_int, flexible_number, normalize_lanes,
                                            rate_limit_block)
from codexbar.render.formatting import absolute_reset


@dataclass
class RpcLimits:
    primary: Optional[RateWindow] = None
    secondary: Optional[RateWindow] = None
    plan: Optional[str] = None
    credits_present: bool = False
    balance_text: Optional[str] = None
    limit_name: Optional[str] = None
    individual_limit: Optional[Dict[str, Any]] = None
    by_limit_id: List["RpcLimits"] = field(default_factory=list)
    limit_id: Optional[str] = None


@dataclass
class CliSnapshot:
    usage: Optional[UsageSnapshot]
    credits: Optional[Credits]
    identity: Optional[Identity]


def _either(raw: Mapping[str, Any], camel: str, snake: str) -> Any:
    value = raw.get(camel)
    return value if value is not None else raw.get(snake)


def _string(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


def _window(raw: Any, now: datetime) -> Optional[RateWindow]:
    """``{usedPercent, windowDurationMins?, resetsAt?}``; a malformed window is simply absent."""
    if not isinstance(raw, dict):
        return None
    used, minutes, reset = raw.get("usedPercent"), raw.get("windowDurationMins"), raw.get("resetsAt")
    if isinstance(used, bool) or not isinstance(used, (int, float)):
        return None
    for value in (minutes, reset):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or float(value) != int(value)):
            return None
    resets_at = epoch(int(reset)) if reset is not None else None
    return RateWindow(usedPercent=float(used), windowMinutes=int(minutes) if minutes is not None else None,
                      resetsAt=resets_at, resetDescription=absolute_reset(resets_at, now) if resets_at else None)


def _rpc_limit(raw: Any) -> Optional[Dict[str, Any]]:
    """Like the usage API's limit object, but the RPC spells the reset only resetsAt/resets_at."""
    fields = limit_fields(raw)
    if fields is not None:
        reset = flexible_int(raw.get("resetsAt"))
        fields["resetsAt"] = reset if reset is not None else flexible_int(raw.get("resets_at"))
    return fields


def _snapshot(raw: Any, now: datetime) -> Optional[RpcLimits]:
    if not isinstance(raw, dict):
        return None
    out = RpcLimits(primary=_window(raw.get("primary"), now), secondary=_window(raw.get("secondary"), now))
    out.limit_id = _string(_either(raw, "limitId", "limit_id"))
    out.limit_name = _string(_either(raw, "limitName", "limit_name"))
    out.plan = _string(_either(raw, "planType", "plan_type"))
    credits = raw.get("credits")
    if (isinstance(credits, dict) and isinstance(credits.get("hasCredits"), bool)
            and isinstance(credits.get("unlimited"), bool)
            and (credits.get("balance") is None or isinstance(credits.get("balance"), str))):
        out.credits_present = True
        out.balance_text = credits.get("balance")
    out.individual_limit = _rpc_limit(raw.get("individualLimit")) or _rpc_limit(raw.get("individual_limit"))
    return out


def parse_rate_limits(result: Any, now: datetime) -> RpcLimits:
    """``account/rateLimits/read`` result; rpc_malformed when ``rateLimits`` is missing."""
    limits = _snapshot(result.get("rateLimits") if isinstance(result, dict) else None, now)
    if limits is None:
        raise rpc_malformed("account/rateLimits/read returned no rateLimits object")
    by_id = _either(result, "rateLimitsByLimitId", "rate_limits_by_limit_id")
    if isinstance(by_id, dict):
        parsed = [_snapshot(value, now) for value in by_id.values()]
        if all(p is not None for p in parsed):
            limits.by_limit_id = [p for p in parsed if p is not None]
    return limits


def parse_account(result: Any) -> Optional[Tuple[Optional[str], Optional[str]]]:
    """``account/read`` → (email, plan) for a ChatGPT account ("unknown" when absent);
    (None, None) for an API-key account; None when unusable."""
    account = result.get("account") if isinstance(result, dict) else None
    if not isinstance(account, dict) or not isinstance(account.get("type"), str):
        return None
    kind = account["type"].lower()
    if kind == "apikey":
        return None, None
    if kind != "chatgpt":
        return None
    email, plan = account.get("email"), account.get("planType")
    if (email is not None and not isinstance(email, str)) or (plan is not None and not isinstance(plan, str)):
        return None
    return (email if email is not None else "unknown"), (plan if plan is not None else "unknown")


def _normalized(value: Optional[str]) -> Optional[str]:
    text = (value or "").strip()
    return text or None


def _balance_value(text: Optional[str]) -> float:
    value = flexible_number(text) if text is not None else None
    return value if value is not None else 0.0


def _credits(limits: RpcLimits, now: datetime) -> Optional[Credits]:
    remaining = _balance_value(limits.balance_text) if limits.credits_present else None
    limit = None
    others = sorted(limits.by_limit_id, key=lambda s: s.limit_name or s.limit_id or "")
    for candidate in [limits] + others:
        limit = credit_limit(candidate.individual_limit, now, title=candidate.limit_name)
        if limit is not None:
            break
    if remaining is None and limit is None:
        return None
    return Credits(remaining=remaining if remaining is not None else 0.0, events=[], updatedAt=now,
                   codexCreditLimit=limit)


def assemble(limits: RpcLimits, account: Optional[Tuple[Optional[str], Optional[str]]],
             now: datetime) -> CliSnapshot:
    """Windows + identity (account/read first, then the limits' planType) + credits."""
    plan = _normalized(limits.plan)
    email = account[0] if account else None
    login = (account[1] if account and account[1] is not None else None) or plan
    identity = Identity(providerID=PROVIDER, accountEmail=email, loginMethod=login)
    credits = _credits(limits, now)
    primary, secondary = normalize_lanes(limits.primary, limits.secondary)
    usage: Optional[UsageSnapshot] = None
    if primary is not None or secondary is not None:
        usage = UsageSnapshot(primary=primary, secondary=secondary, updatedAt=now, identity=identity)
    elif (credits is None or plan is not None) and (email is not None or login is not None):
        usage = UsageSnapshot(primary=None, secondary=None, updatedAt=now, identity=identity)
    if usage is None and credits is None:
        raise no_rate_limits()
    return CliSnapshot(usage, credits, identity)


# -- recovering from an RPC error whose message carries the usage body -------------------------


def extract_json_object(text: str, marker: str = "body=") -> Optional[str]:
    """The balanced ``{…}`` that follows ``marker`` (strings and escapes respected)."""
    at = text.find(marker)
    if at < 0:
        return None
    start = text.find("{", at + len(marker))
    if start < 0:
        return None
    depth, in_string, escaped = 0, False, False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start:index + 1]
    return None


def recover_from_error(message: str, now: datetime) -> Optional[CliSnapshot]:
    """Windows + identity when a session-lane window survives a partially bad body; credits
    (balance only) independently. None when nothing is recoverable."""
    raw = extract_json_object(message)
    if raw is None:
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    for key, kind in (("email", str), ("plan_type", str), ("rate_limit", dict), ("credits", dict)):
        if body.get(key) is not None and not isinstance(body[key], kind):
            return None
    usage: Optional[UsageSnapshot] = None
    block = rate_limit_block(body.get("rate_limit"), now)
    if block is not None:
        primary, secondary = normalize_lanes(block.primary, block.secondary)
        if (primary is not None or secondary is not None) and not (block.failed and primary is None):
            identity = Identity(providerID=PROVIDER, accountEmail=_normalized(body.get("email")),
                                loginMethod=_normalized(body.get("plan_type")))
            usage = UsageSnapshot(primary=primary, secondary=secondary, updatedAt=now, identity=identity)
    amount = balance(body.get("credits"))
    credits = Credits(remaining=amount, events=[], updatedAt=now) if amount is not None else None
    if usage is None and credits is None:
        return None
    return CliSnapshot(usage, credits, usage.identity if usage is not None else None)
