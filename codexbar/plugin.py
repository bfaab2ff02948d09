"""Entry point of every plugins/*.py script: render from cache fast, refresh in the background.

Hot path (fresh cache): imports only env, cache's reader, the renderers and a descriptor —
no httpx, pydantic, keyring, pexpect, psutil or diskcache — prints and exits 0.
Due: print the cached snapshot marked "Refreshing…" and hand a detached refresh the lock.
Nothing cached: start the refresh and wait up to a short budget, else show "Loading…".
Whatever happens, the output is valid SwiftBar text and the exit status is 0.
"""

from __future__ import annotations

import sys
import time
TYPE_CHECKING = False   # typing stays off the plugin hot path (its import costs milliseconds)
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Sequence

from codexbar.env import Env

FIRST_FETCH_BUDGET = 6.0   # only the very first run waits; later runs never block


def _ttl_seconds(env: Env, minutes: int) -> float:
    raw = env.get("CODEXBAR_TTL_SECONDS")
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
    # a little under the plugin interval, so each scheduled run brings new data
    return max(30.0, minutes * 60.0 - 30.0)


def _age_seconds(entry: Dict[str, Any], env: Env) -> Optional[float]:
    from codexbar.env import parse_instant

    stamp = parse_instant(str(entry.get("attemptedAt") or entry.get("fetchedAt") or ""))
    return None if stamp is None else (env.now() - stamp).total_seconds()


def _plugin_path(env: Env) -> Optional[str]:
    return env.get("SWIFTBAR_PLUGIN_PATH") or (sys.argv[0] if sys.argv and sys.argv[0] else None)


def _cost_items(desc: Any, env: Env) -> List[Any]:
    if not desc.cost_scan:
        return []
    from codexbar.cache import read_snapshot
    from codexbar.render.cost import SUMMARY_SCHEMA, swiftbar_items

    # read directly: importing codexbar.cost would pull the scanner's imports in
    summary = read_snapshot(env.cache_root, "cost-" + desc.id, schema=SUMMARY_SCHEMA)
    return list(swiftbar_items(summary, env.now())) if summary else []


def _status_items(desc: Any, env: Env) -> List[Any]:
    if not desc.status_api:
        return []
    from codexbar.render.status import swiftbar_items
    from codexbar.status import read_status

    status = read_status(env.cache_root, desc.id)
    return list(swiftbar_items(status, desc.status_url, env.now())) if status else []


def _blocks(provider_ids: Sequence[str], env: Env) -> List[Any]:
    from codexbar import registry
    from codexbar.cache import FileLock, entry_key, read_mirror, usage_lock_name
    from codexbar.render.swiftbar import Block

    cache_dir = env.cache_root
    states: Dict[str, str] = {}
    entries: Dict[str, Optional[Dict[str, Any]]] = {}
    locks: Dict[str, FileLock] = {}
    descs = {pid: registry.descriptor(pid) for pid in provider_ids}
    for pid in provider_ids:
        entry = read_mirror(cache_dir, entry_key(pid))
        entries[pid] = entry
        if entry is None:
            states[pid] = "loading"
        else:
            age = _age_seconds(entry, env)
            due = age is None or age >= _ttl_seconds(env, descs[pid].refresh_minutes)
            states[pid] = "refreshing" if due else "fresh"
        if states[pid] != "fresh":
            lock = FileLock(cache_dir, usage_lock_name(pid))
            if lock.acquire(timeout=0):
                locks[pid] = lock
    if locks:
        from codexbar.refresh import spawn_background, still_running

        child = spawn_background(list(locks), env, _plugin_path(env), locks)
        waiting = [pid for pid in locks if entries[pid] is None]
        if child is not None and waiting:
            budget = float(env.get("CODEXBAR_FIRST_FETCH_BUDGET") or FIRST_FETCH_BUDGET)
            end = time.monotonic() + budget
            while waiting and time.monotonic() < end and still_running(child):
                time.sleep(0.05)
                for pid in list(waiting):
                    entries[pid] = read_mirror(cache_dir, entry_key(pid))
                    if entries[pid] is not None:
                        waiting.remove(pid)
            for pid in waiting:
                entries[pid] = read_mirror(cache_dir, entry_key(pid))
            for pid in locks:
                if entries[pid] is not None and states[pid] == "loading":
                    states[pid] = "fresh"
    refresh_argv = [sys.executable, "-m", "codexbar", "refresh"]
    return [Block(descs[pid], entries[pid], states[pid], _cost_items(descs[pid], env),
                  _status_items(descs[pid], env), refresh_argv + [pid, "--interactive"]) for pid in provider_ids]


def _write(text: str) -> None:
    data = text.encode("utf-8", errors="replace")
    out = getattr(sys.stdout, "buffer", None)
    if out is not None:
        out.write(data)
        out.flush()
    else:  # pragma: no cover - replaced stdout
        sys.stdout.write(text)


def run(provider_id: str) -> None:
    """Print one provider's menu. Never raises, never exits non-zero."""
    run_many([provider_id], merged=False)


def run_many(provider_ids: Sequence[str], merged: bool = True) -> None:
    env: Optional[Env] = None
    try:
        env = Env.from_process()
        ids = list(provider_ids)
        if merged and not ids:
            ids = _enabled_ids(env)
        from codexbar.render import swiftbar

        blocks = _blocks(ids, env)
        if merged:
            text = swiftbar.render_merged(blocks, env)
        else:
            text = swiftbar.render(blocks[0], env)
    except BaseException as exc:  # noqa: BLE001 - the menu must always render
        text = _crash(provider_ids, exc, env)
    _write(text)


def _enabled_ids(env: Env) -> List[str]:
    from codexbar import config, registry

    cfg = config.load(env)
    return [pid for pid in registry.PROVIDER_IDS if cfg.is_enabled(pid, registry.descriptor(pid).default_enabled)]


def _crash(provider_ids: Sequence[str], exc: BaseException, env: Optional[Env]) -> str:
    from codexbar.render.swiftbar import crash_output
    from codexbar.secret import redact

    message = getattr(exc, "message", None) or "Unexpected %s" % type(exc).__name__
    if env is None:
        env = Env(environ={})
    if env.debug:
        import traceback

        sys.stderr.write(redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__))))
    title = provider_ids[0] if len(provider_ids) == 1 else "codexbar"
    try:
        from codexbar import registry

        if len(provider_ids) == 1:
            title = registry.descriptor(provider_ids[0]).short_name
    except Exception:  # noqa: BLE001
        pass
    return crash_output(title, redact(str(message)), env)
