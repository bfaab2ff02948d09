"""Fetch-and-store under the provider lock; detached background refreshes; ask the host app to
re-run the plugin when fresh data is in."""

from __future__ import annotations

import os
import sys

from codexbar.cache import entry_key, usage_lock_name

TYPE_CHECKING = False   # the plugin's due path imports this module: keep it light
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Sequence

    from codexbar.cache import FileLock, Store
    from codexbar.env import Env


def refresh_one(provider_id: str, env: Env, store: Store, *, runtime: str = "plugin",
                interactive: bool = False, wait: bool = False, held: bool = False) -> Optional[dict]:
    """Fetch and store one provider. Returns the stored entry, or None if another process holds
    the lock (then, with ``wait``, the entry it stored).

    The status page is polled alongside the usage fetch and stored before the usage snapshot, so
    a plugin that waits for the snapshot shows both; the cost scan runs last (it may be long)."""
    import threading

    from codexbar import registry
    from codexbar.cache import read_mirror
    from codexbar.fetch import fetch

    lock = store.lock(usage_lock_name(provider_id))
    if not held and not lock.acquire(timeout=0):
        if wait and lock.acquire(timeout=120):
            lock.release()
            return read_mirror(store.dir, entry_key(provider_id))
        return None
    try:
        desc = registry.descriptor(provider_id)
        status = threading.Thread(target=_refresh_status, args=(desc, env, store), daemon=True)
        status.start()
        outcome = fetch(provider_id, env, runtime=runtime, interactive=interactive, store=store)
        status.join(timeout=STATUS_WAIT)
        key = entry_key(provider_id)
        if outcome.ok:
            assert outcome.payload is not None
            entry = store.record_success(key, outcome.payload, env.now())
        else:
            assert outcome.error is not None
            entry = store.record_failure(key, outcome.error.to_dict(), env.now(), source=outcome.source)
        _refresh_cost(desc, env, budget=COST_BUDGET_INTERACTIVE if interactive else None)
        return entry
    finally:
        if not held:
            lock.release()


STATUS_WAIT = 12.0               # status requests time out after 10 s
COST_BUDGET_INTERACTIVE = 20.0   # a menu click waits for the cost scan at most this long


def _refresh_status(desc, env: Env, store: Store) -> None:  # noqa: ANN001
    """Best effort: a status problem never breaks a usage refresh."""
    if not desc.status_api or env.flag("CODEXBAR_NO_STATUS"):
        return
    try:
        from codexbar.access.http import Http
        from codexbar.status.poll import refresh_status

        http = Http(env)
        try:
            refresh_status(env, store, http, desc)
        finally:
            http.close()
    except Exception:  # noqa: BLE001
        pass


def _refresh_cost(desc, env: Env, budget: Optional[float] = None) -> None:  # noqa: ANN001
    """Best effort: a cost scan problem is shown by `codexbar cost`, never by the usage menu."""
    if not desc.cost_scan or env.flag("CODEXBAR_NO_COST"):
        return
    try:
        from codexbar.cost.summary import refresh_summary

        refresh_summary(env, desc.id, budget_seconds=budget)
    except Exception:  # noqa: BLE001
        pass


def refresh_many(provider_ids: Sequence[str], env: Env, *, held: Optional[Dict[str, int]] = None,
                 **kwargs: object) -> Dict[str, Optional[dict]]:
    """Refresh several providers concurrently: total time = the slowest one; each provider keeps
    its own deadline. ``held``: provider → lock descriptor handed over by the spawning plugin,
    closed (= released) as soon as that provider is stored."""
    import threading

    from codexbar.cache import Store

    store = Store(env.cache_dir)
    results: Dict[str, Optional[dict]] = {}
    held = held or {}

    def work(pid: str) -> None:
        try:
            results[pid] = refresh_one(pid, env, store, held=pid in held, **kwargs)  # type: ignore[arg-type]
        finally:
            if pid in held:
                try:
                    os.close(held[pid])
                except OSError:
                    pass

    threads = [threading.Thread(target=work, args=(pid,), daemon=True) for pid in provider_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    return results


# -- asking SwiftBar / xbar to re-run the plugin -------------------------------------------------


def rerun_url(env: Env, plugin_path: str) -> Optional[str]:
    from urllib.parse import quote

    name = os.path.basename(plugin_path)
    if env.plugin_host == "swiftbar":
        return "swiftbar://refreshplugin?name=" + quote(name)
    if env.plugin_host == "xbar":
        return "xbar://app.xbarapp.com/refreshPlugin?path=" + quote(name)
    return None


def request_rerun(env: Env, plugin_path: Optional[str]) -> bool:
    """``open -g <url>`` so fresh data appears without waiting for the next interval."""
    from codexbar.access.commands import find_executable, run
    from codexbar.errors import FetchError

    if not plugin_path:
        return False
    url = rerun_url(env, plugin_path)
    opener = find_executable("open", env)
    if url is None or opener is None:
        return False
    try:
        run([str(opener), "-g", url], env, timeout=10)
    except FetchError:
        return False
    return True


# -- detached background refresh (spawned by the plugin hot path) -------------------------------


def spawn_background(provider_ids: Sequence[str], env: Env, plugin_path: Optional[str],
                     locks: Optional[Dict[str, FileLock]] = None) -> Optional[int]:
    """Start ``python -m codexbar refresh …`` detached (own session, stdio on /dev/null); return
    its pid. Locks already held by the caller are handed to the child (inherited descriptors),
    so exactly one refresh runs per provider. posix_spawn, not subprocess: this is the plugin's
    due path, and subprocess's imports cost more than the spawn."""
    argv: List[str] = [sys.executable, "-m", "codexbar", "refresh", *provider_ids, "--background"]
    if plugin_path:
        argv += ["--notify", plugin_path]
    child_env = dict(env.environ)
    fds = {pid: lock.fileno() for pid, lock in (locks or {}).items() if lock.fileno() is not None}
    if fds:
        child_env[HELD_LOCKS_VAR] = ",".join("%s=%d" % item for item in fds.items())
    for fd in fds.values():
        os.set_inheritable(fd, True)
    devnull = [(os.POSIX_SPAWN_OPEN, n, os.devnull, os.O_RDWR, 0) for n in (0, 1, 2)]
    try:
        try:
            return os.posix_spawn(sys.executable, argv, child_env, file_actions=devnull, setsid=True)
        except NotImplementedError:   # a platform without POSIX_SPAWN_SETSID
            return os.posix_spawn(sys.executable, argv, child_env, file_actions=devnull)
    except OSError:
        return None
    finally:
        for lock in (locks or {}).values():
            lock.forget()   # our copy closes; the child's copy keeps the lock


def still_running(pid: int) -> bool:
    """True while the spawned child has not exited (reaps it when it has)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == 0


HELD_LOCKS_VAR = "CODEXBAR_HELD_LOCKS"


def inherited_locks(env: Env) -> Dict[str, int]:
    """Provider id → lock descriptor handed over by the plugin that spawned us."""
    out: Dict[str, int] = {}
    for part in (env.get(HELD_LOCKS_VAR) or "").split(","):
        pid, _, fd = part.partition("=")
        if pid and fd.isdigit():
            out[pid] = int(fd)
    return out
