"""Pure parsers for Claude's JSON answers (OAuth usage, claude.ai web API, credential files).

Inputs are decoded JSON plus an explicit ``now``; outputs are ``codexbar.model`` objects. No I/O,
no environment, no clock. Spec: providers/claude.md §3, §5, §6.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import Any, Dict, List, Mapping, Optional, Sequence

from codexbar.env import parse_instant
from codexbar.errors import FetchError, ParseError
from codexbar.model import Identity, NamedWindow, ProviderCost, RateWindow, UsageSnapshot
from codexbar.render.formatting import currency

from .plans import oauth_plan, plan_from_words, web_plan

SESSION_MINUTES = 5 * 60
WEEKLY_MINUTES = 7 * 24 * 60
REQUIRED_SCOPE = "user:profile"

ROUTINE_KEYS = ("seven_day_routines", "seven_day_claude_routines", "claude_routines", "routines",
                "routine", "seven_day_cowork", "cowork")

MISSING_SESSION = "Could not parse Claude usage: missing session data"


# -- small helpers ------------------------------------------------------------------------------


def number(value: Any) -> Optional[float]:
    """A JSON number (never a bool or a string) as float; anything else is None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(float(value)) else None


def loose_number(value: Any) -> Optional[float]:
    """Like ``number`` but also accepts numeric strings (web extra-usage amounts)."""
    if isinstance(value, str):
        try:
            parsed = float(value.strip())
        except ValueError:
            return None
        return parsed if math.isfinite(parsed) else None
    return number(value)


def text(value: Any) -> Optional[str]:
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    return stripped or None


def instant(value: Any) -> Optional[datetime]:
    return parse_instant(value) if isinstance(value, str) else None


def reset_words(when: datetime, tz: Optional[tzinfo] = None) -> str:
    """CodexBar's ``MMM d 'at' h:mma`` in local time: ``Aug 12 at 7:00PM``."""
    local = when.astimezone(tz) if tz is not None else when.astimezone()
    hour = local.hour % 12 or 12
    return "%s %d at %d:%02d%s" % (local.strftime("%b"), local.day, hour, local.minute,
                                   "AM" if local.hour < 12 else "PM")


def slug(value: str) -> str:
    """Lowercase, every run of non-alphanumerics → one ``-``, trimmed."""
    return re.sub(r"[^0-9a-z]+", "-", value.lower()).strip("-")


# -- credentials --------------------------------------------------------------------------------


@dataclass
class OAuthRecord:
    """One ``claudeAiOauth`` record. ``owner``: environment | claude-cli | codexbar."""

    access_token: str
    refresh_token: Optional[str] = None
    expires_at: Optional[datetime] = None
    scopes: List[str] = field(default_factory=list)
    subscription_type: Optional[str] = None
    rate_limit_tier: Optional[str] = None
    owner: str = "claude-cli"
    origin: str = ""
    raw: Dict[str, Any] = field(default_factory=dict)  # every field as read, for write-back

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is None or now >= self.expires_at


class CredentialError(FetchError):
    """A credential record that exists but cannot be used."""

    kind = "missing_credential"


def oauth_record(data: Any, *, owner: str = "claude-cli", origin: str = "") -> OAuthRecord:
    """Parse Claude's credentials JSON (file or Keychain payload) into an OAuthRecord."""
    if not isinstance(data, dict):
        raise CredentialError("Claude OAuth credentials are invalid.",
                              hint="Run `claude` to sign in again, which rewrites the credentials.")
    oauth = data.get("claudeAiOauth")
    if oauth is None and data.get("mcpOAuth") is not None:
        raise CredentialError(
            "Claude keychain contains MCP OAuth state only (no claudeAiOauth). Claude Code may store "
            "subscription OAuth elsewhere now.",
            hint="Run `claude login`, or switch the Claude source to web or cli.")
    if not isinstance(oauth, dict):
        raise CredentialError("Claude OAuth credentials missing. Run `claude` to authenticate.",
                              hint="Run `claude` and sign in with your Claude account.")
    token = text(oauth.get("accessToken"))
    if not token:
        raise CredentialError("Claude OAuth access token missing. Run `claude` to authenticate.",
                              hint="Run `claude` and sign in with your Claude account.")
    millis = number(oauth.get("expiresAt"))
    expires = datetime.fromtimestamp(millis / 1000.0, tz=timezone.utc) if millis is not None else None
    scopes = [s for s in oauth.get("scopes") or [] if isinstance(s, str)] if isinstance(oauth.get("scopes"), list) else []
    return OAuthRecord(access_token=token, refresh_token=text(oauth.get("refreshToken")), expires_at=expires,
                       scopes=scopes, subscription_type=text(oauth.get("subscriptionType")),
                       rate_limit_tier=text(oauth.get("rateLimitTier")), owner=owner, origin=origin,
                       raw=dict(oauth))


