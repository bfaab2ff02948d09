"""The ChatGPT HTTP calls (usage, reset credits, monthly usage, PAT whoami) with CodexBar's
status handling: 401/403 → expired login, other statuses → "Codex API error <code>", a body
that is not JSON → "Invalid response from Codex usage API."."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from codexbar.access.http import looks_like_html, parse_retry_after
from codexbar.descriptor import FetchContext
from codexbar.providers.codex import toml_config
from codexbar.providers.codex.errors import invalid_response, server_error, unauthorized
from codexbar.secret import Secret, redact

LABEL = "ChatGPT"
USAGE_TIMEOUT = 30.0
SIDE_TIMEOUT = 4.0
WHOAMI_URL = "https://auth.openai.com/api/accounts/v1/user-auth-credential/whoami"


def base_url(ctx: FetchContext) -> str:
    """``chatgpt_base_url`` from Codex's config.toml, normalized; default chatgpt.com/backend-api."""
    return toml_config.normalize_base(toml_config.chatgpt_base_url(toml_config.read_text(ctx.env)))


def get_json(ctx: FetchContext, url: str, *, token: Secret, headers: Dict[str, str], user_agent: str,
             timeout: float) -> Any:
    response = ctx.http.request("GET", url, label=LABEL, headers=headers, bearer=token, timeout=timeout,
                                user_agent=user_agent)
    if response.status in (401, 403):
        raise unauthorized(response.status)
    if not 200 <= response.status < 300:
        text = response.text
        body = "" if looks_like_html(text) else redact(text[:400], [token])
        raise server_error(response.status, body,
                           retry_after=parse_retry_after(response.header("retry-after"), ctx.now))
    try:
        return json.loads(response.text)
    except ValueError:
        raise invalid_response() from None


def oauth_headers(account_id: Optional[str], extra: Optional[Dict[str, str]] = None,
                  account_header: str = "ChatGPT-Account-Id") -> Dict[str, str]:
    headers = {"Accept": "application/json"}
    headers.update(extra or {})
    if account_id:
        headers[account_header] = account_id
    return headers
