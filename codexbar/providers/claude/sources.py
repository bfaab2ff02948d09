"""Claude's sources, keyed by the ids used in ``--source`` and the descriptor's order.

Import-light on purpose: each module imports httpx/pexpect/browser_cookie3 inside functions.
"""

from __future__ import annotations

from codexbar.descriptor import Sources

from .admin import AdminSource
from .cli_pty import CliSource
from .oauth import OAuthSource
from .web import WebSource

SOURCES: Sources = {
    "api": AdminSource(),
    "oauth": OAuthSource(),
    "cli": CliSource(),
    "web": WebSource(),
}
