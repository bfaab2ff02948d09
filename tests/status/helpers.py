"""Shared bits for status tests: serve fixture files, build the real Env/Http/Store."""

from __future__ import annotations

import time
from typing import Any, Optional

from codexbar.access.http import Http
from codexbar.cache import Store
from codexbar.descriptor import Descriptor
from codexbar.env import Env
from tests.conftest import fixture_text

CLAUDE_STATUS = "https://status.claude.com"
OPENAI_STATUS = "https://status.openai.com"
GOOGLE = "https://www.google.com"


def serve(httpserver: Any, path: str, fixture: Optional[str] = None, *, status: int = 200,
          body: Optional[str] = None, content_type: str = "application/json", delay: float = 0.0) -> None:
    """Answer ``path`` with a fixture file (or literal body), optionally after a delay."""
    text = fixture_text("status/" + fixture) if fixture else (body or "")

    def handler(request: Any) -> Any:
        from werkzeug.wrappers import Response

        if delay:
            time.sleep(delay)
        return Response(text, status=status, content_type=content_type)

    httpserver.expect_request(path).respond_with_handler(handler)


def env() -> Env:
    return Env.from_process()


def http(deadline_in: Optional[float] = None) -> Http:
    return Http(env(), deadline=time.monotonic() + deadline_in if deadline_in else None)


def store() -> Store:
    return Store(env().cache_dir)


def descriptor(pid: str, status_url: Optional[str], status_api: Optional[str]) -> Descriptor:
    return Descriptor(id=pid, name=pid.title(), short_name=pid.title(), status_url=status_url,
                      status_api=status_api)
