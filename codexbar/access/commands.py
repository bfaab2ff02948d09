"""Finding and running executables: provider CLIs and macOS tools (defaults, security, open).

SwiftBar runs plugins from ``bash -l`` with a PATH that usually lacks Homebrew, nvm, fnm, volta
or ~/.local/bin, so ``find_executable`` also searches those well-known places, the way a
user's terminal would. Every macOS-only tool is found through it too, so tests can put small
fake scripts on PATH and the same code paths run on Linux.
"""

from __future__ import annotations

import glob
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Mapping, Optional, Sequence

from codexbar.env import Env
from codexbar.errors import FetchTimeout


def _well_known_dirs(env: Env) -> List[Path]:
    if (env.get("CODEXBAR_EXEC_SEARCH") or "").lower() == "path":
        return []   # PATH only: tests, and users who want exactly their PATH
    home = env.home
    dirs = [Path("/opt/homebrew/bin"), Path("/usr/local/bin"), home / ".local" / "bin",
            home / ".bun" / "bin", home / ".volta" / "bin", home / ".npm-global" / "bin",
            home / ".claude" / "local", home / ".cargo" / "bin", home / "bin"]
    # version managers: newest installed node first
    patterns = [str(home / ".nvm" / "versions" / "node" / "*" / "bin"),
                str(home / ".local" / "share" / "fnm" / "node-versions" / "*" / "installation" / "bin"),
                str(home / "Library" / "Application Support" / "fnm" / "node-versions" / "*" / "installation" / "bin"),
                str(home / ".asdf" / "shims"), str(home / ".local" / "share" / "mise" / "shims")]
    for pattern in patterns:
        dirs.extend(Path(p) for p in sorted(glob.glob(pattern), reverse=True))
    dirs.extend([Path("/usr/bin"), Path("/bin"), Path("/usr/sbin"), Path("/sbin")])
    return dirs


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(str(path), os.X_OK)


def find_executable(name: str, env: Env, override: Optional[str] = None) -> Optional[Path]:
    """An explicit override (config/env) first, then PATH, then the well-known folders."""
    if override:
        candidate = env.expand(override)
        return candidate if _is_executable(candidate) else None
    seen = set()
    for folder in [Path(p) for p in (env.environ.get("PATH") or "").split(os.pathsep) if p] + _well_known_dirs(env):
        if folder in seen:
            continue
        seen.add(folder)
        candidate = folder / name
        if _is_executable(candidate):
            return candidate
    return None


def child_env(env: Env, extra: Optional[Mapping[str, str]] = None) -> dict:
    """The environment for a child: ours, with the well-known folders appended to PATH."""
    merged = dict(env.environ)
    path = [p for p in (merged.get("PATH") or "").split(os.pathsep) if p]
    for folder in _well_known_dirs(env):
        if str(folder) not in path and folder.is_dir():
            path.append(str(folder))
    merged["PATH"] = os.pathsep.join(path)
    merged.update(extra or {})
    return merged


@dataclass
class Completed:
    argv: Sequence[str]
    returncode: int
    stdout: str
    stderr: str


def kill_tree(pid: int) -> None:
    """Kill a process and every descendant (CLIs spawn helpers that outlive a plain kill)."""
    try:
        import psutil

        parent = psutil.Process(pid)
        victims = parent.children(recursive=True) + [parent]
    except Exception:  # noqa: BLE001 - already gone
        victims = []
    for proc in victims:
        try:
            proc.kill()
        except Exception:  # noqa: BLE001
            pass
    try:
        os.killpg(pid, signal.SIGKILL)
    except (OSError, ProcessLookupError):
        pass
    if victims:
        # SIGKILL is asynchronous: wait (briefly) until they are really gone, so no caller
        # returns while a killed CLI still holds files, ports or the terminal
        try:
            import psutil

            psutil.wait_procs(victims, timeout=2.0)
        except Exception:  # noqa: BLE001
            pass


def run(argv: Sequence[str], env: Env, *, timeout: float = 10.0, cwd: Optional[str] = None,
        input_text: Optional[str] = None, extra_env: Optional[Mapping[str, str]] = None,
        label: Optional[str] = None) -> Completed:
    """Run a command to completion; on timeout kill its whole tree and raise FetchTimeout."""
    proc = subprocess.Popen(
        [str(a) for a in argv], stdin=subprocess.PIPE if input_text is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=child_env(env, extra_env),
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(input=input_text.encode() if input_text is not None else None,
                                    timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_tree(proc.pid)
        proc.communicate()
        raise FetchTimeout("`%s` did not finish within %.0f s." % (label or Path(str(argv[0])).name, timeout)) from None
    return Completed(list(argv), proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def spawn_pty(argv: Sequence[str], env: Env, *, cwd: Optional[str] = None, rows: int = 50,
              cols: int = 160, extra_env: Optional[Mapping[str, str]] = None) -> Any:
    """Start ``argv`` in a real pseudo-terminal (pexpect); the caller must ``kill_tree`` it."""
    import pexpect

    return pexpect.spawn(str(argv[0]), [str(a) for a in argv[1:]], cwd=cwd,
                         env=child_env(env, extra_env), dimensions=(rows, cols),
                         encoding=None, echo=False)


def open_url(url: str, env: Env) -> bool:
    """Open a URL with macOS ``open`` (or xdg-open elsewhere); False when neither exists."""
    for tool in ("open", "xdg-open"):
        found = find_executable(tool, env)
        if found is not None:
            try:
                run([str(found), url], env, timeout=10)
                return True
            except FetchTimeout:
                return False
    return False
