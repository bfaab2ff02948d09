"""The one HTTP layer: httpx with timeouts, a User-Agent, endpoint overrides and error mapping.

Every provider request goes through ``Http``; tests point it at loopback servers with
CODEXBAR_ENDPOINT_OVERRIDES. Errors come back as FetchError values with one-line reasons that
never contain the request's secrets.
"""

from __future__ import annotations

import email.utils
import json
import time
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Tuple

from codexbar import __version__
from codexbar.access import overrides as overrides_mod
from codexbar.env import Env
from codexbar.errors import (AuthExpired, FetchError, FetchTimeout, NetworkError, ParseError,
                             RateLimited)
from codexbar.secret import Secret, redact

DEFAULT_TIMEOUT = 15.0
CONNECT_TIMEOUT = 5.0
USER_AGENT = "codexbar/%s" % __version__
MAX_REDIRECTS = 5


def parse_retry_after(value: Optional[str], now: Optional[datetime] = None) -> Optional[float]:
    """Retry-After as seconds (a number, or an HTTP date relative to ``now``)."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class HttpStatusError(FetchError):
    """A non-2xx answer. ``status`` and a redacted ``body`` excerpt are kept for callers."""

    def __init__(self, message: str, *, status: int, body: str = "", kind: str = "unavailable",
                 retry_after: Optional[float] = None, hint: Optional[str] = None) -> None:
        super().__init__(message, kind=kind, retry_after=retry_after, hint=hint)
        self.status = status
        self.body = body


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:64].lower()
    return head.startswith("<!doctype html") or head.startswith("<html") or head.startswith("<")


class Response:
    """The parts of an answer providers read; decoded once, secrets never attached."""

    def __init__(self, status: int, headers: Mapping[str, str], content: bytes, url: str,
                 cookies: List[Tuple[str, str]]) -> None:
        self.status = status
        self.headers = headers
        self.content = content
        self.url = url
        self.set_cookies = cookies   # (name, value) pairs from Set-Cookie

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def header(self, name: str) -> Optional[str]:
        return self.headers.get(name.lower())


class Http:
    def __init__(self, env: Env, *, deadline: Optional[float] = None) -> None:
        self.env = env
        self.deadline = deadline          # time.monotonic() instant no request may pass
        self._overrides: Optional[Dict[str, str]] = None
        self._client: Any = None
        self._secrets: List[Secret] = []

    # -- plumbing ---------------------------------------------------------------------------
    @property
    def overrides(self) -> Dict[str, str]:
        if self._overrides is None:
            self._overrides = overrides_mod.parse(self.env.environ.get(overrides_mod.ENV_VAR))
        return self._overrides

    def resolve(self, url: str) -> str:
        return overrides_mod.rewrite(url, self.overrides)

    def _httpx(self) -> Any:
        if self._client is None:
            import httpx

            self._client = httpx.Client(follow_redirects=False, trust_env=True)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _timeout(self, requested: Optional[float]) -> float:
        timeout = requested or DEFAULT_TIMEOUT
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0.05:
                raise FetchTimeout("Gave up before the request: the refresh deadline passed.")
            timeout = min(timeout, left)
        return timeout

    # -- requests ---------------------------------------------------------------------------
    def request(self, method: str, url: str, *, label: str, headers: Optional[Mapping[str, str]] = None,
                bearer: Optional[Secret] = None, params: Optional[Mapping[str, Any]] = None,
                json_body: Any = None, form: Optional[Mapping[str, str]] = None,
                cookies: Optional[Secret] = None, timeout: Optional[float] = None,
                user_agent: Optional[str] = None) -> Response:
        """Send one request; raise FetchError for transport failures, never for a status."""
        import httpx

        send_headers: Dict[str, str] = {"User-Agent": user_agent or USER_AGENT, "Accept": "application/json"}
        send_headers.update(headers or {})
        if bearer is not None:
            self._secrets.append(bearer)
            send_headers["Authorization"] = "Bearer " + bearer.reveal()
        if cookies is not None:
            self._secrets.append(cookies)
            send_headers["Cookie"] = cookies.reveal()
        target = self.resolve(url)
        limit = self._timeout(timeout)
        client = self._httpx()
        try:
            for _ in range(MAX_REDIRECTS + 1):
                answer = client.request(
                    method, target, headers=send_headers, params=params, json=json_body, data=form,
                    timeout=httpx.Timeout(limit, connect=min(CONNECT_TIMEOUT, limit)),
                )
                if answer.is_redirect and answer.headers.get("location"):
                    nxt = str(answer.next_request.url) if answer.next_request else ""
                    # only same-origin https (or the override's own origin) redirects are followed
                    if nxt and overrides_mod.origin_of(nxt) == overrides_mod.origin_of(target):
                        target = nxt
                        continue
                break
        except httpx.TimeoutException:
            raise FetchTimeout("%s did not answer within %.0f s." % (label, limit),
                               hint="Check your network connection; it will retry on the next refresh.") from None
        except httpx.HTTPError as exc:
            reason = redact(type(exc).__name__ + (": " + str(exc) if str(exc) else ""), self._secrets)
            raise NetworkError("Could not reach %s (%s)." % (label, reason[:160]),
                               hint="Check your network connection or proxy settings.") from None
        cookie_pairs = [(c.name, c.value) for c in answer.cookies.jar]
        headers_lower = {k.lower(): v for k, v in answer.headers.items()}
        return Response(answer.status_code, headers_lower, answer.content, str(answer.url), cookie_pairs)

    def check_status(self, response: Response, *, label: str) -> None:
        """Raise the classified HttpStatusError for any non-2xx answer."""
        status = response.status
        if 200 <= status < 300:
            return
        body = redact(response.text[:300], self._secrets)
        retry_after = parse_retry_after(response.header("retry-after"), self.env.now())
        if status in (401, 403):
            error = HttpStatusError("%s rejected the credentials (HTTP %d)." % (label, status),
                                    status=status, body=body, kind="auth_expired")
        elif status == 429:
            error = HttpStatusError("%s is rate limiting requests (HTTP 429)." % label, status=status,
                                    body=body, kind="rate_limited", retry_after=retry_after)
        elif status in (408, 500, 502, 503, 504):
            error = HttpStatusError("%s is unavailable (HTTP %d)." % (label, status), status=status,
                                    body=body, kind="unavailable", retry_after=retry_after)
        else:
            error = HttpStatusError("%s request returned HTTP %d." % (label, status), status=status,
                                    body=body, kind="unavailable")
        raise error

    def decode_json(self, response: Response, *, label: str) -> Any:
        text = response.text
        if not text.strip():
            raise ParseError("%s returned an empty answer instead of JSON." % label)
        try:
            return json.loads(text)
        except ValueError:
            if looks_like_html(text):
                raise ParseError("%s returned a web page instead of JSON (HTTP %d)." % (label, response.status),
                                 hint="A proxy or captive portal may be in the way, or the endpoint moved.") from None
            raise ParseError("%s returned invalid JSON." % label) from None

    def get_json(self, url: str, *, label: str, **kwargs: Any) -> Any:
        response = self.request("GET", url, label=label, **kwargs)
        self.check_status(response, label=label)
        return self.decode_json(response, label=label)



__all__ = ["Http", "HttpStatusError", "Response", "AuthExpired", "RateLimited", "parse_retry_after"]
