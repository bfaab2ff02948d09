"""The per-file incremental cache and retained history, one file per log family.

``<cache_dir>/cost/<family>.cache`` (0600, dir 0700) holds, per log file: identity (device,
inode, size, mtime), the byte offset parsed so far with a fingerprint of the bytes before it,
the parser state (Codex) and the file's rows. When a log file disappears its rows move to
``retained`` so past days survive Claude Code's 30-day transcript cleanup; ``cache clear
--cost`` deletes the folder.

The format is ``marshal`` (rows are plain tuples; loading 100k rows takes milliseconds, JSON
would take a second). marshal's format is tied to the Python version, which is part of the
schema key, so a Python upgrade just rebuilds the cache.
"""

from __future__ import annotations

import marshal
import sys
from pathlib import Path
from typing import Any, Dict, Optional

SCHEMA = "cost-cache-3-py%d.%d" % sys.version_info[:2]


def cost_dir(cache_dir: Path) -> Path:
    return cache_dir / "cost"


def cache_path(cache_dir: Path, family: str) -> Path:
    return cost_dir(cache_dir) / (family + ".cache")


def empty(zone: str, pricing: str) -> Dict[str, Any]:
    return {"schema": SCHEMA, "zone": zone, "pricing": pricing, "files": {}, "retained": {},
            "scannedAt": 0}


def load(cache_dir: Path, family: str, zone: str, pricing: str) -> Dict[str, Any]:
    """The cache, or an empty one when missing, corrupt, another schema or another zone.

    Day keys are computed at parse time, so a zone change means a rebuild; a price change
    only needs ``pricing`` repricing by the caller (``needs_reprice``).
    """
    try:
        with open(cache_path(cache_dir, family), "rb") as handle:
            data = marshal.loads(handle.read())
    except (OSError, ValueError, EOFError, TypeError):
        return empty(zone, pricing)
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or data.get("zone") != zone:
        return empty(zone, pricing)
    return data


def save(cache_dir: Path, family: str, data: Dict[str, Any]) -> None:
    from codexbar.access.files import atomic_write, ensure_private_dir

    ensure_private_dir(cost_dir(cache_dir))
    atomic_write(cache_path(cache_dir, family), marshal.dumps(data), mode=0o600)


def clear(cache_dir: Path) -> int:
    """Delete every cost cache file; returns how many were removed."""
    import shutil

    folder = cost_dir(cache_dir)
    if not folder.exists():
        return 0
    count = sum(1 for item in folder.rglob("*") if item.is_file())
    shutil.rmtree(folder)
    return count


def entry_rows(entry: Optional[Dict[str, Any]]) -> list:
    return list(entry.get("rows") or []) if entry else []
