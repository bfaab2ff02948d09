"""Claude-specific `codexbar config validate` checks (cli-and-config.md §6.5)."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping

from codexbar.env import clean_value


def _issue(code: str, message: str, field: str, severity: str = "warning") -> Dict[str, Any]:
    return {"severity": severity, "code": code, "message": message, "provider": "claude", "field": field}


def validate(entry: Mapping[str, Any]) -> List[Dict[str, Any]]:
    from codexbar.access.cookies import find, parse_header

    issues: List[Dict[str, Any]] = []
    header = clean_value(entry.get("cookieHeader")) if isinstance(entry.get("cookieHeader"), str) else None
    if header and not find(parse_header(header), "sessionKey", "sk-ant-"):
        issues.append(_issue("cookie_header_invalid", "cookieHeader for claude has no sessionKey=sk-ant-\u2026 "
                             "cookie; copy it from claude.ai (DevTools \u2192 Application \u2192 Cookies).",
                             "cookieHeader"))
    api_key = clean_value(entry.get("apiKey")) if isinstance(entry.get("apiKey"), str) else None
    if api_key and not api_key.startswith("sk-ant-admin"):
        issues.append(_issue("api_key_not_admin", "apiKey for claude selects the Admin API and must be an "
                             "sk-ant-admin\u2026 key (Console \u2192 Settings \u2192 Admin keys).", "apiKey"))
    if entry.get("source") == "api" and not api_key:
        issues.append(_issue("api_key_missing", "source api for claude needs an Anthropic Admin API key "
                             "(apiKey here, or ANTHROPIC_ADMIN_KEY).", "apiKey"))
    block = entry.get("tokenAccounts")
    accounts = block.get("accounts") if isinstance(block, dict) else None
    for index, account in enumerate(accounts if isinstance(accounts, list) else []):
        token = account.get("token") if isinstance(account, dict) else None
        if not isinstance(token, str) or not token.strip():
            issues.append(_issue("token_account_invalid", "tokenAccounts.accounts[%d] for claude has no token; "
                                 "it is skipped." % index, "tokenAccounts"))
    return issues
