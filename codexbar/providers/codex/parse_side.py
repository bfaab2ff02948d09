"""Pure mapping of ChatGPT's side endpoints: rate-limit reset credits, the spend-controls
monthly usage, and the PAT whoami. Decoded JSON plus an explicit ``now`` in, models out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Mapping, Optional, Tuple

from codexbar.env import parse_instant
from codexbar.providers.codex.errors import invalid_response
from codexbar.providers.codex.parse import _is_int, _text, credit_limit, flexible_number

_RESET_ID_PREFIX = "codex-reset-credit-v1-"
_INACTIVE_MODES = ("none", "off", "disabled", "no_limit")


def reset_credit_id(provider_id: str) -> str:
    """CodexBar's stable, non-reversible id for a reset credit; server ids always get hashed,
    even ones that already look like ours."""
    digest = hashlib.sha256(("com.steipete.CodexBar.reset-credit-id.v1\0" + provider_id).encode("utf-8"))
    return _RESET_ID_PREFIX + digest.hexdigest()


def _date(raw: Mapping[str, Any], key: str, required: bool = False) -> Optional[datetime]:
    value = raw.get(key)
    if value is None and not required:
        return None
    when = parse_instant(value) if isinstance(value, str) else None
    if when is None:
        raise invalid_response()
    return when


def parse_reset_credits(body: Any, now: datetime) -> Dict[str, Any]:
    """``wham/rate-limit-reset-credits`` → ``usage.codexResetCredits``; invalid_response on any
    malformed field or a negative ``available_count``."""
    if (not isinstance(body, dict) or not isinstance(body.get("credits"), list)
            or not _is_int(body.get("available_count"))):
        raise invalid_response()
    count = int(body["available_count"])
    if count < 0:
        raise invalid_response()
    credits = []
    for raw in body["credits"]:
        if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) for k in ("id", "reset_type", "status")):
            raise invalid_response()
        item: Dict[str, Any] = {"id": reset_credit_id(raw["id"]), "reset_type": raw["reset_type"],
                                "status": raw["status"], "granted_at": _date(raw, "granted_at", required=True)}
        for key in ("expires_at", "redeem_started_at", "redeemed_at"):
            when = _date(raw, key)
            if when is not None:
                item[key] = when
        for key in ("title", "description"):
            value = raw.get(key)
            if value is not None and not isinstance(value, str):
                raise invalid_response()
            if value is not None:
                item[key] = value
        credits.append(item)
    return {"credits": credits, "availableCount": count, "updatedAt": now}


def parse_monthly_usage(body: Any, updated_at: datetime) -> Tuple[Optional[Dict[str, Any]], bool]:
    """spend-controls ``monthly-usage`` → (codexCreditLimit or None, mapping_failed)."""
    if not isinstance(body, dict):
        raise invalid_response()

    def number(container: Mapping[str, Any], key: str) -> Tuple[Optional[float], bool]:
        if container.get(key) is None:
            return None, False
        value = flexible_number(container[key])
        return (value, False) if value is not None and value == value and abs(value) != float("inf") else (None, True)

    usage, usage_bad = number(body, "current_month_usage")
    effective = body.get("effective_monthly_limit")
    if effective is not None and not isinstance(effective, dict):
        raise invalid_response()
    effective = effective or {}
    limit, limit_bad = number(effective, "limit")
    mode = effective.get("enforcement_mode")
    mode_bad = mode is not None and not isinstance(mode, str)
    inactive = isinstance(mode, str) and mode.lower() in _INACTIVE_MODES
    if not limit_bad and (limit or 0) <= 0:
        failed = False
    else:
        failed = mode_bad or (not inactive and (limit_bad or usage_bad))
    if failed or limit is None or limit <= 0 or inactive:
        return None, failed
    used = max(0.0, usage or 0.0)
    return credit_limit({"limit": limit, "used": used, "remainingPercent": None, "resetsAt": None}, updated_at), False


@dataclass(frozen=True)
class Whoami:
    account_id: Optional[str]
    email: Optional[str]
    plan: Optional[str]


def parse_whoami(body: Any) -> Whoami:
    if not isinstance(body, dict):
        raise invalid_response()
    for key in ("chatgpt_account_id", "chatgpt_plan_type", "email"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise invalid_response()
    return Whoami(_text(body.get("chatgpt_account_id")), _text(body.get("email")), _text(body.get("chatgpt_plan_type")))
