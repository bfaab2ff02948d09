"""Finding the ``codex`` executable and its version (``codex --version``, cached per binary)."""

from __future__ import annotations

import platform
import re
from pathlib import Path
from typing import Optional

from codexbar.access.commands import find_executable, run
from codexbar.descriptor import FetchContext
from codexbar.env import Env
from codexbar.errors import FetchError

VERSION_TTL = 24 * 3600.0
_APP_BUNDLES = ("Applications/ChatGPT.app/Contents/Resources/codex",
                "Applications/Codex.app/Contents/Resources/codex")


def find_codex(env: Env) -> Optional[Path]:
    """``CODEX_CLI_PATH`` when executable, then PATH and the usual folders, then (macOS) the CLI
    bundled inside the ChatGPT/Codex desktop apps."""
    override = env.get("CODEX_CLI_PATH")
    if override:
        found = find_executable("codex", env, override=override)
        if found is not None:
            return found
    found = find_executable("codex", env)
    if found is not None or not env.is_macos:
        return found
    for relative in _APP_BUNDLES:
        for root in (env.home, Path("/")):
            candidate = root / relative
            if find_executable("codex", env, override=str(candidate)) is not None:
                return candidate
    return None


def raw_version(ctx: FetchContext, path: Path) -> Optional[str]:
    """First line of ``codex --version`` (then ``version``, ``-v``); cached by path, size and mtime."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = "codex/version/%s/%d/%d" % (path, stat.st_size, int(stat.st_mtime))
    cache = ctx.cache
    if cache is not None:
        try:
            cached = cache.get(key)
        except Exception:  # noqa: BLE001 - a broken cache only costs a subprocess
            cached = None
        if isinstance(cached, str):
            return cached or None
    found = ""
    for args in (["--version"], ["version"], ["-v"]):
        try:
            done = run([str(path)] + args, ctx.env, timeout=2.0, label="codex --version")
        except (FetchError, OSError):
            continue
        first = next((line.strip() for line in done.stdout.splitlines() if line.strip()), "")
        if done.returncode == 0 and first:
            found = first
            break
    if cache is not None:
        try:
            cache.set(key, found, expire=VERSION_TTL)
        except Exception:  # noqa: BLE001
            pass
    return found or None


def display_version(raw: Optional[str]) -> Optional[str]:
    """The payload's ``version``: the first dotted number run, else the trimmed raw text."""
    if not raw or not raw.strip():
        return None
    match = re.search(r"\d+(\.\d+)+", raw)
    return match.group(0) if match else raw.strip()


def user_agent_version(raw: Optional[str]) -> Optional[str]:
    """``codex-cli 0.50.0`` → ``0.50.0``; otherwise the first whitespace-separated token."""
    parts = (raw or "").split()
    if not parts:
        return None
    if len(parts) >= 2 and parts[0].lower() == "codex-cli":
        return parts[1]
    return parts[0]


def pat_user_agent(env: Env, raw: Optional[str]) -> str:
    """What the Codex CLI itself sends: ``codex_cli_rs/<ver> (<OS> <x.y.z>; <arch>)``."""
    os_name = "Mac OS" if env.is_macos else "Linux"
    release = platform.mac_ver()[0] if env.is_macos and platform.mac_ver()[0] else platform.release()
    numbers = (re.findall(r"\d+", release) + ["0", "0", "0"])[:3]
    machine = platform.machine().lower()
    arch = "arm64" if machine in ("arm64", "aarch64") else "x86_64" if machine in ("x86_64", "amd64") else "unknown"
    version = user_agent_version(raw)
    head = "codex_cli_rs/%s" % version if version else "codex_cli_rs"
    return "%s (%s %s; %s)" % (head, os_name, ".".join(numbers), arch)
