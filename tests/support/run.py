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
