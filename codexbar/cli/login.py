"""`codexbar login claude`: the explicit "Import Claude credentials" action.

Claude Code keeps its OAuth login in the macOS Keychain item ``Claude Code-credentials`` and
recreates that item on every token refresh, which drops any "Always Allow" grant — so reading it
from a scheduled refresh would raise a Keychain prompt every few hours. Instead the user runs this
once (or clicks "Import Claude credentials" in the menu): we read the item through the
``security`` tool, then keep the token in our own keyring item, which never prompts. Scheduled
runs use only that copy, Claude's ``.credentials.json`` file, or the `claude` CLI.

``--from-file PATH`` / ``--stdin`` import a credentials JSON that codexbar then owns: its token is
refreshed by codexbar and written back to ``<data_dir>/claude/oauth.json``. Use it only for a
login dedicated to codexbar, never Claude Code's own (a refresh rotates the refresh token).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, Optional

from codexbar.cli.common import add_common_flags, cli_error, output_format, print_json
from codexbar.env import Env

KEYCHAIN_SERVICE = "Claude Code-credentials"
PROVIDERS = ("claude",)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("login", help="import a provider login (claude: Claude Code's Keychain item)")
    add_common_flags(parser)
    parser.add_argument("provider", nargs="?", default="claude", help="provider id (claude)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--from-file", default=None, metavar="PATH",
                        help="import a credentials JSON that codexbar will own and refresh")
    source.add_argument("--stdin", action="store_true", help="read that credentials JSON from standard input")
    parser.add_argument("--forget", action="store_true", help="remove the credentials codexbar stored")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from codexbar import registry
    from codexbar.errors import FetchError

    provider = registry.resolve(args.provider or "claude")
    if provider not in PROVIDERS:
        return cli_error(args, "login is only available for: %s." % ", ".join(PROVIDERS), kind="args")
    try:
        if args.forget:
            result = forget(env)
        elif args.from_file or args.stdin:
            result = import_owned(env, args.from_file, sys.stdin.read() if args.stdin else None)
        else:
            result = import_keychain(env)
    except FetchError as error:
        message = error.message + ((" " + error.hint) if error.hint else "")
        return cli_error(args, message, kind="provider", code=error.exit_code)
    if output_format(args) == "json":
        print_json(result, args)
    else:
        print(result["message"])
    return 0


# -- actions ------------------------------------------------------------------------------------


def _summary(record: Any) -> str:
    from codexbar.providers.claude import parse, plans

    plan = plans.oauth_plan(record.subscription_type, record.rate_limit_tier)
    parts = [p for p in (plan, ("token valid until %s" % parse.reset_words(record.expires_at))
                         if record.expires_at else None) if p]
    return " (%s)" % ", ".join(parts) if parts else ""


def _payload(record: Any, source: str, store: str, message: str) -> Dict[str, Any]:
    from codexbar.providers.claude import plans
    from codexbar.render.json_out import iso_z

    data: Dict[str, Any] = {"provider": "claude", "imported": True, "source": source, "store": store,
                            "message": message}
    plan = plans.oauth_plan(record.subscription_type, record.rate_limit_tier)
    if plan:
        data["loginMethod"] = plan
    if record.expires_at:
        data["expiresAt"] = iso_z(record.expires_at)
    return data


def read_keychain(env: Env) -> str:
    """Claude Code's Keychain item through `security` (may show one macOS prompt: a user action)."""
    from codexbar.access.commands import find_executable, run
    from codexbar.errors import BinaryNotFound, FetchError

    tool = find_executable("security", env)
    if tool is None:
        raise BinaryNotFound("The macOS `security` tool was not found.",
                             hint="Run this on the Mac where Claude Code is signed in.")
    done = run([str(tool), "find-generic-password", "-s", KEYCHAIN_SERVICE, "-w"], env, timeout=120,
               label="security find-generic-password")
    if done.returncode != 0 or not done.stdout.strip():
        raise FetchError("No Claude Code login found in the Keychain (%s)." % KEYCHAIN_SERVICE,
                         kind="missing_credential", hint="Run `claude login` first, then `codexbar login claude`.")
    return done.stdout.strip()


def import_keychain(env: Env) -> Dict[str, Any]:
    from codexbar.access import keyring_store
    from codexbar.errors import FetchError
    from codexbar.providers.claude import parse
    from codexbar.providers.claude.oauth import KEYRING_ACCOUNT
    from codexbar.providers.claude.paths import credentials_path
    from codexbar.render.json_out import iso_z

    if not env.is_macos:
        path = credentials_path(env)
        if not path.exists():
            raise FetchError("No Claude Code login found at %s." % path, kind="missing_credential",
                             hint="Run `claude login` first.")
        return {"provider": "claude", "imported": False, "source": "file", "store": str(path),
                "message": "Claude Code keeps its login in %s; codexbar reads it directly, nothing to import." % path}
    raw = read_keychain(env)
    try:
        data = json.loads(raw)
    except ValueError:
        raise FetchError("Claude OAuth credentials are invalid.", kind="missing_credential",
                         hint="Run `claude login` again, then retry.") from None
    record = parse.oauth_record(data, owner="claude-cli", origin="keychain")
    parse.check_scope(record)
    stored = {"claudeAiOauth": data["claudeAiOauth"], "owner": "claude-cli", "importedAt": iso_z(env.now())}
    if not keyring_store.set(KEYRING_ACCOUNT, json.dumps(stored)):
        raise FetchError("Could not store the Claude token in the keyring.", kind="unavailable",
                         hint="Check that a keyring backend is available (macOS Keychain).")
    message = "Claude: imported the Claude Code login from the Keychain%s." % _summary(record)
    return _payload(record, "keychain", "keyring", message)


def import_owned(env: Env, path: Optional[str], text: Optional[str]) -> Dict[str, Any]:
    from codexbar.access.files import ensure_private_dir, write_json
    from codexbar.errors import FetchError
    from codexbar.providers.claude import parse
    from codexbar.providers.claude.paths import owned_store_path

    if path is not None:
        try:
            text = env.expand(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise FetchError("Cannot read %s (%s)." % (path, exc.strerror), kind="config") from None
    try:
        data = json.loads(text or "")
    except ValueError:
        raise FetchError("Claude OAuth credentials are invalid.", kind="config",
                         hint="Pass a JSON document with a claudeAiOauth object.") from None
    record = parse.oauth_record(data, owner="codexbar", origin="import")
    parse.check_scope(record)
    target = owned_store_path(env)
    ensure_private_dir(target.parent)
    write_json(target, {"claudeAiOauth": data["claudeAiOauth"]}, pretty=True)
    message = "Claude: codexbar now owns these credentials%s; it refreshes them itself." % _summary(record)
    return _payload(record, "file" if path else "stdin", str(target), message)


def forget(env: Env) -> Dict[str, Any]:
    from codexbar.access import keyring_store
    from codexbar.providers.claude.oauth import KEYRING_ACCOUNT
    from codexbar.providers.claude.paths import owned_store_path

    removed = []
    if keyring_store.get(KEYRING_ACCOUNT) and keyring_store.delete(KEYRING_ACCOUNT):
        removed.append("keyring")
    target = owned_store_path(env)
    if target.exists():
        target.unlink()
        removed.append(str(target))
    message = "Claude: removed %s." % " and ".join(removed) if removed else "Claude: nothing stored."
    return {"provider": "claude", "removed": removed, "message": message}
