"""Flags and output helpers shared by every command (format precedence, JSON errors)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, List, Optional

FORMATS = ("text", "json")


class _FormatAction(argparse.Action):
    """The LAST valid --format wins; an invalid value is silently ignored (CodexBar)."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Optional[str] = None) -> None:
        if values in FORMATS:
            namespace.format = values


def add_common_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", action=_FormatAction, default=None, metavar="text|json")
    parser.add_argument("--json", action="store_true", help="same as --format json")
    parser.add_argument("--json-only", action="store_true", help="JSON, errors as JSON payloads")
    parser.add_argument("--pretty", action="store_true", help="indent JSON, keys sorted")
    parser.add_argument("--no-color", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--log-level", default="error")
    parser.add_argument("--json-output", action="store_true", help="JSONL logs on stderr")


def output_format(args: argparse.Namespace) -> str:
    if getattr(args, "format", None):
        return str(args.format)
    if getattr(args, "json", False) or getattr(args, "json_only", False):
        return "json"
    return "text"


def cli_error(args: argparse.Namespace, message: str, kind: str = "args", code: int = 1) -> int:
    """A CLI-level failure: JSON array with a "cli" element, or ``Error: …`` on stderr."""
    from codexbar.render.json_out import dumps

    if output_format(args) == "json":
        print(dumps([{"provider": "cli", "source": "cli",
                      "error": {"code": code, "message": message, "kind": kind}}],
                    pretty=getattr(args, "pretty", False)))
    else:
        print("Error: " + message, file=sys.stderr)
    return code


def print_json(value: Any, args: argparse.Namespace) -> None:
    from codexbar.render.json_out import dumps

    print(dumps(value, pretty=getattr(args, "pretty", False)))


def use_color(args: argparse.Namespace, env: Any, stream: Any = None) -> bool:
    """Colour only on a TTY, without --no-color, NO_COLOR or TERM=dumb, in text format."""
    stream = stream or sys.stdout
    if getattr(args, "no_color", False) or output_format(args) != "text":
        return False
    if env.get("NO_COLOR") is not None or (env.get("TERM") or "") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def split_ids(values: Optional[List[str]]) -> List[str]:
    out: List[str] = []
    for value in values or []:
        out.extend(v for v in value.split(",") if v.strip())
    return out
