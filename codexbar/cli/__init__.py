"""`codexbar` command line: usage, cost, config, cache, login, refresh.

Errors become one line (and an exit code per cli-and-config.md §2); a traceback is printed only
with CODEXBAR_DEBUG=1.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import List, Optional

from codexbar import __version__

COMMANDS = ("usage", "cost", "config", "cache", "login", "refresh")
_MODULES = {"usage": "usage", "cost": "cost", "config": "config_cmd", "cache": "cache_cmd",
            "login": "login", "refresh": "refresh_cmd"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codexbar", description="Every AI-coding limit, from the terminal.")
    parser.add_argument("-V", "--version", action="version", version="codexbar " + __version__)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module("codexbar.cli." + _MODULES[name])
        except ImportError:
            continue
        module.register(subparsers)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # No command, or a flag first → `usage` (CodexBar: `codexbar --json` = `codexbar usage --json`)
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help", "-V", "--version")):
        args_list.insert(0, "usage")
    elif args_list[0] not in COMMANDS and not args_list[0].startswith("-"):
        print("Error: Unknown command '%s'. Commands: %s." % (args_list[0], ", ".join(COMMANDS)), file=sys.stderr)
        return 1
    _utf8_stdout()
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse: --help (0) or bad arguments (2 → CodexBar's 1)
        return 0 if exc.code in (0, None) else 1
    from codexbar.env import Env

    env = Env.from_process()
    try:
        code = int(args.func(args, env))
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # `codexbar cost --json | head`: the reader left; not an error worth a traceback
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - no tracebacks for users
        from codexbar.cli.common import cli_error
        from codexbar.secret import redact

        if env.debug:
            import traceback

            traceback.print_exc()
        message = getattr(exc, "message", None) or "%s: %s" % (type(exc).__name__, exc)
        kind = "config" if getattr(exc, "kind", "") == "config" else "runtime"
        return cli_error(args, redact(str(message)), kind=kind)


def _utf8_stdout() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
