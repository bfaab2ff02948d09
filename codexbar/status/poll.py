"""The menu path (status.md §3–§5): poll a provider's status feed, keep the last good status.

``fetch_status`` does the network part (incident.io feed, else statuspage summary + components,
or the Google Workspace feed); ``refresh_status`` stores the result in the shared cache plus a
small JSON mirror the plugin hot path reads with ``read_status`` (stdlib json only). A failed
poll never clears what was stored: the menu keeps the last good status, and shows nothing
before the first success.

Import cost: this module imports only stdlib and codexbar's light modules; Http and the
diskcache Store are passed in by the caller.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from codexbar import status as catalog
from codexbar.errors import CodexbarError, FetchError, ParseError
from codexbar.status import parse

if TYPE_CHECKING:  # pragma: no cover - typing only
    from datetime import datetime

    from codexbar.access.http import Http
    from codexbar.cache import Store
    from codexbar.descriptor import Descriptor
    from codexbar.env import Env

TIMEOUT = 10.0
SCHEMA = 1

# A hook receives (event, indicator): "provider_unavailable" / "provider_recovered".
HookCallback = Callable[[str, str], None]


def base_url(url: str) -> str:
    return url.rstrip("/")


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or url).lower()


def _get(http: "Http", url: str, label: str) -> Any:
    return http.get_json(url, label=label, timeout=TIMEOUT)


# -- fetching ---------------------------------------------------------------------------------


def fetch_statuspage(http: "Http", status_api: str, page_url: Optional[str] = None) -> Dict[str, Any]:
    """incident.io's grouped feed first, else the classic statuspage.io ``api/v2`` feed.

    Raises FetchError only when the required classic ``summary.json`` fails. ``components`` is
    absent when no component list could be read (the caller keeps its previous one).
    """
    base, host = base_url(status_api), host_of(status_api)
    label = host + " status"
    result: Optional[Dict[str, Any]] = None
    try:
        # incident.io serves its native feed at https://<host>/proxy/<host>
        proxy = _get(http, "https://%s/proxy/%s" % (host, host), label)
        indicator, components = parse.incidentio_summary(proxy)
        result = {"indicator": indicator, "components": components}
    except FetchError:
        result = None
    if result is not None:
        # The native feed has no banner text or time; status.json supplies them if it can.
        try:
            overlay = parse.statuspage_status(_get(http, base + "/api/v2/status.json", label))
        except FetchError:
            overlay = {}
        for key in ("description", "updatedAt"):
            if key in overlay:
                result[key] = overlay[key]
    else:
        result = parse.statuspage_status(_get(http, base + "/api/v2/summary.json", label))
        try:
            result["components"] = parse.statuspage_components(
                _get(http, base + "/api/v2/components.json", label))
        except FetchError:
            pass  # best effort: the overall status stands without a component list
    result["url"] = page_url or status_api
    return _ordered(result)


def fetch_workspace_status(http: "Http", product_id: str, page_url: Optional[str] = None) -> Dict[str, Any]:
    """The Google Workspace incidents feed, reduced to one product's status (status.md §4)."""
    body = _get(http, catalog.GOOGLE_INCIDENTS_URL, "Google Workspace status")
    result = parse.google_workspace(body, product_id)
    result["url"] = page_url or catalog.GOOGLE_INCIDENTS_URL
    return _ordered(result)


def fetch_status(http: "Http", descriptor: "Descriptor", now: "datetime") -> Optional[Dict[str, Any]]:
    """The provider's current status ``{indicator, description?, updatedAt?, url, components?}``.

    None when the provider has nothing to poll (link-only or no status page). Raises FetchError
    when the feed cannot be read. ``now`` is accepted for symmetry with the other fetchers;
    status feeds carry their own timestamps.
    """
    del now
    page_url = descriptor.status_url or catalog.LINK_ONLY_URLS.get(descriptor.id)
    if descriptor.status_api:
        return fetch_statuspage(http, descriptor.status_api, page_url)
    product = catalog.WORKSPACE_PRODUCTS.get(descriptor.id)
    if product:
        return fetch_workspace_status(http, product, page_url)
    return None


def _ordered(status: Dict[str, Any]) -> Dict[str, Any]:
    order = ("indicator", "description", "updatedAt", "url", "components")
    return {key: status[key] for key in order if key in status}


# -- presentation filter -----------------------------------------------------------------------


def menu_components(provider_id: str, components: Optional[List[Dict[str, Any]]]) -> Optional[List[Dict[str, Any]]]:
    """Components the menu should list: only curated providers, only allowlisted top-level names."""
    if components is None or provider_id not in catalog.COMPONENT_SUBMENU_PROVIDERS:
        return None
    allow = catalog.COMPONENT_ALLOWLIST.get(provider_id)
    if allow is None:
        return components
    return [row for row in components if row.get("name") in allow]


