"""Plan labels from Claude's tiers and subscription names (ClaudePlan): "Claude Max 20x", "Max", …

Pure string rules shared by the OAuth, web and CLI parsers.
"""

from __future__ import annotations

import re
from typing import List, Optional

_PLAN_LABELS = {"max": "Claude Max", "pro": "Claude Pro", "team": "Claude Team",
                "enterprise": "Claude Enterprise", "ultra": "Claude Ultra"}
_COMPACT = {"max": "Max", "pro": "Pro", "team": "Team", "enterprise": "Enterprise", "ultra": "Ultra"}


def _words(value: Optional[str]) -> List[str]:
    return [w for w in re.split(r"[^0-9a-z]+", (value or "").strip().lower()) if w]


def plan_from_words(value: Optional[str]) -> Optional[str]:
    words = _words(value)
    for plan in ("max", "pro", "team", "enterprise", "ultra"):
        if plan in words:
            return plan
    return None


def plan_from_tier(tier: Optional[str]) -> Optional[str]:
    lower = (tier or "").strip().lower()
    for plan in ("max", "pro", "team", "enterprise"):
        if plan in lower:
            return plan
    return None


def branded_plan(plan: Optional[str], tier: Optional[str]) -> Optional[str]:
    """``Claude Max 20x`` when a Max tier carries ``<n>x`` right after ``max``."""
    if plan is None:
        return None
    label = _PLAN_LABELS[plan]
    if plan == "max":
        words = _words(tier)
        if "max" in words:
            index = words.index("max")
            if index + 1 < len(words) and re.fullmatch(r"\d+x", words[index + 1]):
                label += " " + words[index + 1]
    return label


def oauth_plan(subscription_type: Optional[str], tier: Optional[str]) -> Optional[str]:
    return branded_plan(plan_from_words(subscription_type) or plan_from_tier(tier), tier)


def web_plan(tier: Optional[str], billing_type: Optional[str], seat_tier: Optional[str]) -> Optional[str]:
    plan = plan_from_tier(tier)
    if plan is None and "stripe" in (billing_type or "").lower() and "claude" in (tier or "").lower():
        plan = "pro"
    if plan is not None and plan != "team":
        return branded_plan(plan, tier)
    seat = (seat_tier or "").strip().lower()
    if seat == "team_standard":
        return "Claude Team Standard"
    if seat == "team_tier_1":
        return "Claude Team Premium"
    return branded_plan(plan, tier)


def cli_plan(login_method: Optional[str]) -> Optional[str]:
    """``Claude Max Account`` → ``Max`` (compact); unknown text kept as is."""
    value = (login_method or "").strip()
    if not value:
        return None
    plan = plan_from_words(value)
    return _COMPACT[plan] if plan else value
