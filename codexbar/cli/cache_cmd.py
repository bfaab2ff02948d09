"""`codexbar cache clear --cookies|--cost|--all [--provider <id>]` (cli-and-config.md §1.6).

``--cost`` forgets the cost scan cache and retained history (``<cache>/cost``) and the menu
cost summaries; ``--cookies`` deletes our stored web sessions (``<data>/cookies/<id>.json``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from codexbar.env import Env


def register(subparsers: Any) -> None:
    from codexbar.cli.common import add_common_flags

    parser = subparsers.add_parser("cache", help="clear cached cookies or cost scans")
    parser.add_argument("action", nargs="?", default="clear", choices=("clear",))
    parser.add_argument("--cookies", action="store_true", help="clear stored web sessions")
    parser.add_argument("--cost", action="store_true", help="clear cost scans and retained history")
    parser.add_argument("--all", action="store_true", help="clear both")
    parser.add_argument("--provider", help="scope --cookies to one provider")
    add_common_flags(parser)
    parser.set_defaults(func=run)


def clear_cookies(env: Env, provider: Optional[str]) -> Tuple[int, Optional[str]]:
    folder = env.data_dir / "cookies"
    targets: List[Path]
    if provider:
        targets = [folder / ("%s.json" % provider)]
    else:
        targets = sorted(p for p in folder.glob("*") if p.is_file()) if folder.is_dir() else []
    cleared, failed = 0, 0
    for path in targets:
        try:
            path.unlink()
            cleared += 1
        except FileNotFoundError:
            pass
        except OSError:
            failed += 1
    error = None
    if failed:
        error = "Cookie cache cleanup failed for %d operation%s" % (failed, "" if failed == 1 else "s")
    return cleared, error


def clear_cost(env: Env) -> Tuple[int, Optional[str]]:
    from codexbar.cost import db
    from codexbar.cost.summary import summary_path

    existed = db.cost_dir(env.cache_dir).exists()
    try:
        db.clear(env.cache_dir)
        for pid in ("claude", "codex", "vertexai"):
            path = summary_path(env.cache_dir, pid)
            if path.exists():
                existed = True
                path.unlink()
    except OSError as exc:
        return 0, exc.strerror or str(exc)
    return (1 if existed else 0), None


def run(args: argparse.Namespace, env: Env) -> int:
    from codexbar.cli.common import cli_error, output_format, print_json

    want_cookies = args.cookies or args.all
    want_cost = args.cost or args.all
    if not want_cookies and not want_cost:
        return cli_error(args, "Specify --cookies, --cost, or --all.")
    if args.provider and want_cost:
        return cli_error(args, "--provider only scopes cookie caches. Use --cookies --provider <name>, or omit --provider.")
    results: List[Dict[str, Any]] = []
    if want_cookies:
        provider = None
        if args.provider:
            from codexbar import registry

            provider = registry.resolve(args.provider)
            if provider is None:
                return cli_error(args, "Unknown provider: %s" % args.provider)
        cleared, error = clear_cookies(env, provider)
        item: Dict[str, Any] = {"cache": "cookies", "cleared": cleared}
        if provider:
            item["provider"] = provider
        if error:
            item["error"] = error
        results.append(item)
    if want_cost:
        cleared, error = clear_cost(env)
        item = {"cache": "cost", "cleared": cleared}
        if error:
            item["error"] = error
        results.append(item)
    if output_format(args) == "json":
        print_json(results, args)
    else:
        for item in results:
            scope = item.get("provider") or "all providers"
            if item.get("error"):
                print("%s: failed to clear (%s) - %s" % (item["cache"], scope, item["error"]))
            elif item["cleared"]:
                print("%s: cleared (%s)" % (item["cache"], scope))
            else:
                print("%s: nothing to clear (%s)" % (item["cache"], scope))
    return 1 if any(item.get("error") for item in results) else 0
