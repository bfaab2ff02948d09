#!/usr/bin/env bash
# codexbar installer.
#   ./install.sh                 install into a venv and put the plugins where SwiftBar/xbar look
#   ./install.sh --test          create .venv in this checkout with dev dependencies and run the tests
# Options: --prefix DIR (venv, default ~/.local/share/codexbar/venv), --plugin-dir DIR,
#          --providers zai,claude (default: every provider whose credentials are detected),
#          --uninstall (remove exactly what was installed), --python PATH.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="${HOME}/.local/share/codexbar/venv"
plugin_dir=""
providers=""
mode="install"
python_override=""

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#*=}"; shift ;;
    --plugin-dir) plugin_dir="$2"; shift 2 ;;
    --plugin-dir=*) plugin_dir="${1#*=}"; shift ;;
    --providers) providers="$2"; shift 2 ;;
    --providers=*) providers="${1#*=}"; shift ;;
    --python) python_override="$2"; shift 2 ;;
    --uninstall) mode="uninstall"; shift ;;
    --test) mode="test"; shift ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

# The newest python3 >= 3.9 among Homebrew, python.org, pyenv and PATH.
find_python() {
  if [ -n "$python_override" ]; then echo "$python_override"; return; fi
  local best="" best_version="0"
  local candidates=()
  for c in /opt/homebrew/bin/python3* /usr/local/bin/python3* \
           /Library/Frameworks/Python.framework/Versions/*/bin/python3 \
           "${HOME}"/.pyenv/versions/*/bin/python3 $(command -v -a python3 2>/dev/null) /usr/bin/python3; do
    case "$c" in *-config|*t) continue ;; esac
    [ -x "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    v=$("$c" -c 'import sys; print("%d.%03d" % sys.version_info[:2]) if sys.version_info >= (3, 9) else None' 2>/dev/null || true)
    [ -n "$v" ] && [ "$v" != "None" ] || continue
    if awk "BEGIN{exit !($v > $best_version)}"; then best="$c"; best_version="$v"; fi
  done
  [ -n "$best" ] || { echo "install.sh: no python3 >= 3.9 found (install one with Homebrew or python.org)" >&2; exit 1; }
  echo "$best"
}

if [ "$mode" = "test" ]; then
  py="$(find_python)"
  echo "Using $("$py" --version 2>&1) at $py"
  cd "$here"
  [ -x .venv/bin/python ] || "$py" -m venv .venv
  .venv/bin/python -m pip install --disable-pip-version-check -q --upgrade pip >/dev/null 2>&1 || true
  # compat mode = a plain path entry: no import-hook finder on every interpreter start
  .venv/bin/python -m pip install --disable-pip-version-check -q -e ".[dev]" --config-settings editable_mode=compat
  exec .venv/bin/python -m pytest -n 2 -q "${PYTEST_ARGS:-tests}"
fi

manifest="$(dirname "$prefix")/install-manifest.json"
link_dir="${HOME}/.local/bin"

if [ "$mode" = "uninstall" ]; then
  if [ -x "$prefix/bin/python" ]; then
    "$prefix/bin/python" -m codexbar.install uninstall --manifest "$manifest"
  fi
  rm -rf "$prefix"
  rm -f "$manifest"
  echo "Removed the virtual environment at $prefix."
  exit 0
fi

py="$(find_python)"
echo "Using $("$py" --version 2>&1) at $py"
if [ ! -x "$prefix/bin/python" ]; then
  mkdir -p "$(dirname "$prefix")"
  "$py" -m venv "$prefix"
fi
"$prefix/bin/python" -m pip install --disable-pip-version-check -q --upgrade "$here"
echo "Installed codexbar into $prefix"

mkdir -p "$link_dir"
ln -sf "$prefix/bin/codexbar" "$link_dir/codexbar"
"$prefix/bin/python" -m codexbar.install record-link --manifest "$manifest" --link "$link_dir/codexbar"
echo "Linked $link_dir/codexbar"

args=(install --manifest "$manifest")
[ -n "$plugin_dir" ] && args+=(--plugin-dir "$plugin_dir")
[ -n "$providers" ] && args+=(--providers "$providers")
"$prefix/bin/python" -m codexbar.install "${args[@]}"
