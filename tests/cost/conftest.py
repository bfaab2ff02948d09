"""Cost tests run on copies of the hand-written logs in fixtures/cost/home (see tests'
docstrings for the arithmetic behind every expected number)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES

LOGS = FIXTURES / "cost" / "home"


@pytest.fixture
def logs(home: Path) -> Path:
    """The fixture logs copied into the test's HOME (so tests may append, truncate, delete)."""
    for item in LOGS.iterdir():
        shutil.copytree(item, home / item.name)
    return home


@pytest.fixture
def env():
    from codexbar.env import Env

    return lambda: Env.from_process()
