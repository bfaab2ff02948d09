"""Descriptor: what a provider is, as plain data (importable on the plugin hot path).

Also the FetchContext/Source protocols that every provider's sources implement.
Stdlib only: the hot path imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Tuple

if TYPE_CHECKING:  # pragma: no cover - typing only
    from datetime import datetime

    from codexbar.access.http import Http
    from codexbar.env import Env
    from codexbar.errors import FetchError
    from codexbar.model import ProviderResult


@dataclass(frozen=True)
class Descriptor:
    id: str
    name: str                                   # "z.ai / GLM"
    short_name: str                             # menu-bar title: "z.ai"
    window_labels: Tuple[str, str, str] = ("Session", "Weekly", "")
    # pace lane per slot ("session" / "weekly" / "" for none), presentation.md §3
    pace_lanes: Tuple[str, str, str] = ("", "", "")
    aliases: Tuple[str, ...] = ()
    origins: Tuple[str, ...] = ()               # every host we call; each overridable
    source_modes: Tuple[str, ...] = ("auto",)   # accepted --source values besides auto
    source_order: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)  # runtime → ids
    dashboard_url: Optional[str] = None
    status_url: Optional[str] = None            # human status page
    status_api: Optional[str] = None            # statuspage.io-style base (status.md)
    actions: Tuple[Tuple[str, str], ...] = ()   # extra menu links: (title, url)
    missing_hint: str = ""                      # how to connect, shown when nothing is found
    default_enabled: bool = False
    # cheap credential detection for install.sh: env vars, files (~ allowed), executables
    detect_env: Tuple[str, ...] = ()
    detect_files: Tuple[str, ...] = ()
    detect_binaries: Tuple[str, ...] = ()
    plan_labels: Mapping[str, str] = field(default_factory=dict)  # raw loginMethod → label
    sf_symbol: str = "gauge.medium"
    refresh_minutes: int = 5
    cost_scan: bool = False                     # has a local token-cost section

    def label(self, slot: int) -> str:
        return self.window_labels[slot] if slot < len(self.window_labels) else ""

    def plan_label(self, raw: Optional[str]) -> Optional[str]:
        """Display label for a raw plan id: the descriptor's table, else words capitalized."""
        if not raw or not raw.strip():
            return None
        text = raw.strip()
        mapped = self.plan_labels.get(text.lower())
        if mapped:
            return mapped
        return " ".join(w[:1].upper() + w[1:] for w in text.replace("_", " ").split())

    def order(self, runtime: str) -> Tuple[str, ...]:
        return tuple(self.source_order.get(runtime) or self.source_order.get("cli") or ())


class FetchContext:
    """Everything a source may use. Provider specifics come from ``config``, never new fields."""

    def __init__(self, *, env: "Env", config: Mapping[str, Any], http: "Http", runtime: str,
                 source_mode: str = "auto", interactive: bool = False,
                 deadline: Optional[float] = None, account: Optional[Mapping[str, Any]] = None,
                 cache: Any = None) -> None:
        self.env = env
        self.config = config
        self.http = http
        self.runtime = runtime            # "plugin" | "cli"
        self.source_mode = source_mode
        self.interactive = interactive    # a user asked: prompts allowed
        self.deadline = deadline          # time.monotonic() deadline, or None
        self.account = account            # selected token account (config tokenAccounts)
        self.cache = cache                # codexbar.cache.Store (cooldowns, owned tokens)

    @property
    def now(self) -> "datetime":
        return self.env.now()

    def config_str(self, key: str) -> Optional[str]:
        from codexbar.env import clean_value

        value = self.config.get(key)
        return clean_value(value) if isinstance(value, str) else None


class Source:
    """One way to reach a provider. Subclasses set ``id`` and implement the three methods."""

    id: str = ""

    def available(self, ctx: FetchContext) -> bool:
        """Cheap: no network, no prompts. False = skipped (recorded as an attempt)."""
        return True

    def unavailable_reason(self, ctx: FetchContext) -> str:
        return "not configured"

    def fetch(self, ctx: FetchContext) -> "ProviderResult":
        raise NotImplementedError

    def falls_back_on(self, error: "FetchError") -> bool:
        """In auto mode, may the next source be tried after this error?"""
        return True


Sources = Dict[str, Source]
