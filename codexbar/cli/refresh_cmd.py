"""`codexbar refresh ID…`: fetch and store now (the plugin's background job and Refresh item)."""

from __future__ import annotations

import argparse
from typing import Any

from codexbar.env import Env


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("refresh", help="fetch providers into the shared cache")
    parser.add_argument("providers", nargs="*", help="provider ids (default: enabled providers)")
    parser.add_argument("--background", action="store_true", help="spawned by a plugin; quiet")
    parser.add_argument("--interactive", action="store_true", help="a user asked: prompts allowed")
    parser.add_argument("--notify", default=None, help="plugin path to re-run when done")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from codexbar.cli.usage import select_providers
    from codexbar.refresh import inherited_locks, refresh_many, request_rerun

    ids = select_providers(args.providers or None, env)
    results = refresh_many(ids, env, held=inherited_locks(env), runtime="plugin",
                           interactive=args.interactive, wait=not args.background)
    if args.notify:
        request_rerun(env, args.notify)
    if not args.background:
        for pid in ids:
            entry = results.get(pid) or {}
            error = entry.get("error")
            print("%s: %s" % (pid, ("error: " + error["message"]) if error else "updated"))
    return 0
