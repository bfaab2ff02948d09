"""``codexbar usage --status`` (status.md §7): one ``api/v2/status.json`` call, never an error.

CodexBar's CLI polls only providers with a statuspage base — no incident.io feed, no component
list, no Google feed — and turns any failure into ``indicator: unknown`` with the error text as
the description, so a status outage never fails the usage command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional

from codexbar.errors import CodexbarError
from codexbar.status import parse
from codexbar.status.poll import TIMEOUT, base_url, host_of

if TYPE_CHECKING:  # pragma: no cover - typing only
    from datetime import datetime

    from codexbar.access.http import Http
    from codexbar.descriptor import Descriptor


def fetch_cli_status(http: "Http", status_api_base: str, page_url: str, now: "datetime") -> Dict[str, Any]:
    """``{indicator, description?, updatedAt?, url}`` for the CLI JSON ``status`` field.

    ``url`` is the status page as configured (``page_url``), on success and on failure alike.
    """
    del now  # the feed carries its own time; kept so every fetcher has the same shape
    url = base_url(status_api_base) + "/api/v2/status.json"
    try:
        body = http.get_json(url, label=host_of(status_api_base) + " status", timeout=TIMEOUT)
        result = parse.statuspage_status(body)
    except CodexbarError as exc:
        result = {"indicator": "unknown", "description": exc.message}
    except Exception as exc:  # noqa: BLE001 - a status line must never break `usage`
        result = {"indicator": "unknown", "description": "Status check failed (%s)." % type(exc).__name__}
    result["url"] = page_url
    return result


def cli_status_for(http: "Http", descriptor: "Descriptor", now: "datetime") -> Optional[Dict[str, Any]]:
    """The ``status`` field for one provider, or None when it has no polled status page."""
    if not descriptor.status_api:
        return None
    return fetch_cli_status(http, descriptor.status_api, descriptor.status_url or descriptor.status_api, now)
