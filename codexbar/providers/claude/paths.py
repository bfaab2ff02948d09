"""Where Claude Code keeps its files, and where we keep ours (spec §3, ClaudeConfigPaths)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Optional

from codexbar.env import Env


def probe_dir(env: Env) -> Path:
    """Our private working directory for `claude` runs (never the user's projects)."""
    return env.data_dir / "claude-probe"


def _literal_dir(env: Env, raw: str) -> Path:
    # Claude takes these values literally: only a leading "/" is absolute; anything else is
    # relative to Claude's working directory, which for our runs is the probe dir.
    return Path(raw) if raw.startswith("/") else probe_dir(env) / raw


def claude_root(env: Env) -> Path:
    """``$CLAUDE_CONFIG_DIR`` (one literal directory) else ``~/.claude``."""
    raw = env.environ.get("CLAUDE_CONFIG_DIR") or ""
    return _literal_dir(env, raw) if raw else env.home / ".claude"


def credentials_path(env: Env) -> Path:
    """``.credentials.json``: ``$CLAUDE_SECURESTORAGE_CONFIG_DIR`` owns it when set (empty = ~/.claude)."""
    if "CLAUDE_SECURESTORAGE_CONFIG_DIR" in env.environ:
        raw = env.environ.get("CLAUDE_SECURESTORAGE_CONFIG_DIR") or ""
        root = _literal_dir(env, raw) if raw else env.home / ".claude"
    else:
        root = claude_root(env)
    return root / ".credentials.json"


def owned_store_path(env: Env) -> Path:
    """OAuth credentials codexbar owns (and may refresh): never Claude Code's own file."""
    return env.data_dir / "claude" / "oauth.json"


def local_zone(env: Env) -> tzinfo:
    """The user's zone for reset wording: ``$TZ`` when it names a zone, else the system's."""
    name = (env.get("TZ") or "").lstrip(":")
    zone: Optional[tzinfo] = None
    if name:
        try:
            from zoneinfo import ZoneInfo

            zone = ZoneInfo(name)
        except Exception:  # noqa: BLE001 - an odd TZ value falls back to the system zone
            zone = None
    return zone or datetime.now().astimezone().tzinfo  # type: ignore[return-value]
