"""Codex sources by user-facing id (``--source``): api = PAT, oauth, cli = app-server RPC, web."""

from __future__ import annotations

from typing import Dict

from codexbar.descriptor import Source
from codexbar.providers.codex.cli import CliSource
from codexbar.providers.codex.oauth import OAuthSource
from codexbar.providers.codex.pat import PatSource
from codexbar.providers.codex.web import WebSource

SOURCES: Dict[str, Source] = {"api": PatSource(), "oauth": OAuthSource(), "cli": CliSource(), "web": WebSource()}
