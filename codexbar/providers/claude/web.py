"""The web source: the claude.ai ``sessionKey`` cookie against ``claude.ai/api`` (spec §3, §4, §6 Web).

Cookie order: the selected token account (a bare value becomes ``sessionKey=<value>``), the
config's ``cookieHeader`` (every OS), then the user's browsers (``cookieSource: auto``). A renewed
``sessionKey`` from ``Set-Cookie`` is kept in our own 0600 store, never written to a browser.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Optional, Tuple

from codexbar.descriptor import FetchContext, Source
from codexbar.errors import AuthExpired, FetchError, FetchTimeout, MissingCredential
from codexbar.model import ProviderResult
from codexbar.render.json_out import iso_z

from . import parse
from .oauth import account_kind
from .paths import local_zone

BASE = "https://claude.ai/api"
DOMAIN = "claude.ai"
LABEL = "claude.ai"
REQUEST_TIMEOUT = 15.0
DEFAULT_WEB_TIMEOUT = 60.0
SIGN_IN = "Sign in to claude.ai (or refresh Claude cookies) to load usage data."
NO_KEY = "No Claude session key found in browser cookies."
HINT = ("Sign in to claude.ai in your browser, or paste the Cookie header into cookieHeader for claude "
        "in ~/.config/codexbar/config.json.")


@dataclass
class SessionKey:
    value: str      # what we send (possibly renewed)
    original: str   # what the user's source holds (manual header, browser, account)
    source: str


def cookie_source(ctx: FetchContext) -> str:
    """``auto`` | ``manual`` | ``off``; a cookieHeader alone implies manual."""
    from codexbar.access.cookies import cookie_mode

    return cookie_mode(ctx.config)


def manual_key(ctx: FetchContext) -> Optional[str]:
    from codexbar.access.cookies import config_pairs, find

    return find(config_pairs(ctx.config), "sessionKey", "sk-ant-")


def account_key(ctx: FetchContext) -> Optional[str]:
    from codexbar.access.cookies import find, parse_header

    token = str((ctx.account or {}).get("token") or "").strip()
    if not token:
        return None
    return find(parse_header(token), "sessionKey") if "=" in token else token


def find_key(ctx: FetchContext) -> SessionKey:
    """The session key to use, with a renewal from our store applied when it still matches."""
    from codexbar.access.cookies import SessionStore, browser_cookies, find

    if account_kind(ctx.account) == "web":
        key = account_key(ctx)
        if not key:
            raise MissingCredential("The selected Claude token account has no sessionKey.", hint=HINT)
        found = SessionKey(key, key, "token account")
    elif cookie_source(ctx) == "manual" or manual_key(ctx):
        key = manual_key(ctx)
        if not key:
            raise MissingCredential("The cookieHeader for claude has no sessionKey=sk-ant-\u2026 cookie.", hint=HINT)
        found = SessionKey(key, key, "manual")
    else:
        scan = browser_cookies(ctx.env, DOMAIN, interactive=may_prompt(ctx), names=("sessionKey",))
        hit = next(((label, find(pairs, "sessionKey", "sk-ant-")) for label, pairs in scan.found
                    if find(pairs, "sessionKey", "sk-ant-")), None)
        if hit is None:
            hint = HINT
            if scan.skipped_interactive:
                hint = ("%s cookies need a Keychain prompt: click Refresh in the menu or run `codexbar usage "
                        "--provider claude --source web` once. " % ", ".join(scan.skipped_interactive)) + HINT
            raise MissingCredential(NO_KEY, hint=hint)
        found = SessionKey(hit[1], hit[1], hit[0])  # type: ignore[arg-type]
    renewed = SessionStore(ctx.env, "claude").renewed("sessionKey", found.original)
    if renewed:
        found.value = renewed
    return found


def may_prompt(ctx: FetchContext) -> bool:
    """Chromium cookies on macOS cost a Keychain prompt: only for a menu click (Refresh) or an
    explicit ``codexbar usage --source web``; a plain `codexbar usage` never prompts (CodexBar)."""
    return ctx.interactive and (ctx.runtime == "plugin" or ctx.source_mode == "web")


def has_any_cookie_source(ctx: FetchContext) -> bool:
    """Cheap check (no decryption, no network): is there anything to try?"""
    from codexbar.access.cookies import BROWSERS, cookie_files

    if manual_key(ctx):
        return True
    return any(cookie_files(b, ctx.env) for b in BROWSERS)


class WebFetch:
    """One web fetch: every request carries only ``sessionKey``; renewals are tracked."""

    def __init__(self, ctx: FetchContext, key: SessionKey) -> None:
        self.ctx, self.key = ctx, key
        self.current = key.value
        started = time.monotonic()
        limit = float(getattr(ctx, "web_timeout", None) or DEFAULT_WEB_TIMEOUT)
        if ctx.deadline is not None:  # `codexbar usage --web-timeout N` bounds the whole fetch
            limit = min(limit, max(0.1, ctx.deadline - started))
        self.web_timeout = limit
        self.deadline = started + limit

    def _timeout(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0.05:
            raise FetchTimeout("Claude web usage fetch timed out after %d seconds." % int(round(self.web_timeout)),
                               hint="Check your network connection; it will retry on the next refresh.")
        return min(REQUEST_TIMEOUT, left)

    def get(self, path: str) -> Tuple[int, Any]:
        from codexbar.secret import Secret

        try:
            response = self.ctx.http.request("GET", BASE + path, label=LABEL, cookies=Secret("sessionKey=" + self.current),
                                             headers={"Accept": "application/json"}, timeout=self._timeout())
        except FetchTimeout:
            if time.monotonic() >= self.deadline - 0.05:
                raise FetchTimeout("Claude web usage fetch timed out after %d seconds." % int(round(self.web_timeout)),
                                   hint="Check your network connection; it will retry on the next refresh.") from None
            raise
        if response.status == 200:
            renewed = parse.session_key_from_set_cookie(response.set_cookies)
            if renewed and renewed != self.current:
                self.current = renewed
        if response.status != 200:
            return response.status, None
        return 200, self.ctx.http.decode_json(response, label=LABEL)

    def required(self, path: str) -> Any:
        status, body = self.get(path)
        if status in (401, 403):
            raise AuthExpired(SIGN_IN, hint=HINT)
        if status != 200:
            raise FetchError("Claude API error: HTTP %d" % status, kind="unavailable",
                             hint="claude.ai had a problem; it will retry on the next refresh.")
        return body

    def best_effort(self, path: str) -> Any:
        try:
            status, body = self.get(path)
        except FetchError:
            return None
        return body if status == 200 else None

    def remember_renewal(self) -> None:
        from codexbar.access.cookies import SessionStore

        if self.current != self.key.value:
            SessionStore(self.ctx.env, "claude").remember("sessionKey", self.current, self.key.original,
                                                          self.key.source, iso_z(self.ctx.now))


class WebSource(Source):
    id = "web"

    def available(self, ctx: FetchContext) -> bool:
        kind = account_kind(ctx.account)
        if kind is not None:
            return kind == "web"
        mode = cookie_source(ctx)
        if mode == "off":
            return False
        if mode == "manual":
            return manual_key(ctx) is not None
        return ctx.source_mode == "web" or has_any_cookie_source(ctx)

    def unavailable_reason(self, ctx: FetchContext) -> str:
        mode = cookie_source(ctx)
        if account_kind(ctx.account) not in (None, "web"):
            return "the selected token account is not a claude.ai cookie"
        if mode == "off":
            return "cookieSource is off"
        if mode == "manual":
            return "cookieHeader has no sessionKey=sk-ant-\u2026 cookie"
        return "no claude.ai cookie header and no browser cookie store found"

    def falls_back_on(self, error: FetchError) -> bool:
        return True

    def fetch(self, ctx: FetchContext) -> ProviderResult:
        key = find_key(ctx)
        web = WebFetch(ctx, key)
        now = ctx.now
        wanted = ctx.config_str("organizationID") or ctx.config_str("organizationId") or \
            (str((ctx.account or {}).get("organizationId") or "").strip() or None)
        organization = parse.choose_organization(web.required("/organizations"), wanted)
        usage = web.required("/organizations/%s/usage" % organization.id)
        if not isinstance(usage, dict):
            raise FetchError("Invalid response from Claude API.", kind="parse", hint="claude.ai answered /usage unexpectedly.")
        cost = parse.web_cost(usage.get("extra_usage"), now)
        if cost is None:
            cost = parse.overage_cost(web.best_effort("/organizations/%s/overage_spend_limit" % organization.id), now)
        balance = parse.prepaid_balance(web.best_effort("/organizations/%s/prepaid/credits" % organization.id))
        cost = parse.apply_balance(cost, balance, now)
        account = parse.web_account(web.best_effort("/account"), organization.id)
        snapshot = parse.web_usage(usage, now, organization=organization, cost=cost, account=account,
                                   tz=local_zone(ctx.env))
        web.remember_renewal()
        return ProviderResult(provider="claude", source="web", usage=snapshot)
