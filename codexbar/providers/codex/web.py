"""``--source web``: CodexBar scrapes chatgpt.com in a hidden macOS WebView; codexbar cannot."""

from __future__ import annotations

from codexbar.descriptor import FetchContext, Source
from codexbar.errors import FetchError
from codexbar.model import ProviderResult
from codexbar.providers.codex.errors import web_unsupported


class WebSource(Source):
    id = "web"

    def available(self, ctx: FetchContext) -> bool:
        return True   # so an explicit --source web reports why, instead of "not connected"

    def fetch(self, ctx: FetchContext) -> ProviderResult:
        raise web_unsupported()

    def falls_back_on(self, error: FetchError) -> bool:
        return False
