"""Where the logs are (cost-usage.md §2.1 and §3.1) and what each file looks like on disk."""

from __future__ import annotations

import os
import time
from collections import deque
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import Any, Dict, List, Optional, Tuple

# (device, inode, size, mtime_ns)
Stat = Tuple[int, int, int, int]

_DESKTOP_SKIP = frozenset((".build", ".git", "build", "DerivedData", "node_modules", "outputs", "target"))


def claude_roots(env: Any) -> List[Path]:
    explicit = env.environ.get("CLAUDE_CONFIG_DIR", "").strip()
    if explicit:
        return [Path(explicit) / "projects"]  # one literal directory; CodexBar does not split
    roots = [env.home / ".config" / "claude" / "projects", env.home / ".claude" / "projects"]
    if env.is_macos:
        support = env.home / "Library" / "Application Support" / "Claude"
        for base in (support / "local-agent-mode-sessions", support / "claude-code-sessions"):
            roots.extend(_desktop_projects(base))
    return _unique(roots)


def _desktop_projects(base: Path, max_depth: int = 4) -> List[Path]:
    """Claude Desktop's embedded Claude Code stores: ``…/<id>/.claude/projects``."""
    found: List[Path] = []
    queue = deque([(base, 0)])
    while queue:
        folder, depth = queue.popleft()
        candidate = folder / ".claude" / "projects"
        if candidate.is_dir():
            found.append(candidate)
        if depth >= max_depth:
            continue
        try:
            children = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for child in children:
            if child.name in _DESKTOP_SKIP or child.name.startswith("."):
                continue
            if child.is_dir(follow_symlinks=False):
                queue.append((Path(child.path), depth + 1))
    return found


def codex_roots(env: Any) -> List[Path]:
    home = (env.environ.get("CODEX_HOME") or "").strip()
    base = Path(home) if home else env.home / ".codex"
    return [base / "sessions", base / "archived_sessions"]


def _unique(paths: List[Path]) -> List[Path]:
    seen, out = set(), []
    for path in paths:
        key = os.path.realpath(str(path))
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out


def jsonl_files(roots: List[Path]) -> Dict[str, Stat]:
    """Every non-empty, non-hidden ``*.jsonl`` below the roots, keyed by real path."""
    return walk(roots, None)[0]


# A directory listing remembered between scans: (mtime ns, listed-at ns, *.jsonl files,
# subdirectories, symbolic links), full paths. Hidden names are already left out.
Listing = Tuple[int, int, List[str], List[str], List[str]]
# A listing is reused only while the directory's mtime is unchanged and was already this old
# when it was listed: a change within the same timestamp tick (coarse on some file systems)
# must not hide a new file.
SETTLED_NS = 3_000_000_000


def walk(roots: List[Path], listings: Optional[Dict[str, Listing]]) -> Tuple[Dict[str, Stat], bool]:
    """``jsonl_files`` plus, with ``listings``, reuse of unchanged directories' listings.

    Files are stat'ed every time (appends do not touch a directory's mtime); a directory is
    re-listed only when its mtime moved. ``listings`` is updated in place; the flag says
    whether it changed.
    """
    found: Dict[str, Stat] = {}
    stack = [os.path.realpath(str(r)) for r in roots]
    visited = set(stack)  # guards against symlink loops
    changed = False
    now = time.time_ns()
    stat, realpath = os.stat, os.path.realpath
    while stack:
        folder = stack.pop()
        try:
            mtime = stat(folder).st_mtime_ns
        except OSError:
            continue
        listing = listings.get(folder) if listings is not None else None
        if listing is None or listing[0] != mtime or listing[1] - mtime < SETTLED_NS:
            listing = _list(folder, mtime, now)
            if listing is None:
                continue
            if listings is not None:
                listings[folder] = listing
                changed = True
        for path in listing[2]:
            try:
                st = stat(path)
            except OSError:
                continue
            if st.st_size > 0:
                found.setdefault(path, (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns))
        for path in listing[3]:
            if path not in visited:
                visited.add(path)
                stack.append(path)
        for link in listing[4]:  # followed afresh every time: their targets can change
            try:
                st = stat(link)
            except OSError:
                continue
            if _is_jsonl(os.path.basename(link)) and S_ISREG(st.st_mode):
                if st.st_size > 0:
                    found.setdefault(realpath(link), (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns))
            elif S_ISDIR(st.st_mode):  # linked project folders count too
                path = realpath(link)
                if path not in visited:
                    visited.add(path)
                    stack.append(path)
    if listings is not None:
        for folder in [f for f in listings if f not in visited]:
            del listings[folder]  # removed directories
            changed = True
    return found, changed


def _is_jsonl(name: str) -> bool:
    return name.endswith(".jsonl") or name.lower().endswith(".jsonl")


def _list(folder: str, mtime: int, now: int) -> Optional[Listing]:
    files: List[str] = []
    folders: List[str] = []
    links: List[str] = []
    try:
        entries = os.scandir(folder)
    except OSError:
        return None
    with entries:
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                continue
            try:
                if entry.is_symlink():
                    links.append(entry.path)
                elif _is_jsonl(name) and entry.is_file():
                    files.append(entry.path)
                elif entry.is_dir():
                    folders.append(entry.path)
            except OSError:
                continue
    return (mtime, now, files, folders, links)
