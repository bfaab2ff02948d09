"""Descriptor: what a provider is, as plain data (importable on the plugin hot path).

Also the FetchContext/Source protocols that every provider's sources implement.
Stdlib only: the hot path imports this module.
"""

from __future__ import annotations

TYPE_CHECKING = False   # typing stays off the plugin hot path
if TYPE_CHECKING:  # pragma: no cover - typing only
    from typing import Any, Dict, Mapping, Optional, Tuple
    from datetime import datetime

    from codexbar.access.http import Http
    from codexbar.env import Env
    from codexbar.errors import FetchError
    from codexbar.model import ProviderResult


class Descriptor:
    """What a provider is (plain data; a plain class to keep the hot path cheap)."""

    def __init__(
        self, *,
        id: str,
        name: str,
        short_name: str,
        window_labels: Tuple[str, str, str] = ("Session", "Weekly", ""),
        pace_lanes: Tuple[str, str, str] = ("", "", ""),
        pace_headroom: bool = False,
        aliases: Tuple[str, ...] = (),
        origins: Tuple[str, ...] = (),
        source_modes: Tuple[str, ...] = ("auto",),
        source_order: Optional[Mapping[str, Tuple[str, ...]]] = None,
        dashboard_url: Optional[str] = None,
        status_url: Optional[str] = None,
        status_api: Optional[str] = None,
        actions: Tuple[Tuple[str, str], ...] = (),
        commands: Tuple[Tuple[str, Tuple[str, ...]], ...] = (),
        missing_hint: str = "",
        default_enabled: bool = False,
        detect_env: Tuple[str, ...] = (),
        detect_files: Tuple[str, ...] = (),
        detect_binaries: Tuple[str, ...] = (),
        plan_labels: Optional[Mapping[str, str]] = None,
        sf_symbol: str = "gauge.medium",
        refresh_minutes: int = 5,
        cost_scan: bool = False,
    ) -> None:
        self.id = id
        self.name = name  # "z.ai / GLM"
        self.short_name = short_name  # menu-bar title: "z.ai"
        self.window_labels = window_labels
        self.pace_lanes = pace_lanes
        self.pace_headroom = pace_headroom  # "1.5× headroom" after "Lasts until reset" (Codex)
        self.aliases = aliases
        self.origins = origins  # every host we call; each overridable
        self.source_modes = source_modes  # accepted --source values besides auto
        self.source_order = source_order if source_order is not None else {}  # runtime → ids
        self.dashboard_url = dashboard_url
        self.status_url = status_url  # human status page
        self.status_api = status_api  # statuspage.io-style base (status.md)
        self.actions = actions  # extra menu links: (title, url)
        self.commands = commands  # menu items running `codexbar <args>`: (title, args)
        self.missing_hint = missing_hint  # how to connect, shown when nothing is found
        self.default_enabled = default_enabled
        self.detect_env = detect_env
        self.detect_files = detect_files
        self.detect_binaries = detect_binaries
        self.plan_labels = plan_labels if plan_labels is not None else {}  # raw loginMethod → label
        self.sf_symbol = sf_symbol
        self.refresh_minutes = refresh_minutes
        self.cost_scan = cost_scan  # has a local token-cost section

    def __repr__(self) -> str:
        return "Descriptor(%r)" % self.id

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
                 cache: Any = None, include_credits: bool = True) -> None:
        self.env = env
        self.config = config
        self.http = http
        self.runtime = runtime            # "plugin" | "cli"
        self.source_mode = source_mode
        self.interactive = interactive    # a user asked: prompts allowed
        self.deadline = deadline          # time.monotonic() deadline, or None
        self.account = account            # selected token account (config tokenAccounts)
        self.cache = cache                # codexbar.cache.Store (cooldowns, owned tokens)
        self.include_credits = include_credits   # False with `usage --no-credits`: skip credit calls

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


if TYPE_CHECKING:
    Sources = Dict[str, Source]
else:
    Sources = dict   # source id → Source instance
