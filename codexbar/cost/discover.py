"""Where the logs are (cost-usage.md §2.1 and §3.1) and what each file looks like on disk."""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path
from typing import Any, Dict, List, Tuple

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
    found: Dict[str, Stat] = {}
    stack = [os.path.realpath(str(r)) for r in roots]
    visited = set(stack)  # guards against symlink loops
    while stack:
        folder = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue
                try:
                    if name.endswith(".jsonl") or name.lower().endswith(".jsonl"):
                        if entry.is_file():
                            st = entry.stat()
                            if st.st_size > 0:
                                real = os.path.realpath(entry.path) if entry.is_symlink() else entry.path
                                found.setdefault(real, (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns))
                            continue
                    if entry.is_dir():  # follows links: linked project folders count too
                        path = os.path.realpath(entry.path) if entry.is_symlink() else entry.path
                        if path not in visited:
                            visited.add(path)
                            stack.append(path)
                except OSError:
                    continue
    return found
