"""Codex test helpers: auth.json in the temp home, the fake `codex`, recorded ChatGPT answers."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest

from support.run import install_private

ROOT = Path(__file__).resolve().parents[3]
FIX = ROOT / "fixtures" / "codex"
FAKE_CODEX = ROOT / "fixtures" / "bin" / "codex"
ORIGINS = ("https://chatgpt.com", "https://auth.openai.com", "https://chat.openai.com")
USAGE = "/backend-api/wham/usage"
RESET = "/backend-api/wham/rate-limit-reset-credits"
WHOAMI = "/api/accounts/v1/user-auth-credential/whoami"
ACCOUNT_ID = "1b2c3d4e-0000-4000-8000-abcdefabcdef"
MONTHLY = "/backend-api/accounts/%s/spend-controls/current-user/monthly-usage" % ACCOUNT_ID
ACCESS = "FAKE-oauth-access-token-0001"
PAT = "at-FAKE-pat-0001"


def http_body(name: str) -> str:
    return (FIX / "http" / name).read_text(encoding="utf-8")


@pytest.fixture
def codex_auth(home: Path) -> Callable[..., Path]:
    """``codex_auth("oauth.json")`` installs fixtures/codex/auth/<name> as ~/.codex/auth.json."""

    def put(name: str, folder: Optional[Path] = None) -> Path:
        return install_private(FIX / "auth" / name, (folder or home / ".codex") / "auth.json")

    return put


@pytest.fixture
def codex_config(home: Path) -> Callable[[str], Path]:
    def put(name: str) -> Path:
        target = home / ".codex" / "config.toml"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIX / "config" / name, target)
        return target

    return put


class FakeCodex:
    def __init__(self, log: Path) -> None:
        self.log = log

    def events(self) -> List[Dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def methods(self) -> List[str]:
        return [e["received"]["method"] for e in self.events() if "received" in e]

    def received(self) -> List[Dict[str, Any]]:
        return [e["received"] for e in self.events() if "received" in e]


@pytest.fixture
def fake_codex(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., FakeCodex]:
    """``fake_codex("error-body")``: CODEX_CLI_PATH → fixtures/bin/codex replaying rpc/<mode>.json."""

    def use(mode: str = "normal", via_path: bool = False) -> FakeCodex:
        log = tmp_path / "codex-log.jsonl"
        monkeypatch.setenv("FAKE_CODEX_MODE", mode)
        monkeypatch.setenv("FAKE_CODEX_LOG", str(log))
        if via_path:
            monkeypatch.setenv("PATH", str(FAKE_CODEX.parent) + os.pathsep + os.environ.get("PATH", ""))
        else:
            monkeypatch.setenv("CODEX_CLI_PATH", str(FAKE_CODEX))
        return FakeCodex(log)

    return use


@pytest.fixture(autouse=True)
def no_codex_installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every case starts without a `codex` (``fake_codex`` adds ours): PATH entries holding one
    are dropped; a real one in a well-known folder (Homebrew on a developer Mac) skips the test."""
    from codexbar.env import Env
    from codexbar.providers.codex.binary import find_codex

    monkeypatch.setenv("CODEX_CLI_PATH", str(tmp_path / "missing" / "codex"))
    kept = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not os.access(os.path.join(d, "codex"), os.X_OK)]
    monkeypatch.setenv("PATH", os.pathsep.join(kept))
    if find_codex(Env.from_process()) is not None:
        pytest.skip("a real `codex` is installed in a well-known folder")


@pytest.fixture
def chatgpt(overrides, httpserver):  # noqa: ANN001 - pytest-httpserver
    """Route chatgpt.com/auth.openai.com to the loopback server; return a ``serve`` helper."""
    overrides(*ORIGINS)

    def serve(path: str, name: Optional[str] = None, *, status: int = 200, body: Optional[str] = None,
              content_type: str = "application/json", headers: Optional[Dict[str, str]] = None) -> None:
        text = body if body is not None else http_body(name or "usage-normal.json")
        httpserver.expect_request(path).respond_with_data(text, status=status, content_type=content_type,
                                                          headers=headers)

    return serve


def requests_to(httpserver, path: str) -> list:  # noqa: ANN001
    return [request for request, _ in httpserver.log if request.path == path]
