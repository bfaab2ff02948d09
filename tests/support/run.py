"""Run the product the way a user's machine does: real subprocesses, the installed package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[2]
LINT = ROOT.parent / "shared" / "tools" / "swiftbar_lint.py"
PYTHON = sys.executable


def run_cli(args: Sequence[str], env: Optional[Dict[str, str]] = None, timeout: float = 60,
            input_text: Optional[str] = None) -> subprocess.CompletedProcess:
    """``codexbar <args>`` in a subprocess with the test's environment (temp HOME etc.)."""
    return subprocess.run([PYTHON, "-m", "codexbar", *args], capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), timeout=timeout, cwd="/",
                          input=input_text)


def run_plugin(provider_file: str, env: Optional[Dict[str, str]] = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``plugins/<file>`` as SwiftBar would: its own shebang-less invocation via our python, cwd /."""
    path = ROOT / "plugins" / provider_file
    merged = dict(os.environ)
    merged.setdefault("SWIFTBAR", "1")
    merged.update(env or {})
    return subprocess.run([PYTHON, str(path)], capture_output=True, text=True, env=merged,
                          timeout=timeout, cwd="/")


def lint(output: str, strict_xbar: bool = False) -> subprocess.CompletedProcess:
    args = [sys.executable, str(LINT)]
    if strict_xbar:
        args.append("--strict-xbar")
    return subprocess.run(args, input=output, capture_output=True, text=True, timeout=30)


def lines(output: str) -> List[str]:
    return output.splitlines()


def fake_executable(folder: Path, name: str, script: str) -> Path:
    """A small executable script on a test PATH (bash or python, by its own shebang)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(script)
    path.chmod(0o755)
    return path


def wait_for(predicate, timeout: float = 15.0) -> bool:  # noqa: ANN001
    """Poll ``predicate`` until it is true or ``timeout`` passes; return its last value."""
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


def lock_free(home: Path, provider: str) -> bool:
    """True when no process (e.g. a background refresh) holds the provider's usage lock."""
    import fcntl

    path = home / ".cache" / "codexbar" / "locks" / ("usage-%s.lock" % provider)
    if not path.exists():
        return True
    with open(path, "r+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
    return True


HEAVY_MODULES = ("httpx", "pydantic", "browser_cookie3", "pexpect", "psutil", "diskcache", "keyring", "sqlite3")


def plugin_heavy_imports(plugin_file: str, env: Optional[Dict[str, str]] = None) -> "tuple[str, List[str]]":
    """Run a plugin in-process in a fresh interpreter; return (stdout, heavy modules it imported)."""
    import json

    probe = ("import runpy, sys, json\n"
             "runpy.run_path(%r, run_name='__main__')\n"
             "sys.stderr.write(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in %r)))\n"
             % (str(ROOT / "plugins" / plugin_file), HEAVY_MODULES))
    merged = dict(os.environ, SWIFTBAR="1")
    merged.update(env or {})
    done = subprocess.run([PYTHON, "-c", probe], capture_output=True, text=True, env=merged)
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads(done.stderr)


def install_private(source: Path, target: Path) -> Path:
    """Copy a fixture into the temp home as a user's tool would leave it (0600 in its folder)."""
    import shutil

    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(0o600)
    return target