def check_scope(record: OAuthRecord) -> None:
    """Usage needs ``user:profile``; checked before any request."""
    if REQUIRED_SCOPE in record.scopes:
        return
    detail = ("Claude OAuth token missing 'user:profile' scope (has: %s)." % ", ".join(record.scopes)
              if record.scopes else "Claude OAuth token missing 'user:profile' scope.")
    raise FetchError(detail + " Run `claude setup-token` to re-generate credentials, or switch Claude "
                     "Source to Web/CLI.", kind="auth_expired",
                     hint="Run `claude setup-token`, or set source to web or cli for claude in the config.")


def refreshed_record(old: OAuthRecord, body: Any, now: datetime) -> Dict[str, Any]:
    """The ``claudeAiOauth`` dict after a token refresh: new token/expiry, every other field kept."""
    if not isinstance(body, dict) or not text(body.get("access_token")):
        raise ParseError("Claude OAuth refresh answer has no access_token.")
    record = dict(old.raw)
    record["accessToken"] = text(body.get("access_token"))
    if text(body.get("refresh_token")):
        record["refreshToken"] = text(body.get("refresh_token"))
    seconds = number(body.get("expires_in"))
    if seconds is not None:
        record["expiresAt"] = int((now.timestamp() + seconds) * 1000)
    return record


# -- usage windows ------------------------------------------------------------------------------


def _window(raw: Any, minutes: int, now: datetime, describe: bool, tz: Optional[tzinfo]) -> Optional[RateWindow]:
    """A usage window object; None when it is absent or has no numeric utilization."""
    if not isinstance(raw, dict):
        return None
    used = number(raw.get("utilization"))
    if used is None:
        return None
    when = instant(raw.get("resets_at"))
    return RateWindow(usedPercent=used, windowMinutes=minutes, resetsAt=when,
                      resetDescription=reset_words(when, tz) if (when and describe) else None)


def scoped_weekly_windows(limits: Any, describe: bool, tz: Optional[tzinfo]) -> List[NamedWindow]:
    """``limits[]`` model-scoped weekly entries → ``claude-weekly-scoped-<slug>`` windows."""
    if not isinstance(limits, list):
        return []
    seen = set()
    out: List[NamedWindow] = []
    for entry in limits:
        if not isinstance(entry, dict) or entry.get("group") != "weekly" or entry.get("kind") != "weekly_scoped":
            continue
        percent = number(entry.get("percent"))
        scope = entry.get("scope") if isinstance(entry.get("scope"), dict) else {}
        model = scope.get("model") if isinstance(scope.get("model"), dict) else {}
        name = text(model.get("display_name"))
        model_id = text(model.get("id"))
        if percent is None or not name:
            continue
        id_slug = slug(model_id) if model_id else ""
        if slug(name) == "all-models" or id_slug == "all-models" or id_slug.endswith("-all-models"):
            continue
        key = slug(model_id or name)
        window_id = "claude-weekly-scoped-" + key
        if not key or window_id in seen:
            continue
        seen.add(window_id)
        when = instant(entry.get("resets_at"))
        out.append(NamedWindow(id=window_id, title="%s only" % name, window=RateWindow(
            usedPercent=percent, windowMinutes=WEEKLY_MINUTES, resetsAt=when,
            resetDescription=reset_words(when, tz) if (when and describe) else None)))
    return out


