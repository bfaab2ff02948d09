"""Every test runs against a temporary home: HOME, XDG_*, cache and config point into tmp_path,
provider env vars are cleared, keyring is the null backend, and ``now`` is pinned."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Dict

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
sys.path.insert(0, str(ROOT / "tests"))

# The instant every in-process and subprocess test treats as "now" unless it says otherwise.
NOW = "2026-08-03T12:00:00Z"

_CLEARED_PREFIXES = ("Z_AI_", "BIGMODEL_", "ZHIPU", "GLM_", "CLAUDE_", "CODEXBAR_", "ANTHROPIC_",
                     "CODEX_", "OPENAI_", "SWIFTBAR", "XBAR", "BITBAR", "OS_APPEARANCE", "NO_COLOR")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    for key in list(os.environ):
        if key.startswith(_CLEARED_PREFIXES) or key.endswith("DarkMode"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.setenv("CODEXBAR_NOW", NOW)
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("CODEXBAR_PLATFORM", "darwin")
    # macOS tools are replaced by recorders, first on PATH (the code finds them like any CLI)
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    for tool, rc in (("open", 0), ("defaults", 1), ("security", 44), ("osascript", 0)):
        script = bin_dir / tool
        script.write_text('#!/bin/sh\necho "%s $*" >> "%s"\nexit %d\n' % (tool, tmp_path / "macos-calls.log", rc))
        script.chmod(0o755)
    monkeypatch.setenv("PATH", "%s%s%s" % (bin_dir, os.pathsep, os.environ.get("PATH", "")))
    # a developer's real Homebrew/nvm CLIs must not leak into "no CLI installed" cases
    monkeypatch.setenv("CODEXBAR_EXEC_SEARCH", "path")
    # no test touches the internet: every provider host goes to a closed loopback port unless a
    # test maps it to its server (the ``overrides`` fixture merges into this)
    monkeypatch.setenv("CODEXBAR_ENDPOINT_OVERRIDES", json.dumps(blackhole_origins()))
    return home


@pytest.fixture
def macos_calls(tmp_path: Path):
    """Lines recorded by the fake macOS tools (``open -g swiftbar://…`` etc.)."""
    log = tmp_path / "macos-calls.log"
    return lambda: log.read_text().splitlines() if log.exists() else []


CLOSED_PORT = "http://127.0.0.1:9"


def blackhole_origins() -> Dict[str, str]:
    """Every origin a registered provider (or its status page) calls → a closed local port."""
    from codexbar import registry

    origins: Dict[str, str] = {}
    for desc in registry.all_descriptors():
        for origin in desc.origins + ((desc.status_api,) if desc.status_api else ()):
            origins[origin] = CLOSED_PORT
    return origins


@pytest.fixture
def home(isolated_home: Path) -> Path:
    return isolated_home


def write_config(home: Path, providers: list) -> Path:
    path = home / ".config" / "codexbar" / "config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "providers": providers}))
    return path


@pytest.fixture
def config_file(home: Path):
    """``config_file([{"id": "zai", "apiKey": "…"}])`` writes CodexBar's config in the temp home."""
    return lambda providers: write_config(home, providers)


@pytest.fixture
def overrides(monkeypatch: pytest.MonkeyPatch, httpserver):  # noqa: ANN001 - pytest-httpserver
    """Map provider origins to the loopback server: ``overrides("https://api.z.ai", …)``."""

    def apply(*origins: str) -> Dict[str, str]:
        base = httpserver.url_for("").rstrip("/")
        current = json.loads(os.environ.get("CODEXBAR_ENDPOINT_OVERRIDES") or "{}")
        mapping = dict(current, **{origin: base for origin in origins})   # cumulative
        monkeypatch.setenv("CODEXBAR_ENDPOINT_OVERRIDES", json.dumps(mapping))
        return mapping

    return apply


def fixture_text(relative: str) -> str:
    return (FIXTURES / relative).read_text(encoding="utf-8")


def fixture_json(relative: str):
    return json.loads(fixture_text(relative))