# -- hooks -------------------------------------------------------------------------------------


def hook_transition(had_outage: bool, indicator: str) -> Tuple[Optional[str], bool]:
    """(event to fire or None, new had-outage flag). Maintenance/unknown change nothing."""
    if indicator in ("minor", "major", "critical"):
        return (None if had_outage else "provider_unavailable"), True
    if indicator == "none":
        return ("provider_recovered" if had_outage else None), False
    return None, had_outage


# -- the cache ---------------------------------------------------------------------------------


def store_key(provider_id: str) -> str:
    return "status/" + provider_id


def mirror_name(provider_id: str) -> str:
    return "status-" + provider_id


def mirror_path(cache_dir: Path, provider_id: str) -> Path:
    from codexbar.cache import snapshot_path

    return Path(snapshot_path(cache_dir, mirror_name(provider_id)))


def read_entry(cache_dir: Path, provider_id: str) -> Optional[Dict[str, Any]]:
    """The stored status entry (status, fetchedAt, attemptedAt, error, hadOutage) or None."""
    from codexbar.cache import read_snapshot

    data = read_snapshot(cache_dir, mirror_name(provider_id))
    return data if data is not None and data.get("schema") == SCHEMA else None


def read_status(cache_dir: Path, provider_id: str) -> Optional[Dict[str, Any]]:
    """The last good status for the menu, or None before the first success. Hot-path safe."""
    entry = read_entry(cache_dir, provider_id)
    status = entry.get("status") if entry else None
    return status if isinstance(status, dict) and isinstance(status.get("indicator"), str) else None


def _error_dict(error: BaseException) -> Dict[str, Any]:
    if isinstance(error, CodexbarError):
        return error.to_dict()
    return {"kind": "unavailable", "message": "Status check failed (%s)." % type(error).__name__}


def _save(store: "Store", env: "Env", provider_id: str, entry: Dict[str, Any]) -> None:
    from codexbar.cache import write_snapshot

    store.set(store_key(provider_id), entry)
    write_snapshot(env.cache_dir, mirror_name(provider_id), entry)


def refresh_status(env: "Env", store: "Store", http: "Http", descriptor: "Descriptor",
                   on_event: Optional[HookCallback] = None,
                   max_age: Optional[float] = None) -> Optional[Dict[str, Any]]:
    """Poll once and store; return the status the menu should show (last good on failure).

    ``max_age`` (seconds): skip the network when the last attempt is younger. Another process
    already polling this provider (lock held) also means: return what is stored. ``on_event``
    is called on outage/recovery transitions (status.md §5 hooks).
    """
    now = env.now()
    key = store_key(descriptor.id)
    previous = store.get(key)
    previous = previous if isinstance(previous, dict) and previous.get("schema") == SCHEMA else {}
    last_good = previous.get("status") if isinstance(previous.get("status"), dict) else None

    if max_age is not None and previous.get("attemptedAt"):
        attempted = parse.parse_iso(str(previous["attemptedAt"]))
        if attempted is not None and 0 <= (now - attempted).total_seconds() < max_age:
            return last_good
    lock = store.lock("status-" + descriptor.id)
    if not lock.acquire(0):
        return last_good
    try:
        try:
            fetched = fetch_status(http, descriptor, now)
        except Exception as exc:  # noqa: BLE001 - any failure keeps the last good status
            entry = dict(previous, schema=SCHEMA, status=last_good, attemptedAt=parse.iso_z(now),
                         error=_error_dict(exc))
            entry.setdefault("fetchedAt", None)
            entry.setdefault("hadOutage", False)
            _save(store, env, descriptor.id, entry)
            return last_good
        if fetched is None:
            return None
        components = menu_components(descriptor.id, fetched.pop("components", None))
        if components is None and last_good is not None and descriptor.id in catalog.COMPONENT_SUBMENU_PROVIDERS:
            components = last_good.get("components")  # a failed component fetch keeps the old list
        if components is not None:
            fetched["components"] = components
        event, had_outage = hook_transition(bool(previous.get("hadOutage")), fetched["indicator"])
        entry = {"schema": SCHEMA, "status": fetched, "fetchedAt": parse.iso_z(now),
                 "attemptedAt": parse.iso_z(now), "error": None, "hadOutage": had_outage}
        _save(store, env, descriptor.id, entry)
    finally:
        lock.release()
    if event and on_event is not None:
        on_event(event, fetched["indicator"])
    return fetched


__all__ = ["fetch_status", "fetch_statuspage", "fetch_workspace_status", "refresh_status",
           "read_status", "read_entry", "menu_components", "hook_transition", "ParseError"]