def routine_window(body: Mapping[str, Any], describe: bool, tz: Optional[tzinfo],
                   now: datetime) -> Optional[NamedWindow]:
    """Daily Routines: the first alias holding an object; ignored when it has no utilization."""
    for key in ROUTINE_KEYS:
        if isinstance(body.get(key), dict):
            window = _window(body[key], WEEKLY_MINUTES, now, describe, tz)
            if window is None:
                return None
            return NamedWindow(id="claude-routines", title="Daily Routines", window=window)
    return None


def extra_windows(body: Mapping[str, Any], describe: bool, tz: Optional[tzinfo], now: datetime) -> List[NamedWindow]:
    windows = scoped_weekly_windows(body.get("limits"), describe, tz)
    routines = routine_window(body, describe, tz, now)
    if routines is not None:
        windows.append(routines)
    return windows


def spend_limit_description(cost: ProviderCost) -> str:
    """The internal spend-limit window text: ``Spend limit: €7.63 / €20.00``."""
    return "%s: %s / %s" % (cost.period or "Spend limit", currency(cost.used, cost.currencyCode),
                            currency(cost.limit, cost.currencyCode))


def _oauth_cost(extra: Any, plan_label: Optional[str], spend_limit: bool, now: datetime) -> Optional[ProviderCost]:
    if not isinstance(extra, dict) or extra.get("is_enabled") is not True:
        return None
    used, limit = number(extra.get("used_credits")), number(extra.get("monthly_limit"))
    if used is None or limit is None:
        return None
    code = text(extra.get("currency")) or "USD"
    enterprise = plan_from_words(plan_label) == "enterprise"
    return ProviderCost(used=used / 100.0, limit=limit / 100.0, currencyCode=code,
                        period="Spend limit" if (spend_limit or enterprise) else "Monthly cap", updatedAt=now)


def oauth_usage(body: Any, record: OAuthRecord, now: datetime, tz: Optional[tzinfo] = None) -> UsageSnapshot:
    """``GET /api/oauth/usage`` → snapshot (spec §6 OAuth)."""
    if not isinstance(body, dict):
        raise ParseError("Claude OAuth response was invalid.")
    plan = oauth_plan(record.subscription_type, record.rate_limit_tier)
    primary = None
    for key, minutes in (("five_hour", SESSION_MINUTES), ("seven_day", WEEKLY_MINUTES),
                         ("seven_day_oauth_apps", WEEKLY_MINUTES), ("seven_day_sonnet", WEEKLY_MINUTES),
                         ("seven_day_opus", WEEKLY_MINUTES)):
        primary = _window(body.get(key), minutes, now, True, tz)
        if primary is not None:
            break
    # no quota window at all + enabled extra usage = spend-limit mode (enterprise / credit accounts)
    cost = _oauth_cost(body.get("extra_usage"), plan, primary is None, now)
    identity = Identity(providerID="claude", loginMethod=plan)
    if primary is None:
        if cost is not None and cost.limit > 0:
            # Spend-limit mode: CodexBar's JSON shows no quota window, only the spend cap.
            return UsageSnapshot(primary=None, secondary=None, tertiary=None,
                                 extraRateWindows=extra_windows(body, True, tz, now) or None,
                                 providerCost=cost, updatedAt=now, identity=identity)
        raise ParseError(MISSING_SESSION, hint="Claude answered without any usage window; try again later.")
    model_lane = body.get("seven_day_sonnet") if isinstance(body.get("seven_day_sonnet"), dict) else body.get("seven_day_opus")
    return UsageSnapshot(
        primary=primary,
        secondary=_window(body.get("seven_day"), WEEKLY_MINUTES, now, True, tz),
        tertiary=_window(model_lane, WEEKLY_MINUTES, now, True, tz),
        extraRateWindows=extra_windows(body, True, tz, now) or None,
        providerCost=cost, updatedAt=now, identity=identity)


