"""CODEXBAR_ENDPOINT_OVERRIDES: a JSON object mapping an origin to a replacement origin.

``{"https://api.z.ai": "http://127.0.0.1:8123"}`` sends every request for api.z.ai to the
loopback server, path and query kept. A replacement must be https, or http on a loopback
address; anything else is refused before a request is made.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Dict, Mapping, Optional
from urllib.parse import urlsplit, urlunsplit

from codexbar.errors import ConfigError

ENV_VAR = "CODEXBAR_ENDPOINT_OVERRIDES"
_HINT = "Fix CODEXBAR_ENDPOINT_OVERRIDES: map origins to https:// or http://127.0.0.1 origins."


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return "%s://%s" % (parts.scheme.lower(), parts.netloc.lower())


def is_loopback_host(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_replacement(source: str, target: str) -> str:
    parts = urlsplit(target.strip())
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        pass
    elif parts.scheme == "http" and host and is_loopback_host(host):
        pass
    else:
        raise ConfigError("Endpoint override for %s must be https:// or http:// on a loopback "
                          "address (got %s)." % (source, origin_of(target) or target), hint=_HINT)
    if parts.username or parts.password:
        raise ConfigError("Endpoint override for %s must not contain credentials." % source, hint=_HINT)
    return target.strip().rstrip("/")


def parse(raw: Optional[str]) -> Dict[str, str]:
    """Validate the env value; an empty or missing value means no overrides."""
    if not raw or not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise ConfigError("CODEXBAR_ENDPOINT_OVERRIDES is not valid JSON.", hint=_HINT) from None
    if not isinstance(data, dict):
        raise ConfigError("CODEXBAR_ENDPOINT_OVERRIDES must be a JSON object.", hint=_HINT)
    result: Dict[str, str] = {}
    for source, target in data.items():
        if not isinstance(target, str):
            raise ConfigError("Endpoint override for %s must be a string." % source, hint=_HINT)
        result[origin_of(str(source))] = _check_replacement(str(source), target)
    return result


def rewrite(url: str, overrides: Mapping[str, str]) -> str:
    """Replace the origin of ``url`` when an override names it; keep path and query."""
    if not overrides:
        return url
    target = overrides.get(origin_of(url))
    if not target:
        return url
    parts, base = urlsplit(url), urlsplit(target)
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))
