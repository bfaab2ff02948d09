"""Claude test helpers: credential files in the temp home, the fake `claude`, in-process contexts."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest

from support.run import install_private

ROOT = Path(__file__).resolve().parents[3]
FIX = ROOT / "fixtures" / "claude"
FAKE_CLAUDE = ROOT / "fixtures" / "bin" / "claude"
ORIGINS = ("https://api.anthropic.com", "https://claude.ai", "https://platform.claude.com")
USAGE = "/api/oauth/usage"
TOKEN = "sk-ant-oat01-FAKEaccess"


def fixture_json(relative: str) -> Any:
    return json.loads((FIX / relative).read_text(encoding="utf-8"))


def fixture_text(relative: str) -> str:
    with open(FIX / relative, newline="", encoding="utf-8") as handle:
        return handle.read()


@pytest.fixture
def credentials(home: Path) -> Callable[..., Path]:
    """``credentials("max-20x.json")`` installs a credentials fixture as ~/.claude/.credentials.json."""

    def put(name: str, folder: Optional[Path] = None) -> Path:
        return install_private(FIX / "credentials" / name, (folder or home / ".claude") / ".credentials.json")

    return put


class FakeClaude:
    """The fake `claude` on a private PATH (with a `python3` that is this interpreter)."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.bin = folder
        self.log = folder.parent / "fake-claude.log"
        self.pidfile = folder.parent / "fake-claude.pids"
        self.monkeypatch = monkeypatch
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "python3").symlink_to(sys.executable)
        (folder / "claude").symlink_to(FAKE_CLAUDE)
        monkeypatch.setenv("PATH", "%s%s%s" % (folder, os.pathsep, os.environ.get("PATH", "")))
        monkeypatch.setenv("FAKE_CLAUDE_LOG", str(self.log))
        monkeypatch.setenv("FAKE_CLAUDE_PIDFILE", str(self.pidfile))

    def use(self, panel: str = "usage-normal", mode: str = "normal", status: str = "status-normal",
            logged_in: str = "true") -> None:
        self.monkeypatch.setenv("FAKE_CLAUDE_PANEL", panel)
        self.monkeypatch.setenv("FAKE_CLAUDE_MODE", mode)
        self.monkeypatch.setenv("FAKE_CLAUDE_STATUS", status)
        self.monkeypatch.setenv("FAKE_CLAUDE_LOGGED_IN", logged_in)

    def events(self) -> List[Dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]

    def pids(self) -> List[int]:
        return [int(p) for p in self.pidfile.read_text().split()] if self.pidfile.exists() else []


@pytest.fixture
def fake_claude(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeClaude:
    fake = FakeClaude(tmp_path / "fakebin", monkeypatch)
    fake.use()
    return fake


def make_ctx(*, runtime: str = "plugin", source_mode: str = "auto", interactive: bool = False,
             config: Optional[Dict[str, Any]] = None, account: Optional[Dict[str, Any]] = None,
             web_timeout: Optional[float] = None) -> Any:
    """A real FetchContext over the current process environment (temp home, overrides)."""
    from codexbar.access.http import Http
    from codexbar.cache import Store
    from codexbar.descriptor import FetchContext
    from codexbar.env import Env

    env = Env.from_process()
    ctx = FetchContext(env=env, config=config or {"id": "claude"}, http=Http(env), runtime=runtime,
                       source_mode=source_mode, interactive=interactive, account=account,
                       cache=Store(env.cache_dir))
    if web_timeout is not None:
        ctx.web_timeout = web_timeout  # type: ignore[attr-defined]
    return ctx


@pytest.fixture
def ctx_factory() -> Callable[..., Any]:
    made: List[Any] = []

    def build(**kwargs: Any) -> Any:
        ctx = make_ctx(**kwargs)
        made.append(ctx)
        return ctx

    yield build
    for ctx in made:
        ctx.http.close()
        ctx.cache.close()
