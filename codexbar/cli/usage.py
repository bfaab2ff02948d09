"""`codexbar usage`: fetch providers now (concurrently) and print text or CodexBar's JSON."""

from __future__ import annotations

import argparse
import sys
import threading
from typing import Any, Dict, List, Optional

from codexbar.cli.common import add_common_flags, cli_error, output_format, print_json, use_color
from codexbar.env import Env


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("usage", help="show usage limits (default command)")
    add_common_flags(parser)
    parser.add_argument("--provider", action="append", help="provider id, alias, both or all")
    parser.add_argument("--source", choices=("auto", "web", "cli", "oauth", "api"), default=None)
    parser.add_argument("--web", action="store_true", help="same as --source web")
    parser.add_argument("--status", action="store_true", help="include service status")
    parser.add_argument("--no-credits", action="store_true")
    parser.add_argument("--account", default=None, help="token account label")
    parser.add_argument("--account-index", type=int, default=None)
    parser.add_argument("--web-timeout", type=float, default=None)
    parser.set_defaults(func=run)


def select_providers(values: Optional[List[str]], env: Env) -> List[str]:
    from codexbar import config, registry
    from codexbar.cli.common import split_ids
    from codexbar.errors import ConfigError

    wanted = split_ids(values)
    if not wanted:
        cfg = config.load(env)
        return [pid for pid in (p["id"] for p in cfg.providers)
                if pid in registry.PROVIDER_IDS and cfg.is_enabled(pid, registry.descriptor(pid).default_enabled)]
    out: List[str] = []
    for name in wanted:
        lowered = name.strip().lower()
        if lowered == "all":
            ids = list(registry.PROVIDER_IDS)
        elif lowered == "both":
            ids = ["codex", "claude"]
        else:
            found = registry.resolve(lowered)
            if found is None:
                raise ConfigError("Unknown provider '%s'. Known: %s." % (name, ", ".join(registry.PROVIDER_IDS)),
                                  kind="args")
            ids = [found]
        out.extend(i for i in ids if i not in out)
    return out


def _pick_account(args: argparse.Namespace, env: Env, pid: str) -> Optional[dict]:
    from codexbar import config
    from codexbar.errors import ConfigError

    if args.account is None and args.account_index is None:
        return None
    accounts = config.load(env).token_accounts(pid)
    if args.account_index is not None:
        if not 1 <= args.account_index <= len(accounts):
            raise ConfigError("No token account #%d for %s." % (args.account_index, pid), kind="args")
        return accounts[args.account_index - 1]
    for account in accounts:
        if account.get("label") == args.account:
            return account
    raise ConfigError("No token account labelled '%s' for %s." % (args.account, pid), kind="args")


