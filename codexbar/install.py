"""Plugin installation, called by install.sh once the venv exists.

Writes each chosen plugin into the SwiftBar/xbar folder with an absolute shebang to the venv's
python and the run bit set, records exactly what it wrote in a manifest, and removes exactly
that on --uninstall. Only plugin files go into the plugin folder (SwiftBar runs every file there).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

from codexbar.env import Env

MERGED = "codexbar"
SOURCE_DIR = Path(__file__).resolve().parent.parent / "plugins"


def swiftbar_dir(env: Env) -> Optional[Path]:
    from codexbar.access.commands import find_executable, run
    from codexbar.errors import FetchError

    tool = find_executable("defaults", env)
    if tool is None:
        return None
    try:
        done = run([str(tool), "read", "com.ameba.SwiftBar", "PluginDirectory"], env, timeout=10)
    except FetchError:
        return None
    value = done.stdout.strip()
    return env.expand(value) if done.returncode == 0 and value else None


def plugin_dir(env: Env, explicit: Optional[str]) -> "tuple[Path, str]":
    """(folder, host): --plugin-dir, SwiftBar's setting, xbar's folder, else a local preview folder."""
    if explicit:
        return Path(explicit).expanduser(), "explicit"
    found = swiftbar_dir(env)
    if found is not None:
        return found, "swiftbar"
    xbar = env.home / "Library" / "Application Support" / "xbar" / "plugins"
    if xbar.is_dir():
        return xbar, "xbar"
    return env.data_dir / "plugins", "none"


def detected(env: Env) -> List[str]:
    """Providers whose credentials are on this machine (cheap checks, no network, no prompts)."""
    from codexbar import config, registry
    from codexbar.access.commands import find_executable

    try:
        cfg = config.load(env)
    except Exception:  # noqa: BLE001 - a broken config detects nothing from it
        cfg = None
    found = []
    for desc in registry.all_descriptors():
        entry = cfg.entry(desc.id) if cfg else {}
        hit = (any(env.get(v) for v in desc.detect_env)
               or any(env.expand(f).exists() for f in desc.detect_files)
               or any(find_executable(b, env) is not None for b in desc.detect_binaries)
               or bool(entry.get("apiKey") or entry.get("cookieHeader") or entry.get("tokenAccounts")))
        if hit:
            found.append(desc.id)
    return found


def _template(provider_id: str) -> Path:
    matches = sorted(SOURCE_DIR.glob(provider_id + ".*.py"))
    if not matches:
        raise SystemExit("No plugin for provider '%s' in %s." % (provider_id, SOURCE_DIR))
    return matches[0]


def render_plugin(template: Path, python: str, providers: Optional[List[str]] = None) -> str:
    lines = template.read_text(encoding="utf-8").splitlines()
    lines[0] = "#!" + python
    text = "\n".join(lines) + "\n"
    if providers is not None:
        text = re.sub(r"^PROVIDERS = .*$", "PROVIDERS = %r" % providers, text, flags=re.M)
    return text


def install(args: argparse.Namespace, env: Env) -> int:
    from codexbar import registry

    folder, host = plugin_dir(env, args.plugin_dir)
    chosen = [p.strip() for p in (args.providers or "").split(",") if p.strip()] or detected(env)
    unknown = [p for p in chosen if registry.resolve(p) is None]
    if unknown:
        print("Unknown provider(s): %s. Known: %s." % (", ".join(unknown), ", ".join(registry.PROVIDER_IDS)),
              file=sys.stderr)
        return 1
    ids = [registry.resolve(p) for p in chosen]
    if not ids:
        ids = ["zai"] if not args.providers else []
        print("No provider credentials detected; installing the z.ai plugin so you can see how it works.")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for pid in ids:
        template = _template(str(pid))
        target = folder / template.name
        target.write_text(render_plugin(template, sys.executable), encoding="utf-8")
        target.chmod(0o755)
        written.append(str(target))
    if len(ids) > 1:
        template = _template(MERGED)
        target = folder / template.name
        target.write_text(render_plugin(template, sys.executable, [str(i) for i in ids]), encoding="utf-8")
        target.chmod(0o755)
        written.append(str(target))
    manifest = Path(args.manifest)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    previous = _read_manifest(manifest)
    for stale in set(previous.get("plugins", [])) - set(written):
        if Path(stale).exists():
            Path(stale).unlink()
    manifest.write_text(json.dumps({"plugins": written, "pluginDir": str(folder), "host": host,
                                    "links": previous.get("links", [])}, indent=2))
    where = {"swiftbar": "SwiftBar", "xbar": "xbar", "explicit": "the plugin folder", "none": "a local folder"}[host]
    print("Installed %d plugin(s) into %s (%s):" % (len(written), where, folder))
    for path in written:
        print("  " + path)
    if host == "none":
        print("\nNeither SwiftBar nor xbar was found, so here is what each plugin shows now:\n")
        for path in written:
            print("── %s ──" % Path(path).name)
            done = subprocess.run([path], capture_output=True, text=True, timeout=120, cwd="/")
            print(done.stdout.rstrip() + "\n")
    return 0


def _read_manifest(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def uninstall(args: argparse.Namespace, env: Env) -> int:
    manifest = Path(args.manifest)
    data = _read_manifest(manifest)
    removed = 0
    for path in data.get("plugins", []) + data.get("links", []):
        target = Path(path)
        if target.is_symlink() or target.exists():
            target.unlink()
            removed += 1
            print("removed " + path)
    print("Removed %d file(s)." % removed)
    return 0


def record_link(args: argparse.Namespace, env: Env) -> int:
    manifest = Path(args.manifest)
    data = _read_manifest(manifest)
    links = data.setdefault("links", [])
    if args.link not in links:
        links.append(args.link)
    manifest.write_text(json.dumps(data, indent=2))
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codexbar.install")
    parser.add_argument("action", choices=("install", "uninstall", "record-link", "detect"))
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--plugin-dir", default=None)
    parser.add_argument("--providers", default=None)
    parser.add_argument("--link", default=None)
    args = parser.parse_args(argv)
    env = Env.from_process()
    if args.action == "detect":
        print(",".join(detected(env)))
        return 0
    return {"install": install, "uninstall": uninstall, "record-link": record_link}[args.action](args, env)


if __name__ == "__main__":
    sys.exit(main())
