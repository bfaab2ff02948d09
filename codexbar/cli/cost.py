"""`codexbar cost`: local token cost from Claude Code and Codex logs (cli-and-config.md §1.3).

Text per presentation.md §2 "Cost text", JSON per cost-usage.md §8. The first scan of a large
history reports progress on stderr when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, Dict, List, Tuple

from codexbar.env import Env

SUPPORTED = ("codex", "claude")
DISPLAY = {"codex": "Codex", "claude": "Claude"}


def register(subparsers: Any) -> None:
    from codexbar.cli.common import add_common_flags

    parser = subparsers.add_parser("cost", help="token cost at API prices from local Claude/Codex logs")
    parser.add_argument("--provider", action="append", help="codex, claude, both or all")
    parser.add_argument("--days", default="30", help="window in days, 1…365 (default 30)")
    parser.add_argument("--refresh", action="store_true",
                        help="accepted for CodexBar compatibility; every run re-checks the logs")
    parser.add_argument("--provider-native-only", action="store_true",
                        help="only Claude Code/Codex logs (pi/OMP session mirrors are not read anyway)")
    parser.add_argument("--group-by", choices=("project", "session"), type=str.lower,
                        help="Codex text only: cost per project or per conversation")
    add_common_flags(parser)
    parser.set_defaults(func=run)


class _Progress:
    """``Scanning Codex logs… 42%`` on a terminal's stderr, overwritten in place; scans running
    side by side (one callback each) share the line and its percentage."""

    def __init__(self, names: List[str]) -> None:
        import threading

        self.label = " and ".join(names)
        self.shown = False
        self.last = -1
        self.parts: Dict[str, Tuple[int, int]] = {}
        self.lock = threading.Lock()

    def callback(self, part: str) -> Callable[[int, int], None]:
        def report(done: int, total: int) -> None:
            with self.lock:
                self.parts[part] = (done, total)
                done_all = sum(d for d, _ in self.parts.values())
                total_all = sum(t for _, t in self.parts.values())
                percent = int(done_all * 100 / total_all) if total_all else 100
                if percent > self.last:  # a scan joining late never moves the bar back
                    self.last = percent
                    sys.stderr.write("\rScanning %s logs… %d%%" % (self.label, percent))
                    sys.stderr.flush()
                    self.shown = True
        return report

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False


def _stderr_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def run(args: argparse.Namespace, env: Env) -> int:
    from codexbar.cli.common import cli_error, output_format, print_json, use_color
    from codexbar.cost import service
    from codexbar.cost.timeutil import clamp_days

    fmt = output_format(args)
    try:
        ids = _select(args, env)
    except Exception as exc:  # noqa: BLE001 - unknown ids / config errors → one line
        return cli_error(args, getattr(exc, "message", str(exc)), kind=getattr(exc, "kind", "args") or "args")
    skipped = [i for i in ids if i not in SUPPORTED]
    ids = [i for i in ids if i in SUPPORTED]
    if skipped:
        sys.stderr.write("Skipping providers without local cost usage: %s\n" % ", ".join(skipped))
    if not ids:
        return cli_error(args, "cost is only supported for Claude, Codex.")
    group_by = getattr(args, "group_by", None)
    if group_by and fmt == "text":
        others = [DISPLAY[i] for i in ids if i != "codex"]
        if others:
            label = "project" if group_by == "project" else "session"
            sys.stderr.write("Skipping %s grouping for providers without Codex %s data: %s\n"
                             % (label, label, ", ".join(others)))
            ids = [i for i in ids if i == "codex"]
            if not ids:
                return 1
    days = clamp_days(args.days)
    color = use_color(args, env)
    elements: List[Dict[str, Any]] = []
    sections: List[str] = []
    code = 0
    progress = _Progress([DISPLAY[i] for i in ids]) if _stderr_tty() else None
    families = {pid: service.FAMILY[pid] for pid in ids}
    scans = service.scan_families(env, list(dict.fromkeys(families.values())),
                                  progress={f: progress.callback(f) for f in families.values()} if progress else None)
    if progress:
        progress.close()
    compact = fmt == "json" and not getattr(args, "pretty", False) and _compact_joins()
    parts: List[str] = []  # compact JSON elements, memoised by the scan database
    try:
        for pid in ids:
            result = scans[families[pid]]
            try:
                if isinstance(result, BaseException):
                    raise result
                if compact:
                    parts.append(service.report_json(env, pid, result, days))
                    continue
                report = service.build_report(env, pid, result, days, with_projects=(pid == "codex"),
                                              with_sessions=(pid == "codex" and group_by == "session"))
            except Exception as exc:  # noqa: BLE001 - a provider failure is an element, not a crash
                from codexbar.render.json_out import iso_z
                from codexbar.secret import redact

                message = redact("Could not scan local %s logs: %s" % (DISPLAY[pid], getattr(exc, "message", None) or exc))
                code = 1
                failure = {"provider": pid, "source": "local", "updatedAt": iso_z(env.now()),
                           "daily": [], "projects": [],
                           "error": {"code": 1, "message": message, "kind": "provider"}}
                elements.append(failure)
                if compact:
                    from codexbar.render.json_out import dumps

                    parts.append(dumps([failure])[1:-1])
                if fmt != "json":
                    sys.stderr.write("Error: %s\n" % message)
                continue
            from codexbar.cost.report import public
            from codexbar.render.cost import text_block

            elements.append(public(report))
            sections.append(text_block(report, color, group_by=group_by))
    finally:
        for result in scans.values():
            if not isinstance(result, BaseException):
                result.close()
    if compact:
        print("[" + ",".join(parts) + "]")
    elif fmt == "json":
        print_json(elements, args)
    elif sections:
        print("\n\n".join(sections))
    return code


def _compact_joins() -> bool:
    """Is compact JSON of a list its elements' JSON joined by commas (so memoised element texts
    can be printed as they are)?"""
    from codexbar.render.json_out import dumps

    return dumps([0, {"a": [1]}]) == "[0," + dumps([{"a": [1]}])[1:-1] + "]" and dumps([]) == "[]"


def _select(args: argparse.Namespace, env: Env) -> List[str]:
    from codexbar.cli.usage import select_providers

    return select_providers(args.provider, env)


if __name__ == "__main__":  # `python -m codexbar.cli.cost …` before the top-level CLI wires it
    _parser = argparse.ArgumentParser(prog="codexbar")
    register(_parser.add_subparsers(dest="command"))
    _args = _parser.parse_args(["cost"] + sys.argv[1:])
    sys.exit(run(_args, Env.from_process()))
