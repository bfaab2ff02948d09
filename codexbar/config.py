"""CodexBar's config file: read, validate, dump (redacted) and write (0600, atomic).

Unknown keys and unknown provider entries are kept verbatim so a round trip never loses what
CodexBar (or a newer codexbar) wrote.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from codexbar.env import Env, clean_value
from codexbar.errors import ConfigError

SOURCES = ("auto", "web", "cli", "oauth", "api")
COOKIE_SOURCES = ("auto", "manual", "off")
SECRET_KEYS = ("apiKey", "secretKey", "cookieHeader")
REDACTED = "[REDACTED]"


class Config:
    # a plain class: dataclasses pulls in inspect (~5 ms) on every CLI run
    def __init__(self, path: Path, data: Dict[str, Any], exists: bool,
                 warnings: Optional[List[str]] = None) -> None:
        self.path = path
        self.data = data
        self.exists = exists
        self.warnings = warnings or []

    @property
    def providers(self) -> List[Dict[str, Any]]:
        return self.data["providers"]  # type: ignore[no-any-return]

    def entry(self, provider_id: str) -> Dict[str, Any]:
        for item in self.providers:
            if item.get("id") == provider_id:
                return item
        return {"id": provider_id}

    def is_enabled(self, provider_id: str, default: bool) -> bool:
        value = self.entry(provider_id).get("enabled")
        return value if isinstance(value, bool) else default

    def token_accounts(self, provider_id: str) -> List[Dict[str, Any]]:
        block = self.entry(provider_id).get("tokenAccounts")
        if not isinstance(block, dict) or not isinstance(block.get("accounts"), list):
            return []
        return [a for a in block["accounts"] if isinstance(a, dict)]

    def active_account(self, provider_id: str) -> Optional[Dict[str, Any]]:
        accounts = self.token_accounts(provider_id)
        if not accounts:
            return None
        block = self.entry(provider_id).get("tokenAccounts") or {}
        index = block.get("activeIndex") if isinstance(block.get("activeIndex"), int) else 0
        return accounts[min(max(index, 0), len(accounts) - 1)]


def _check_types(data: Any) -> None:
    if not isinstance(data, dict):
        raise ConfigError("Failed to decode CodexBar config: the root must be a JSON object.")
    if not isinstance(data.get("version"), int) or isinstance(data.get("version"), bool):
        raise ConfigError("Failed to decode CodexBar config: `version` (a number) is required.")
    if not isinstance(data.get("providers"), list):
        raise ConfigError("Failed to decode CodexBar config: `providers` (an array) is required.")
    for index, item in enumerate(data["providers"]):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise ConfigError("Failed to decode CodexBar config: providers[%d] needs a string `id`." % index)
        for key, allowed in (("source", SOURCES), ("cookieSource", COOKIE_SOURCES)):
            if key in item and item[key] not in allowed:
                raise ConfigError("Failed to decode CodexBar config: providers[%d].%s %r is not one of %s."
                                  % (index, key, item[key], ", ".join(allowed)))
        if "enabled" in item and not isinstance(item["enabled"], bool):
            raise ConfigError("Failed to decode CodexBar config: providers[%d].enabled must be true or false." % index)


def normalize(data: Dict[str, Any], known: Mapping[str, bool]) -> Dict[str, Any]:
    """Drop duplicate ids (first wins) and append every known provider that is missing."""
    result = copy.deepcopy(data)
    seen = set()
    providers = []
    for item in result.get("providers", []):
        if item["id"] in seen:
            continue
        seen.add(item["id"])
        providers.append(item)
    for pid, default in known.items():
        if pid not in seen:
            providers.append({"id": pid, "enabled": default})
    result["providers"] = providers
    return result


def _known() -> Dict[str, bool]:
    from codexbar import registry

    return {d.id: d.default_enabled for d in registry.all_descriptors()}


def load(env: Env) -> Config:
    """Read the config; a missing file gives in-memory defaults; a broken one raises ConfigError."""
    path = env.config_path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(path, normalize({"version": 1, "providers": []}, _known()), exists=False)
    except OSError as exc:
        raise ConfigError("Cannot read the config at %s (%s)." % (path, exc.strerror)) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError("Failed to decode CodexBar config: %s at line %d." % (exc.msg, exc.lineno),
                          hint="Fix the JSON in %s." % path) from None
    _check_types(data)
    known = _known()
    warnings = ["Unknown provider %r in config is ignored." % p["id"] for p in data["providers"] if p["id"] not in known]
    return Config(path, normalize(data, known), exists=True, warnings=warnings)


def save(config: Config) -> None:
    """Normalized, pretty, sorted keys, atomic, 0600 (cli-and-config.md §6.2)."""
    from codexbar.access.files import atomic_write

    text = json.dumps(normalize(config.data, _known()), indent=2, sort_keys=True, ensure_ascii=False)
    atomic_write(config.path, text + "\n", mode=0o600, private_dir=True)


def redacted(data: Dict[str, Any]) -> Dict[str, Any]:
    out = copy.deepcopy(data)
    for item in out.get("providers", []):
        for key in SECRET_KEYS:
            if key in item:
                item[key] = REDACTED
        if isinstance(item.get("pluginSecrets"), dict):
            item["pluginSecrets"] = {k: REDACTED for k in item["pluginSecrets"]}
        block = item.get("tokenAccounts")
        if isinstance(block, dict) and isinstance(block.get("accounts"), list):
            for account in block["accounts"]:
                if isinstance(account, dict) and "token" in account:
                    account["token"] = REDACTED
    return out


def validate(config: Config) -> List[Dict[str, Any]]:
    """Issues as CodexBar's `config validate` JSON elements."""
    from codexbar import registry

    issues: List[Dict[str, Any]] = []

    def add(severity: str, code: str, message: str, provider: Optional[str] = None, fld: Optional[str] = None) -> None:
        issue: Dict[str, Any] = {"severity": severity, "code": code, "message": message}
        if provider:
            issue["provider"] = provider
        if fld:
            issue["field"] = fld
        issues.append(issue)

    if config.data.get("version") != 1:
        add("error", "version_mismatch", "Unsupported config version %r (expected 1)." % config.data.get("version"), fld="version")
    known = set(registry.PROVIDER_IDS)
    for item in config.providers:
        pid = item["id"]
        if pid not in known:
            add("error", "unsupported_provider", "Provider %r is not supported by codexbar." % pid, pid)
            continue
        desc = registry.descriptor(pid)
        source = item.get("source")
        if source and source not in desc.source_modes:
            add("error", "unsupported_source", "Source %r is not supported for %s." % (source, pid), pid, "source")
        if clean_value(item.get("apiKey") if isinstance(item.get("apiKey"), str) else None) and "api" not in desc.source_modes:
            add("warning", "api_key_unused", "apiKey is set but %s does not use API keys." % desc.name, pid, "apiKey")
        if item.get("cookieSource") == "manual" and not clean_value(item.get("cookieHeader") or ""):
            add("warning", "cookie_header_missing", "cookieSource is manual but cookieHeader is empty.", pid, "cookieHeader")
        if item.get("cookieHeader") and "web" not in desc.source_modes:
            add("warning", "cookie_header_unused", "cookieHeader is set but %s has no web source." % desc.name, pid, "cookieHeader")
        issues.extend(_provider_checks(pid, item))
    return issues


def _provider_checks(provider_id: str, entry: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """Provider-specific checks live in ``codexbar/providers/<id>/settings.py`` (optional)."""
    import importlib

    try:
        module = importlib.import_module("codexbar.providers.%s.settings" % provider_id)
    except ImportError:
        return []
    check = getattr(module, "validate", None)
    return list(check(entry)) if callable(check) else []
