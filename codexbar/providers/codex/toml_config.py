"""The two things codexbar reads from Codex's ``config.toml``: ``chatgpt_base_url`` and the
active ``model_provider``. A tiny line parser (the same rules CodexBar applies), so no TOML
dependency is needed on Python 3.9/3.10. Everything but ``read_text`` is pure.
"""

from __future__ import annotations

import json
from typing import Dict, Optional
from urllib.parse import quote

from codexbar.env import Env
from codexbar.providers.codex.auth import codex_home

DEFAULT_BASE = "https://chatgpt.com/backend-api"
MAX_BYTES = 256 * 1024
_OPENAI_PROVIDERS = ("openai", "chatgpt")
_BEDROCK_PROVIDERS = ("amazon-bedrock", "amazon-bedrock-runtime")


def read_text(env: Env) -> Optional[str]:
    """``config.toml`` next to auth.json, or None when missing or unreadable."""
    try:
        with open(codex_home(env) / "config.toml", "rb") as handle:
            data = handle.read(MAX_BYTES)
    except OSError:
        return None
    return data.decode("utf-8", errors="replace") if data else None


def chatgpt_base_url(text: Optional[str]) -> Optional[str]:
    """The first ``chatgpt_base_url = "…"`` line's value (quotes removed)."""
    for raw in (text or "").splitlines():
        line = raw.split("#", 1)[0].strip()
        key, sep, value = line.partition("=")
        if not sep or key.strip() != "chatgpt_base_url":
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        return value.strip()
    return None


def normalize_base(value: Optional[str]) -> str:
    """Trim, drop trailing ``/``; chatgpt.com / chat.openai.com get ``/backend-api`` appended."""
    base = (value or "").strip() or DEFAULT_BASE
    base = base.rstrip("/")
    if base.startswith(("https://chatgpt.com", "https://chat.openai.com")) and "/backend-api" not in base:
        base += "/backend-api"
    return base


def usage_url(base: str) -> str:
    return base + ("/wham/usage" if "/backend-api" in base else "/api/codex/usage")


def reset_credits_url(base: str) -> str:
    return base + "/wham/rate-limit-reset-credits"


def monthly_usage_url(base: str, account_id: str) -> Optional[str]:
    """Only backend-api bases have the spend-controls endpoint; the id is one path segment."""
    if "/backend-api" not in base or not account_id:
        return None
    return "%s/accounts/%s/spend-controls/current-user/monthly-usage" % (base, quote(account_id, safe="!$&'()*+,;=:@"))


# -- model_provider (why the RPC says "account authentication required") ----------------------


def _strip_comment(line: str) -> str:
    quote_char: Optional[str] = None
    escaped = False
    for index, char in enumerate(line):
        if quote_char:
            if quote_char == '"' and char == "\\" and not escaped:
                escaped = True
                continue
            if char == quote_char and not escaped:
                quote_char = None
            escaped = False
            continue
        if char in "\"'":
            quote_char = char
        elif char == "#":
            return line[:index]
    return line


def _toml_string(raw: str) -> Optional[str]:
    value = raw.strip()
    if not value or value[0] not in "\"'":
        return None
    if value[0] == "'":
        end = value.find("'", 1)
        return value[1:end] if end > 0 else None
    escaped = False
    for index in range(1, len(value)):
        char = value[index]
        if char == '"' and not escaped:
            try:
                decoded = json.loads(value[: index + 1])
            except ValueError:
                return None
            return decoded if isinstance(decoded, str) else None
        escaped = (not escaped) if char == "\\" else False
    return None


def _provider_table(line: str) -> Optional[str]:
    if not (line.startswith("[") and line.endswith("]")) or line.startswith("[["):
        return None
    header = line[1:-1].strip()
    prefix = "model_providers."
    if not header.startswith(prefix):
        return None
    raw = header[len(prefix):].strip()
    if not raw:
        return None
    return _toml_string(raw) or (None if "." in raw else raw)


def non_chatgpt_backend(text: Optional[str]) -> Optional[str]:
    """"Amazon Bedrock" / "a custom provider" when Codex is set up for a backend without ChatGPT
    auth (so its rate limits do not exist); None for ChatGPT or when unknown."""
    active: Optional[str] = None
    table: Optional[str] = None
    names: Dict[str, Optional[str]] = {}
    requires: Dict[str, Optional[bool]] = {}
    for raw in (text or "").splitlines():
        line = _strip_comment(raw).strip()
        if not line:
            continue
        if line.startswith("["):
            table = _provider_table(line)
            continue
        key, sep, value = line.partition("=")
        if not sep:
            continue
        key = key.strip()
        if table is None and key == "model_provider":
            active = _toml_string(value)
        elif table is not None and key == "name":
            names[table] = _toml_string(value)
        elif table is not None and key == "requires_openai_auth":
            requires[table] = {"true": True, "false": False}.get(value.strip())
    active = (active or "").strip()
    if not active or active.lower() in _OPENAI_PROVIDERS:
        return None
    match = active if active in names or active in requires else next(
        (k for k in list(names) + list(requires) if k.lower() == active.lower()), active)
    if requires.get(match):
        return None
    name = (names.get(match) or "").lower()
    if active.lower() in _BEDROCK_PROVIDERS or "bedrock" in name:
        return "Amazon Bedrock"
    return "a custom provider"


def is_auth_required_error(message: str) -> bool:
    lower = message.lower()
    return ("codex account authentication required" in lower
            or "account authentication required to read rate limits" in lower
            or "requiresopenaiauth" in lower)
