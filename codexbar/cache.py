"""The shared snapshot cache: diskcache is the store, a JSON mirror feeds the hot path.

One directory (Env.cache_dir, 0700) serves every plugin and the CLI:

- ``db/``        diskcache: last good payload per provider/account, its time, the failure
                 streak and last error; provider state (429 cooldowns, renewed sessions).
- ``snapshots/`` one small file per provider/account (and per cost summary / status), written
                 atomically after every store update in ``marshal`` format: plain JSON-able
                 data that a plugin run reads without importing json, re, diskcache or
                 pathlib (any of them costs more than the whole hot-path budget). A file
                 written by another Python version reads as "nothing cached" and is refetched.
- ``locks/``     fcntl lock files: one fetch per provider at a time across processes; the OS
                 drops a lock when its process dies, so a crash never wedges a provider.

Failure gate (presentation.md §6): one failure after a success is not surfaced; from the
second consecutive failure (or with no prior data) the error is shown and the last good
payload is kept, marked stale.
"""

from __future__ import annotations

import marshal
import os
import time

TYPE_CHECKING = False   # typing/pathlib stay off the plugin hot path
if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path
    from typing import Any, Dict, Optional, Union

    PathLike = Union[str, "os.PathLike[str]"]

SCHEMA = 1


def usage_lock_name(provider_id: str) -> str:
    """The lock held while a provider's usage is fetched (plugin, refresh and CLI agree on it)."""
    return "usage-" + provider_id


def entry_key(provider_id: str, account: Optional[str] = None) -> str:
    if not account:
        return provider_id
    slug = "".join(c if c.isascii() and (c.isalnum() or c in "._@-") else "_" for c in account)[:80]
    return "%s@%s" % (provider_id, slug)


def _iso(value: datetime) -> str:
    from codexbar.render.json_out import iso_z

    return iso_z(value)


# -- hot path (marshal + os only) -------------------------------------------------------------

SNAPSHOT_EXT = ".snapshot"


def snapshot_path(cache_dir: PathLike, name: str) -> str:
    return os.path.join(os.fspath(cache_dir), "snapshots", name + SNAPSHOT_EXT)


def read_snapshot(cache_dir: PathLike, name: str, schema: int = SCHEMA) -> Optional[Dict[str, Any]]:
    """A stored snapshot dict, or None (missing, unreadable, other schema or Python version)."""
    try:
        with open(snapshot_path(cache_dir, name), "rb") as handle:
            data = marshal.loads(handle.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return data if isinstance(data, dict) and data.get("schema") == schema else None


def write_snapshot(cache_dir: PathLike, name: str, data: Dict[str, Any]) -> None:
    """Atomically store ``data`` (JSON-able, with its own ``schema`` number) for the hot path;
    0600 in 0700."""
    from codexbar.access.files import atomic_write, ensure_private_dir

    assert "schema" in data, "snapshots carry a schema number"
    ensure_private_dir(os.fspath(cache_dir))
    ensure_private_dir(os.path.join(os.fspath(cache_dir), "snapshots"))
    atomic_write(snapshot_path(cache_dir, name), marshal.dumps(dict(data)), mode=0o600)


def read_mirror(cache_dir: PathLike, key: str) -> Optional[Dict[str, Any]]:
    """The last stored usage entry for ``key``, or None (nothing cached)."""
    return read_snapshot(cache_dir, "usage-" + key)


def surfaced_error(entry: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The error a user should see now, after the failure gate."""
    if not entry or not entry.get("error"):
        return None
    if entry.get("payload") is not None and int(entry.get("failures") or 0) < 2:
        return None
    return entry["error"]  # type: ignore[no-any-return]


# -- locks --------------------------------------------------------------------------------------


class FileLock:
    """An exclusive fcntl lock on ``locks/<name>.lock``; released on close or process death."""

    def __init__(self, cache_dir: PathLike, name: str) -> None:
        self.path = os.path.join(os.fspath(cache_dir), "locks", name + ".lock")
        self._fd: Optional[int] = None

    def acquire(self, timeout: float = 0.0) -> bool:
        import fcntl

        os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        end = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._fd = fd
                return True
            except OSError:
                if time.monotonic() >= end:
                    os.close(fd)
                    return False
                time.sleep(0.05)

    def held_elsewhere(self) -> bool:
        if self.acquire(0):
            self.release()
            return False
        return True

    def fileno(self) -> Optional[int]:
        return self._fd

    def forget(self) -> None:
        """Close our descriptor without unlocking (a child process inherited the lock)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def release(self) -> None:
        if self._fd is not None:
            import fcntl

            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "FileLock":
        self.acquire(timeout=3600)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


# -- the store (fetch side) ---------------------------------------------------------------------


class Store:
    def __init__(self, cache_dir: PathLike) -> None:
        import threading
        from pathlib import Path

        self.dir = Path(cache_dir)
        self._db: Any = None
        # providers refresh in threads sharing one Store: two first touches at once must not
        # open two caches that initialise the same fresh database side by side
        self._opening = threading.Lock()

    @property
    def db(self) -> Any:
        if self._db is None:
            with self._opening:
                if self._db is None:
                    import diskcache

                    from codexbar.access.files import ensure_private_dir

                    ensure_private_dir(self.dir)
                    ensure_private_dir(self.dir / "db")
                    db = diskcache.Cache(str(self.dir / "db"), timeout=30)
                    _tighten(self.dir / "db")
                    self._db = db
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # generic provider state
    def get(self, key: str, default: Any = None) -> Any:
        return self.db.get(key, default)

    def set(self, key: str, value: Any, expire: Optional[float] = None) -> None:
        self.db.set(key, value, expire=expire)
        _tighten(self.dir / "db")

    def delete(self, key: str) -> None:
        self.db.delete(key)

    def lock(self, name: str) -> FileLock:
        return FileLock(self.dir, name)

    # snapshot entries
    def entry(self, key: str) -> Optional[Dict[str, Any]]:
        value = self.db.get("usage/" + key)
        return value if isinstance(value, dict) else None

    def _save(self, key: str, entry: Dict[str, Any]) -> Dict[str, Any]:
        self.db.set("usage/" + key, entry)
        write_snapshot(self.dir, "usage-" + key, entry)
        _tighten(self.dir / "db")
        return entry

    def record_success(self, key: str, payload: Dict[str, Any], now: datetime) -> Dict[str, Any]:
        with self.db.transact():
            entry = {"schema": SCHEMA, "key": key, "payload": payload, "fetchedAt": _iso(now),
                     "attemptedAt": _iso(now), "failures": 0, "error": None}
            return self._save(key, entry)

    def record_failure(self, key: str, error: Dict[str, Any], now: datetime,
                       source: Optional[str] = None) -> Dict[str, Any]:
        with self.db.transact():
            previous = self.entry(key) or {}
            entry = {"schema": SCHEMA, "key": key, "payload": previous.get("payload"),
                     "fetchedAt": previous.get("fetchedAt"), "attemptedAt": _iso(now),
                     "failures": int(previous.get("failures") or 0) + 1,
                     "error": dict(error, source=source) if source else dict(error)}
            return self._save(key, entry)


def _tighten(folder: Path) -> None:
    """diskcache creates its files with the umask; ours are private (0600)."""
    try:
        for item in folder.iterdir():
            if item.is_file() and item.stat().st_mode & 0o077:
                os.chmod(item, 0o600)
    except OSError:
        pass


def open_store(env: Any) -> Store:
    return Store(env.cache_dir)
