"""Codex config checks for ``codexbar config validate`` (the codex entry of config.json)."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping


def validate(entry: Mapping[str, Any]) -> List[Dict[str, Any]]:
    issues: List[Dict[str, Any]] = []
    if entry.get("source") == "web":
        issues.append({"severity": "warning", "code": "web_source_unavailable", "provider": "codex",
                       "field": "source",
                       "message": "The OpenAI web dashboard source needs CodexBar's macOS browser engine and is "
                                  "not available in codexbar; use auto, oauth, api or cli."})
    if "allowExternalOAuthSources" in entry and not isinstance(entry["allowExternalOAuthSources"], bool):
        issues.append({"severity": "error", "code": "invalid_setting", "provider": "codex",
                       "field": "allowExternalOAuthSources",
                       "message": "allowExternalOAuthSources must be true or false."})
    if entry.get("apiKey") or entry.get("tokenAccounts"):
        issues.append({"severity": "warning", "code": "api_key_unused", "provider": "codex",
                       "field": "apiKey" if entry.get("apiKey") else "tokenAccounts",
                       "message": "Codex reads its login from the Codex CLI's auth.json (run `codex login`); "
                                  "config keys and token accounts are not used."})
    return issues