def spend_limit_window(body: Any, record: OAuthRecord, now: datetime) -> Optional[RateWindow]:
    """The window CodexBar keeps internally in spend-limit mode (used by menus that want a bar)."""
    snapshot = oauth_usage(body, record, now)
    cost = snapshot.providerCost
    if snapshot.primary is not None or cost is None or cost.limit <= 0:
        return None
    extra = body.get("extra_usage") or {}
    used = number(extra.get("utilization"))
    if used is None:
        used = cost.used / cost.limit * 100.0
    return RateWindow(usedPercent=min(100.0, max(0.0, used)), resetDescription=spend_limit_description(cost))


def oauth_profile(body: Any) -> Dict[str, Optional[str]]:
    """``/api/oauth/profile`` → {email, organization} (keys vary between versions)."""
    if not isinstance(body, dict):
        return {"email": None, "organization": None}
    account = body.get("account") if isinstance(body.get("account"), dict) else {}
    org = body.get("organization") if isinstance(body.get("organization"), dict) else {}
    email = None
    for holder in (account, body):
        for key in ("emailAddress", "email_address", "email"):
            email = email or text(holder.get(key))
    org_id = text(org.get("uuid")) or text(body.get("organizationUuid")) or text(body.get("organization_uuid"))
    return {"email": email, "organization": org_id}


# -- claude.ai web API --------------------------------------------------------------------------


@dataclass
class Organization:
    id: str
    name: Optional[str]


def choose_organization(body: Any, wanted: Optional[str] = None) -> Organization:
    """Configured id (exact) → first with ``chat`` → first not api-only → first."""
    if not isinstance(body, list):
        raise ParseError("Invalid response from Claude API.", hint="claude.ai answered /organizations unexpectedly.")
    orgs = [o for o in body if isinstance(o, dict) and isinstance(o.get("uuid"), str)]

    def caps(org: Mapping[str, Any]) -> set:
        return {str(c).lower() for c in org.get("capabilities") or [] if isinstance(c, str)}

    if wanted:
        match = next((o for o in orgs if o["uuid"] == wanted), None)
        if match is None:
            raise FetchError("Claude organization '%s' was not found for this session." % wanted, kind="config",
                             hint="Fix or remove the organization id for claude in the config.")
        chosen = match
    else:
        chosen = (next((o for o in orgs if "chat" in caps(o)), None)
                  or next((o for o in orgs if caps(o) != {"api"}), None)
                  or (orgs[0] if orgs else None))
    if chosen is None:
        raise FetchError("No Claude organization found for this account.", kind="missing_credential",
                         hint="Sign in to claude.ai with an account that has a Claude plan.")
    return Organization(id=chosen["uuid"], name=text(chosen.get("name")))


def web_cost(extra: Any, now: datetime) -> Optional[ProviderCost]:
    """Usage-body ``extra_usage``: needs used and a limit > 0 (``is_enabled`` is not checked)."""
    if not isinstance(extra, dict):
        return None
    used = loose_number(extra.get("used_credits"))
    raw_limit = extra.get("monthly_limit") if extra.get("monthly_limit") is not None else extra.get("monthly_credit_limit")
    limit = loose_number(raw_limit)
    if used is None or limit is None or limit <= 0:
        return None
    return ProviderCost(used=used / 100.0, limit=limit / 100.0, currencyCode=text(extra.get("currency")) or "USD",
                        period="Monthly cap", updatedAt=now)


def overage_cost(body: Any, now: datetime) -> Optional[ProviderCost]:
    """``/overage_spend_limit``: needs ``is_enabled == true`` and a currency."""
    if not isinstance(body, dict) or body.get("is_enabled") is not True:
        return None
    used, limit, code = number(body.get("used_credits")), number(body.get("monthly_credit_limit")), text(body.get("currency"))
    if used is None or limit is None or not code:
        return None
    return ProviderCost(used=used / 100.0, limit=limit / 100.0, currencyCode=code, period="Monthly cap", updatedAt=now)


def prepaid_balance(body: Any) -> Optional[Dict[str, Any]]:
    """``/prepaid/credits`` → {amount (major units), currency} or None."""
    if not isinstance(body, dict):
        return None
    amount, code = number(body.get("amount")), text(body.get("currency"))
    if amount is None or amount < 0 or not code:
        return None
    return {"amount": amount / 100.0, "currency": code.upper()}


