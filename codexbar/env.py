"""Env: the one place that reads environment variables, resolves paths and tells the time.

Everything else receives an ``Env`` (or a FetchContext holding one), so tests can point the
whole product at a temporary home by setting ``HOME``/``XDG_*`` and nothing else.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
TYPE_CHECKING = False   # typing stays off the plugin hot path (its import costs milliseconds)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Mapping, Optional


def clean_value(value: Optional[str]) -> Optional[str]:
    """Trim, drop one pair of surrounding quotes; empty means unset (CodexBar's rule)."""
    if value is None:
        return None
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1].strip()
    return text or None


def parse_instant(text: str) -> Optional[datetime]:
    """Parse an ISO-8601 instant (``Z`` or offset, optional fraction) into an aware datetime."""
    raw = text.strip()
    if not raw:
        return None
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


class Env:
    """A snapshot of the process environment with the product's path rules.

    (A plain class, not a dataclass: the plugin hot path imports this module and the
    dataclass machinery alone costs more than reading and rendering the cache.)
    """

    __slots__ = ("environ", "platform", "_fixed_now")

    def __init__(self, environ: Mapping[str, str], platform: str = sys.platform,
                 _fixed_now: Optional[datetime] = None) -> None:
        self.environ = environ
        self.platform = platform
        self._fixed_now = _fixed_now

    def __repr__(self) -> str:
        return "Env(platform=%r)" % self.platform

    @classmethod
    def from_process(cls) -> "Env":
        environ = dict(os.environ)
        platform = environ.get("CODEXBAR_PLATFORM") or sys.platform
        fixed = parse_instant(environ["CODEXBAR_NOW"]) if environ.get("CODEXBAR_NOW") else None
        return cls(environ=environ, platform=platform, _fixed_now=fixed)

    # -- values -------------------------------------------------------------------------
    def get(self, name: str) -> Optional[str]:
        """A cleaned environment value, or None when unset or blank."""
        return clean_value(self.environ.get(name))

    def flag(self, name: str) -> bool:
        return (self.get(name) or "").lower() in ("1", "true", "yes", "on")

    def now(self) -> datetime:
        """Aware UTC now; ``CODEXBAR_NOW`` pins it (used by tests and reproducible demos)."""
        return self._fixed_now or datetime.now(timezone.utc)

    @property
    def is_macos(self) -> bool:
        return self.platform == "darwin"

    # -- paths --------------------------------------------------------------------------
    @property
    def home(self) -> Path:
        from pathlib import Path   # lazily: pathlib is not needed to render from cache

        home = self.environ.get("HOME")
        return Path(home) if home else Path.home()

    def expand(self, path: str) -> Path:
        from pathlib import Path

        if path == "~" or path.startswith("~/"):
            return self.home / path[2:]
        return Path(path)

    def _xdg(self, name: str) -> Optional[Path]:
        value = self.get(name)
        if value:
            path = self.expand(value)
            if path.is_absolute():
                return path
        return None

    @property
    def config_path(self) -> Path:
        """CodexBar's config file, resolved as cli-and-config.md §6.1."""
        explicit = self.get("CODEXBAR_CONFIG")
        if explicit:
            return self.expand(explicit)
        xdg = self._xdg("XDG_CONFIG_HOME")
        if xdg is not None:
            return xdg / "codexbar" / "config.json"
        modern = self.home / ".config" / "codexbar" / "config.json"
        legacy = self.home / ".codexbar" / "config.json"
        if not modern.exists() and legacy.exists():
            return legacy
        return modern

    @property
    def cache_root(self) -> str:
        """The one cache directory shared by every plugin and the CLI, as a plain string
        (os.path only: this is the plugin hot path)."""
        home = self.environ.get("HOME") or os.path.expanduser("~")
        explicit = self.get("CODEXBAR_CACHE_DIR")
        if explicit:
            return os.path.join(home, explicit[2:]) if explicit.startswith("~/") else explicit
        xdg = self.get("XDG_CACHE_HOME")
        if xdg:
            xdg = os.path.join(home, xdg[2:]) if xdg.startswith("~/") else xdg
            if os.path.isabs(xdg):
                return os.path.join(xdg, "codexbar")
        if self.is_macos:
            return os.path.join(home, "Library", "Caches", "codexbar")
        return os.path.join(home, ".cache", "codexbar")

    @property
    def cache_dir(self) -> Path:
        from pathlib import Path

        return Path(self.cache_root)

    @property
    def data_dir(self) -> Path:
        """Where we keep state we own (session cookies, token accounts): never the plugin folder."""
        xdg = self._xdg("XDG_DATA_HOME")
        if xdg is not None:
            return xdg / "codexbar"
        if self.is_macos:
            return self.home / "Library" / "Application Support" / "codexbar"
        return self.home / ".local" / "share" / "codexbar"

    # -- host app -----------------------------------------------------------------------
    @property
    def plugin_host(self) -> str:
        """``swiftbar``, ``xbar`` or ``terminal`` (a preview run by hand)."""
        forced = (self.get("CODEXBAR_PLUGIN_HOST") or "").lower()
        if forced in ("swiftbar", "xbar", "terminal"):
            return forced
        if self.get("SWIFTBAR") == "1":
            return "swiftbar"
        if self.get("XBARDarkMode") is not None or self.get("BitBarDarkMode") is not None:
            return "xbar"
        return "terminal"

    @property
    def dark_mode(self) -> bool:
        if self.get("OS_APPEARANCE"):
            return self.get("OS_APPEARANCE") == "Dark"
        return (self.get("XBARDarkMode") or "").lower() == "true"

    @property
    def debug(self) -> bool:
        return self.flag("CODEXBAR_DEBUG")
