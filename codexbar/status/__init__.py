"""Provider service health (status pages): indicator vocabulary and per-provider feed data.

Data only and stdlib only: the plugin hot path may import this package. The fetch code lives in
``codexbar.status.poll`` (menu path) and ``codexbar.status.cli`` (``usage --status``); the pure
parsers in ``codexbar.status.parse``; rendering in ``codexbar.render.status``.
Spec: status.md (facts from CodexBar's UsageStore+Status.swift and CLIPayloads.swift).
"""

from __future__ import annotations

TYPE_CHECKING = False   # typing stays off the plugin hot path
if TYPE_CHECKING:
    import os
    from typing import Any, Dict, FrozenSet, Optional, Tuple

INDICATORS: Tuple[str, ...] = ("none", "minor", "major", "critical", "maintenance", "unknown")

# "Worst of" ordering; maintenance and unknown tie (CodexBar's indicatorRank).
SEVERITY: Dict[str, int] = {"none": 0, "maintenance": 1, "unknown": 1, "minor": 2, "major": 3,
                            "critical": 4}

# Overall indicator → label (en), shared by the CLI text line and the menu.
LABELS: Dict[str, str] = {
    "none": "Operational",
    "minor": "Partial outage",
    "major": "Major outage",
    "critical": "Critical issue",
    "maintenance": "Maintenance",
    "unknown": "Status unknown",
}

# statuspage.io component status → (indicator, label). Anything else → unknown.
COMPONENT_STATUS: Dict[str, Tuple[str, str]] = {
    "operational": ("none", "Operational"),
    "degraded_performance": ("minor", "Degraded performance"),
    "partial_outage": ("major", "Partial outage"),
    "major_outage": ("critical", "Major outage"),
    "full_outage": ("critical", "Major outage"),
    "under_maintenance": ("maintenance", "Maintenance"),
}

GOOGLE_INCIDENTS_URL = "https://www.google.com/appsstatus/dashboard/incidents.json"
GOOGLE_ORIGIN = "https://www.google.com"
GEMINI_PRODUCT_ID = "npdyhgECDJ6tB66MxXyo"

# Providers polled through the Google Workspace incidents feed (no statuspage base).
WORKSPACE_PRODUCTS: Dict[str, str] = {"gemini": GEMINI_PRODUCT_ID, "antigravity": GEMINI_PRODUCT_ID}

# Only these providers turn "Status Page" into a component submenu (CodexBar's curated set);
# every other provider keeps a plain link.
COMPONENT_SUBMENU_PROVIDERS: FrozenSet[str] = frozenset({"claude", "codex", "augment", "zoommate"})

# Top-level component names kept in the submenu (exact match); providers absent here keep all.
COMPONENT_ALLOWLIST: Dict[str, FrozenSet[str]] = {
    "zoommate": frozenset({"Zoom Meetings", "ZoomMate", "My Notes", "Zoom Workflows",
                           "Zoom Developer Platform", "Zoom Support", "Zoom Website"}),
}

# Status links for providers with nothing to poll: the menu only opens the page.
LINK_ONLY_URLS: Dict[str, str] = {
    "alibaba": "https://status.aliyun.com",
    "alibabatokenplan": "https://status.aliyun.com",
    "qwencloud": "https://status.alibabacloud.com",
    "grok": "https://status.x.ai",
    "xai": "https://status.x.ai",
    "notion": "https://status.notion.so/",
    "azureopenai": "https://azure.status.microsoft/en-us/status",
    "kiro": "https://health.aws.amazon.com/health/status",
    "bedrock": "https://health.aws.amazon.com/health/status",
    "elevenlabs": "https://status.elevenlabs.io",
    "deepseek": "https://status.deepseek.com",
    "groq": "https://status.groq.com",
    "vertexai": "https://status.cloud.google.com",
    "deepgram": "https://status.deepgram.com",
    "openrouter": "https://status.openrouter.ai",
    "ibmbob": "https://status.bob.ibm.com",
    "mistral": "https://status.mistral.ai",
    "deepinfra": "https://status.deepinfra.com",
    "perplexity": "https://status.perplexity.com/",
    "gemini": "https://www.google.com/appsstatus/dashboard/products/npdyhgECDJ6tB66MxXyo/history",
    "antigravity": "https://www.google.com/appsstatus/dashboard/products/npdyhgECDJ6tB66MxXyo/history",
}


def rank(indicator: str) -> int:
    return SEVERITY.get(indicator, 1)


def has_issue(indicator: str) -> bool:
    return indicator != "none"


def label(indicator: str) -> str:
    return LABELS.get(indicator, LABELS["unknown"])


def component_indicator(status: str) -> str:
    return COMPONENT_STATUS.get(status, ("unknown", ""))[0]


def component_label(status: str) -> str:
    return COMPONENT_STATUS.get(status, ("unknown", LABELS["unknown"]))[1]


def read_status(cache_dir: "os.PathLike[str]", provider_id: str) -> Optional[Dict[str, Any]]:
    """The last good status for the menu (hot path: marshal snapshot, no poll/json import)."""
    from codexbar.cache import read_snapshot

    entry = read_snapshot(cache_dir, "status-" + provider_id)
    status = entry.get("status") if entry else None
    return status if isinstance(status, dict) and isinstance(status.get("indicator"), str) else None
