"""`codexbar config validate|dump|providers|enable|disable|set-api-key` (cli-and-config.md §1.5)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Dict, List

from codexbar.cli.common import add_common_flags, cli_error, output_format, print_json
from codexbar.env import Env, clean_value


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("config", help="validate, show or change the config file")
    add_common_flags(parser)
    parser.add_argument("action", nargs="?", default="validate",
                        choices=("validate", "dump", "providers", "enable", "disable", "set-api-key"))
    parser.add_argument("--provider", default=None)
    parser.add_argument("--show-secrets", action="store_true")
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--stdin", action="store_true", help="read the API key from standard input")
    parser.add_argument("--no-enable", action="store_true")
    parser.add_argument("--label", default=None)
    parser.add_argument("--usage-scope", choices=("personal", "team"), default=None)
    parser.add_argument("--organization-id", default=None)
    parser.add_argument("--workspace-id", default=None)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from codexbar import config
    from codexbar.errors import CodexbarError

    try:
        cfg = config.load(env)
    except CodexbarError as error:
        return cli_error(args, error.message, kind="config")
    handler = {"validate": _validate, "dump": _dump, "providers": _providers, "enable": _toggle,
               "disable": _toggle, "set-api-key": _set_api_key}[args.action]
    return handler(args, env, cfg)


def _validate(args: argparse.Namespace, env: Env, cfg: Any) -> int:
    from codexbar import config

    issues = config.validate(cfg)
    if output_format(args) == "json":
        print_json(issues, args)
    elif not issues:
        print("Config: OK")
    else:
        for issue in issues:
            where = issue.get("provider") or "config"
            if issue.get("field"):
                where += " (%s)" % issue["field"]
            print("[%s] %s: %s" % (issue["severity"].upper(), where, issue["message"]))
    return 1 if any(i["severity"] == "error" for i in issues) else 0


def _dump(args: argparse.Namespace, env: Env, cfg: Any) -> int:
    from codexbar import config

    data = cfg.data if args.show_secrets else config.redacted(cfg.data)
    print_json(data, args)
    return 0


def _providers(args: argparse.Namespace, env: Env, cfg: Any) -> int:
    from codexbar import registry

    rows: List[Dict[str, Any]] = []
    for item in cfg.providers:
        if item["id"] not in registry.PROVIDER_IDS:
            continue
        desc = registry.descriptor(item["id"])
        rows.append({"provider": desc.id, "displayName": desc.name,
                     "enabled": cfg.is_enabled(desc.id, desc.default_enabled), "defaultEnabled": desc.default_enabled})
    if output_format(args) == "json":
        print_json(rows, args)
    else:
        for row in rows:
            print("%s: %s%s (%s)" % (row["provider"], "enabled" if row["enabled"] else "disabled",
                                     " default" if row["defaultEnabled"] else "", row["displayName"]))
    return 0


def _entry(cfg: Any, pid: str) -> Dict[str, Any]:
    for item in cfg.providers:
        if item.get("id") == pid:
            return item  # type: ignore[no-any-return]
    item = {"id": pid}
    cfg.providers.append(item)
    return item


def _resolve(args: argparse.Namespace) -> Any:
    from codexbar import registry

    if not args.provider:
        return None
    pid = registry.resolve(args.provider)
    return registry.descriptor(pid) if pid else None


def _toggle(args: argparse.Namespace, env: Env, cfg: Any) -> int:
    from codexbar import config

    desc = _resolve(args)
    if desc is None:
        return cli_error(args, "Specify a known provider with --provider.")
    enabled = args.action == "enable"
    _entry(cfg, desc.id)["enabled"] = enabled
    config.save(cfg)
    if output_format(args) == "json":
        print_json({"provider": desc.id, "displayName": desc.name, "enabled": enabled,
                    "configPath": str(cfg.path)}, args)
    else:
        print("Config: %s %s" % ("enabled" if enabled else "disabled", desc.name))
    return 0


def _set_api_key(args: argparse.Namespace, env: Env, cfg: Any) -> int:
    from codexbar import config

    desc = _resolve(args)
    if desc is None:
        return cli_error(args, "Specify a known provider with --provider.")
    if desc.id == "codex":
        return cli_error(args, "Codex reads ~/.codex/auth.json; API keys belong to the `openai` provider.")
    if "api" not in desc.source_modes:
        return cli_error(args, "%s does not use API keys." % desc.name)
    raw = sys.stdin.read() if args.stdin else args.api_key
    key = clean_value(raw)
    if not key:
        return cli_error(args, "The API key is empty.")
    entry = _entry(cfg, desc.id)
    if args.usage_scope or args.label or args.organization_id or args.workspace_id:
        import time
        import uuid

        block = entry.setdefault("tokenAccounts", {"version": 1, "activeIndex": 0, "accounts": []})
        account = {"id": str(uuid.uuid4()), "label": args.label or desc.name, "token": key,
                   "addedAt": int(time.time()), "usageScope": args.usage_scope or "personal"}
        if args.organization_id:
            account["organizationId"] = args.organization_id
        if args.workspace_id:
            account["workspaceID"] = args.workspace_id
        block.setdefault("accounts", []).append(account)
        block["activeIndex"] = len(block["accounts"]) - 1
    else:
        entry["apiKey"] = key
    if not args.no_enable:
        entry["enabled"] = True
    config.save(cfg)
    if output_format(args) == "json":
        print_json({"provider": desc.id, "enabled": bool(entry.get("enabled")), "configPath": str(cfg.path)}, args)
    else:
        print("Config: stored API key for %s%s" % (desc.name, "" if args.no_enable else " and enabled"))
    return 0