def run(args: argparse.Namespace, env: Env) -> int:
    from codexbar import registry
    from codexbar.cache import Store, entry_key
    from codexbar.errors import CodexbarError
    from codexbar.fetch import fetch

    try:
        ids = select_providers(args.provider, env)
        if (args.account or args.account_index) and len(ids) != 1:
            return cli_error(args, "--account needs exactly one --provider.")
        accounts = {pid: _pick_account(args, env, pid) for pid in ids}
    except CodexbarError as error:
        return cli_error(args, error.message, kind="args" if error.kind == "args" else "config")
    source = "web" if args.web else args.source
    store = Store(env.cache_dir)
    outcomes: Dict[str, Any] = {}
    statuses: Dict[str, Optional[dict]] = {}

    def work(pid: str) -> None:
        outcomes[pid] = fetch(pid, env, runtime="cli", source_mode=source, interactive=True,
                              deadline_seconds=args.web_timeout, account=accounts[pid], store=store,
                              include_credits=not args.no_credits)
        if args.status:
            statuses[pid] = _status(pid, env)

    threads = [threading.Thread(target=work, args=(pid,), daemon=True) for pid in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    if args.verbose:
        for pid in ids:
            for attempt in outcomes[pid].attempts:
                state = ("error %s: %s" % (attempt.error_kind, attempt.message) if attempt.error_kind
                         else "ok" if attempt.available else "skipped: %s" % attempt.message)
                print("[%s] source %s: %s" % (pid, attempt.source, state), file=sys.stderr)
    exit_code = 0
    elements: List[dict] = []
    texts: List[str] = []
    color = use_color(args, env)
    now = env.now()
    for pid in ids:
        desc = registry.descriptor(pid)
        outcome = outcomes[pid]
        status = statuses.get(pid)
        key = entry_key(pid, (accounts[pid] or {}).get("label"))
        if outcome.ok:
            payload = dict(outcome.payload)
            if args.no_credits:
                payload.pop("credits", None)
            try:
                store.record_success(key, outcome.payload, now)   # the menu shows what the CLI saw
            except Exception:  # noqa: BLE001 - a read-only cache never fails the command
                pass
            elements.append(_json_element(payload, desc, now, status))
            texts.append(_text_block(payload, desc, now, color, status))
        else:
            error = outcome.error
            exit_code = error.exit_code
            element: Dict[str, Any] = {"provider": pid, "source": outcome.source}
            if accounts[pid]:
                element["account"] = accounts[pid].get("label")
            if status:
                element["status"] = status
            element["error"] = {"code": error.exit_code, "message": error.message, "kind": "provider"}
            elements.append(element)
            texts.append(_error_text(desc, error, env, store, key, color, status))
            if output_format(args) == "text":
                print("Error: %s: %s" % (desc.name, error.message), file=sys.stderr)
    store.close()
    if output_format(args) == "json":
        print_json(elements, args)
    elif texts:
        print("\n\n".join(texts))
    return exit_code


def _json_element(payload: dict, desc: Any, now: Any, status: Optional[dict]) -> dict:
    from codexbar.render.view import pace_block

    element = dict(payload)
    pace = pace_block(payload, desc, now)
    if pace:
        element["pace"] = pace
    if status:
        element["status"] = status
    return element


def _status_line(status: Optional[dict], color: bool) -> Optional[str]:
    if not status:
        return None
    try:
        from codexbar.render.status import text_line
    except ImportError:
        return None
    return text_line(status, color)


def _text_block(payload: dict, desc: Any, now: Any, color: bool, status: Optional[dict]) -> str:
    from codexbar.render.text import provider_block

    return provider_block(payload, desc, now, color=color, status_line=_status_line(status, color))


def _error_text(desc: Any, error: Any, env: Env, store: Any, key: str, color: bool, status: Optional[dict]) -> str:
    """The error, and the last good data (marked stale) when the cache has some."""
    from codexbar.env import parse_instant
    from codexbar.render import formatting as fmt
    from codexbar.render.text import error_block, provider_block

    text = error_block(desc, error.message, error.hint, color=color, status_line=_status_line(status, color))
    try:
        entry = store.entry(key)
    except Exception:  # noqa: BLE001
        entry = None
    if entry and entry.get("payload"):
        fetched = parse_instant(str(entry.get("fetchedAt") or ""))
        when = fmt.updated_text(fetched, env.now()).replace("Updated", "from") if fetched else "earlier"
        stale = provider_block(entry["payload"], desc, env.now(), color=color,
                               note="stale — last good data %s" % when)
        text += "\n" + "\n".join(stale.splitlines()[1:])
    return text


def _status(pid: str, env: Env) -> Optional[dict]:
    from codexbar import registry

    desc = registry.descriptor(pid)
    if not desc.status_api:
        return None
    try:
        from codexbar.access.http import Http
        from codexbar.status.cli import fetch_cli_status
    except ImportError:
        return None
    http = Http(env)
    try:
        return fetch_cli_status(http, desc.status_api, desc.status_url or desc.status_api, env.now())
    finally:
        http.close()