def apply_balance(cost: Optional[ProviderCost], balance: Optional[Mapping[str, Any]], now: datetime) -> Optional[ProviderCost]:
    if balance is None:
        return cost
    if cost is None:
        return ProviderCost(used=0, limit=0, currencyCode=balance["currency"], period="Extra usage",
                            balance=balance["amount"], updatedAt=now)
    if cost.currencyCode.upper() != balance["currency"]:
        return cost
    return cost.model_copy(update={"balance": balance["amount"]})


def web_account(body: Any, org_id: Optional[str]) -> Dict[str, Optional[str]]:
    """``/account`` → {email, plan} from the membership of the chosen org (else the first)."""
    if not isinstance(body, dict):
        return {"email": None, "plan": None}
    members = [m for m in body.get("memberships") or [] if isinstance(m, dict)] \
        if isinstance(body.get("memberships"), list) else []
    chosen = next((m for m in members if isinstance(m.get("organization"), dict)
                   and m["organization"].get("uuid") == org_id), None) if org_id else None
    chosen = chosen or (members[0] if members else None)
    plan = None
    if chosen is not None:
        org = chosen.get("organization") if isinstance(chosen.get("organization"), dict) else {}
        plan = web_plan(text(org.get("rate_limit_tier")), text(org.get("billing_type")), text(chosen.get("seat_tier")))
    return {"email": text(body.get("email_address")), "plan": plan}


def web_usage(body: Any, now: datetime, *, organization: Optional[Organization] = None,
              cost: Optional[ProviderCost] = None, account: Optional[Mapping[str, Optional[str]]] = None,
              tz: Optional[tzinfo] = None) -> UsageSnapshot:
    """``/organizations/{id}/usage`` (+ extras already fetched) → snapshot (spec §6 Web)."""
    if not isinstance(body, dict):
        raise ParseError("Invalid response from Claude API.", hint="claude.ai answered /usage unexpectedly.")
    five = body.get("five_hour") if isinstance(body.get("five_hour"), dict) else None
    session_used = number(five.get("utilization")) if five else None
    session_reset = instant(five.get("resets_at")) if five else None
    primary = RateWindow(usedPercent=session_used if session_used is not None else 0.0,
                         windowMinutes=SESSION_MINUTES, resetsAt=session_reset,
                         resetDescription=reset_words(session_reset, tz) if session_reset else None,
                         isSyntheticPlaceholder=True if five is None else None)
    weekly_raw = body.get("seven_day") if isinstance(body.get("seven_day"), dict) else None
    secondary = _window(weekly_raw, WEEKLY_MINUTES, now, True, tz)
    lane = body.get("seven_day_sonnet") if isinstance(body.get("seven_day_sonnet"), dict) else body.get("seven_day_opus")
    # the model lane carries the weekly reset, as on claude.ai
    tertiary = None
    if isinstance(lane, dict) and number(lane.get("utilization")) is not None:
        weekly_reset = instant(weekly_raw.get("resets_at")) if weekly_raw else None
        tertiary = RateWindow(usedPercent=number(lane.get("utilization")), windowMinutes=WEEKLY_MINUTES,
                              resetsAt=weekly_reset,
                              resetDescription=reset_words(weekly_reset, tz) if weekly_reset else None)
    account = account or {}
    return UsageSnapshot(
        primary=primary, secondary=secondary, tertiary=tertiary,
        extraRateWindows=extra_windows(body, False, tz, now) or None,
        providerCost=cost, updatedAt=now,
        identity=Identity(providerID="claude", accountEmail=account.get("email"),
                          accountOrganization=organization.name if organization else None,
                          loginMethod=account.get("plan")))


def session_key_from_set_cookie(pairs: Sequence[Any]) -> Optional[str]:
    """The last renewed ``sessionKey=sk-ant-…`` among Set-Cookie (name, value) pairs."""
    latest = None
    for name, value in pairs:
        if name == "sessionKey" and isinstance(value, str) and value.strip().startswith("sk-ant-"):
            latest = value.strip()
    return latest


__all__ = ["OAuthRecord", "oauth_record", "oauth_usage", "web_usage", "choose_organization", "CredentialError"]
