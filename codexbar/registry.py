"""Ordered provider ids → packages. Descriptors are cheap; sources are imported on demand."""

from __future__ import annotations

import importlib
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple

    from codexbar.descriptor import Descriptor, Sources

# Display order (CodexBar's registry order for the providers implemented here).
PROVIDER_IDS: "Tuple[str, ...]" = ("codex", "claude", "zai")


def _package(provider_id: str) -> str:
    return "codexbar.providers." + provider_id


def descriptor(provider_id: str) -> Descriptor:
    module = importlib.import_module(_package(provider_id))
    return module.DESCRIPTOR  # type: ignore[no-any-return]


def all_descriptors() -> List[Descriptor]:
    return [descriptor(pid) for pid in PROVIDER_IDS]


def resolve(name: str) -> Optional[str]:
    """Provider id for an id or alias (case-insensitive), or None."""
    wanted = name.strip().lower()
    for pid in PROVIDER_IDS:
        desc = descriptor(pid)
        if wanted == pid or wanted in (a.lower() for a in desc.aliases):
            return pid
    return None


def load_sources(provider_id: str) -> Sources:
    """Import the provider's I/O code (heavy imports happen here, never on the hot path)."""
    module = importlib.import_module(_package(provider_id) + ".sources")
    return module.SOURCES  # type: ignore[no-any-return]


def origins() -> Dict[str, Tuple[str, ...]]:
    return {d.id: d.origins for d in all_descriptors()}
