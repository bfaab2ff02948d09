"""Atomic private writes and JSON reads with clear errors."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Union

from codexbar.errors import FetchError

PathLike = Union[str, Path]


def ensure_private_dir(path: PathLike) -> Path:
    """Create ``path`` (and parents) as 0700; tighten it if it already exists."""
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        if directory.stat().st_mode & 0o077:
            os.chmod(directory, 0o700)
    except OSError:
        pass
    return directory


def atomic_write(path: PathLike, data: Union[str, bytes], mode: int = 0o600,
                 private_dir: bool = False) -> None:
    """Write via a temp file in the same directory, fsync, then rename over the target."""
    target = Path(path)
    if private_dir:
        ensure_private_dir(target.parent)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # here, not at the top: readers of this module (the cost cache) never write

    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix="." + target.name + ".", suffix=".tmp", dir=str(target.parent))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_json(path: PathLike, value: Any, *, pretty: bool = True, sort_keys: bool = False,
               mode: int = 0o600) -> None:
    text = json.dumps(value, indent=2 if pretty else None, sort_keys=sort_keys, ensure_ascii=False)
    atomic_write(path, text + "\n", mode=mode)


def read_json(path: PathLike, what: str) -> Any:
    """Read a JSON file; raise FetchError naming ``what`` when it is unreadable or corrupt."""
    target = Path(path)
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise FetchError("%s at %s is unreadable (%s)." % (what, target, type(exc).__name__),
                         kind="config") from None
    try:
        return json.loads(text)
    except ValueError:
        raise FetchError("%s at %s is not valid JSON." % (what, target), kind="config",
                         hint="Fix or delete %s." % target) from None
