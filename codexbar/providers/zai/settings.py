"""z.ai settings: region, endpoint overrides, team scope (spec providers/zai.md §3)."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional
from urllib.parse import urlsplit

from codexbar.errors import ConfigError

REGIONS = {"global": "https://api.z.ai", "bigmodel-cn": "https://open.bigmodel.cn"}
REGION_HOSTS = {"api.z.ai": "global", "open.bigmodel.cn": "bigmodel-cn"}
REGION_NAMES = {"global": "global (api.z.ai)", "bigmodel-cn": "BigModel CN (open.bigmodel.cn)"}
QUOTA_PATH = "/api/monitor/usage/quota/limit"
MODEL_USAGE_PATH = "/api/monitor/usage/model-usage"
BALANCE_URL = "https://www.bigmodel.cn/api/biz/account/query-customer-account-report"


def region_of(entry: Mapping[str, Any]) -> str:
    value = entry.get("region")
    return value.strip() if isinstance(value, str) and value.strip() else "global"


def checked_override(name: str, value: Optional[str], region: Optional[str] = None) -> Optional[str]:
    """An endpoint override env value: https:// or a bare host (https:// is prepended)."""
    if not value:
        return None
    text = value.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise ConfigError("z.ai endpoint override %s must use HTTPS or a bare host." % name)
    if region is not None:
        owner = REGION_HOSTS.get(parts.hostname.lower())
        if owner is not None and owner != region:
            # CodexBar's wording names the region the override's host belongs to
            raise ConfigError("z.ai endpoint override %s does not match the selected %s region."
                              % (name, REGION_NAMES[owner]),
                              hint="Set region to %s in the config, or remove %s." % (owner, name))
    return text.rstrip("/") if not parts.path or parts.path == "/" else text


def validate(entry: Mapping[str, Any]) -> List[Dict[str, Any]]:
    issues: List[Dict[str, Any]] = []
    region = entry.get("region")
    if region is not None and region_of(entry) not in REGIONS:
        issues.append({"severity": "error", "code": "invalid_region", "provider": "zai", "field": "region",
                       "message": "Unknown z.ai region %r (use global or bigmodel-cn)." % region})
    block = entry.get("tokenAccounts")
    accounts = block.get("accounts") if isinstance(block, dict) else None
    for account in accounts if isinstance(accounts, list) else []:
        if isinstance(account, dict) and account.get("usageScope") == "team":
            if not (account.get("organizationId") and account.get("workspaceID")):
                issues.append({"severity": "warning", "code": "zai_team_context_missing", "provider": "zai",
                               "field": "tokenAccounts",
                               "message": "z.ai BigModel team usage requires both Organization ID and Project ID."})
    return issues
