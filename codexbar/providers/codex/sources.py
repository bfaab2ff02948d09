"""Codex sources by user-facing id (``--source``): api = PAT, oauth, cli = app-server RPC, web."""

from __future__ import annotations

from codexbar.descriptor import Sources
from codexbar.providers.codex.cli import CliSource
from codexbar.providers.codex.oauth import OAuthSource
from codexbar.providers.codex.pat import PatSource
from codexbar.providers.codex.web import WebSource

SOURCES: Sources = {"api": PatSource(), "oauth": OAuthSource(), "cli": CliSource(), "web": WebSource()}
