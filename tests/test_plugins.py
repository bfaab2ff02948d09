"""Plugin scripts run as real subprocesses, as SwiftBar/xbar run them: output, speed path,
background refresh, failure gate. All against the z.ai fixtures on a loopback server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import zai
from support.run import PYTHON, ROOT, lint, plugin_heavy_imports, run_plugin, wait_for
from support.run import lock_free as support_lock_free

KEY = "zai-test-key-0000000000"
GREEN = "color=#2E7D32,#81C784"
MUTED = "color=#6E6E73,#98989D"


@pytest.fixture
def connected(monkeypatch, overrides):
    monkeypatch.setenv("Z_AI_API_KEY", KEY)
    overrides(*zai.ORIGINS)


def quota_hits(httpserver) -> int:
    return len([r for r, _ in httpserver.log if r.path == zai.QUOTA])


def lock_free(home: Path, provider: str = "zai") -> bool:
    return support_lock_free(home, provider)


def test_not_connected_menu_tells_how_to_connect():
    result = run_plugin("zai.5m.py")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "z.ai ⚠ | sfimage=z.square"
    assert lines[1] == "---"
    assert lines[2] == "z.ai / GLM | size=12"
    assert lines[3] == "⚠ Not connected: no API key (Z_AI_API_KEY or config apiKey). | color=#C62828,#FF6B6B"
    assert lines[4].startswith("Set Z_AI_API_KEY, or apiKey for zai in ~/.config/codexbar/config.json")
    assert lines[-2] == ("Refresh | bash=%s param1=-m param2=codexbar param3=refresh param4=zai "
                         "param5=--interactive terminal=false refresh=true" % PYTHON)
    assert lines[-1] == "Open usage dashboard | href=https://z.ai/manage-apikey/subscription"
    checked = lint(result.stdout)
    assert checked.returncode == 0, checked.stdout


def test_xbar_gets_the_strict_subset(monkeypatch):
    monkeypatch.setenv("XBARDarkMode", "true")
    result = run_plugin("zai.5m.py", env={"SWIFTBAR": ""})
    assert result.returncode == 0
    assert "sfimage" not in result.stdout and "#" not in result.stdout.split("\n")[3]
    assert result.stdout.splitlines()[3] == "⚠ Not connected: no API key (Z_AI_API_KEY or config apiKey). | color=red"
    checked = lint(result.stdout, strict_xbar=True)
    assert checked.returncode == 0, checked.stdout


def test_plugin_file_metadata_passes_lint():
    from support.run import LINT

    for plugin in sorted(p for p in (ROOT / "plugins").glob("*.py") if not p.name.startswith(".")):
        checked = subprocess.run([sys.executable, str(LINT), "--plugin", str(plugin)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout


def test_first_run_fetches_and_shows_numbers(connected, httpserver, macos_calls):
    zai.serve(httpserver)
    result = run_plugin("zai.5m.py")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:10] == [
        "z.ai 75%% | %s sfimage=z.square" % GREEN,
        "---",
        "z.ai / GLM · api | size=12",
        "5-hour: 75%% left | %s" % GREEN,
        "█████████░░░  Resets in 3h 15m | font=Menlo size=11",
        "Pace: 10%% in reserve · Lasts until reset | size=11 %s" % MUTED,
        "Weekly: 91%% left | %s" % GREEN,
        "██████████░░  Resets in 6d 4h | font=Menlo size=11",
        "Pace: 3%% in reserve · Lasts until reset | size=11 %s" % MUTED,
        "MCP: 78%% left | %s" % GREEN,
    ]
    assert "Quota details" in lines
    assert "--Token quota: 9% used | size=12" in lines
    assert "--MCP quota: 22.4% used · 1000 limit · 776 remaining | size=12" in lines
    assert "Plan: Pro | size=12" in lines
    assert "Updated just now | size=11 %s" % MUTED in lines
    assert KEY not in result.stdout
    assert lint(result.stdout).returncode == 0
    # the background refresh asks SwiftBar to re-run the plugin once it has stored the data
    assert wait_for(lambda: any("swiftbar://refreshplugin?name=zai.5m.py" in c for c in macos_calls()))
    assert "open -g swiftbar://refreshplugin?name=zai.5m.py" in macos_calls()


def test_fresh_cache_renders_without_fetching_or_heavy_imports(connected, httpserver, home):
    zai.serve(httpserver)
    run_plugin("zai.5m.py")
    assert wait_for(lambda: lock_free(home))
    hits = quota_hits(httpserver)
    stdout, heavy = plugin_heavy_imports("zai.5m.py")
    assert heavy == []
    assert stdout.splitlines()[0] == "z.ai 75%% | %s sfimage=z.square" % GREEN
    assert quota_hits(httpserver) == hits


def test_due_snapshot_prints_cached_data_then_refreshes_in_background(connected, httpserver, home, macos_calls):
    zai.serve(httpserver)
    run_plugin("zai.5m.py")
    # the first refresh releases its lock, then asks for the re-run: wait for both
    assert wait_for(lambda: lock_free(home) and len(macos_calls()) == 1)
    before = quota_hits(httpserver)
    calls_before = len(macos_calls())
    result = run_plugin("zai.5m.py", env={"CODEXBAR_TTL_SECONDS": "0"})
    lines = result.stdout.splitlines()
    assert lines[0] == "z.ai 75%% | %s sfimage=z.square" % GREEN
    assert "Refreshing… | size=11 %s" % MUTED in lines
    assert wait_for(lambda: quota_hits(httpserver) == before + 1 and lock_free(home))
    assert wait_for(lambda: len(macos_calls()) == calls_before + 1)


def test_ten_overlapping_runs_fetch_once(connected, httpserver, home):
    zai.serve(httpserver)
    run_plugin("zai.5m.py")
    assert wait_for(lambda: lock_free(home))
    httpserver.clear()
    # a slow provider: every overlapping run sees the refresh in progress
    httpserver.expect_request(zai.QUOTA).respond_with_handler(
        lambda request: (time.sleep(1.5), __import__("werkzeug").Response(zai.body("quota-normal.json"),
                                                                         content_type="application/json"))[1])
    httpserver.expect_request(zai.MODEL_USAGE).respond_with_data(zai.body("model-usage-empty.json"),
                                                                 content_type="application/json")
    env = dict(os.environ, SWIFTBAR="1", CODEXBAR_TTL_SECONDS="0")
    procs = [subprocess.Popen([PYTHON, str(ROOT / "plugins" / "zai.5m.py")], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env, cwd="/") for _ in range(10)]
    outputs = [p.communicate(timeout=30)[0].decode() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert all(o.splitlines()[0].startswith("z.ai 75%") for o in outputs)
    assert wait_for(lambda: lock_free(home) and quota_hits(httpserver) >= 1)
    time.sleep(0.3)
    assert quota_hits(httpserver) == 1


def test_failure_gate_keeps_last_good_data(connected, httpserver, home):
    zai.serve(httpserver)
    run_plugin("zai.5m.py")
    assert wait_for(lambda: lock_free(home))
    httpserver.clear()
    httpserver.expect_request(zai.QUOTA).respond_with_data("nope", status=401)
    refresh = [PYTHON, "-m", "codexbar", "refresh", "zai"]
    first = subprocess.run(refresh, capture_output=True, text=True)
    assert first.stdout.strip() == "zai: error: z.ai rejected the credentials (HTTP 401)."
    lines = run_plugin("zai.5m.py").stdout.splitlines()
    # one failure after a success is not surfaced: same title, a quiet note
    assert lines[0] == "z.ai 75%% | %s sfimage=z.square" % GREEN
    assert ("Last refresh failed: z.ai rejected the credentials (HTTP 401). (will retry) | size=11 %s" % MUTED) in lines
    subprocess.run(refresh, capture_output=True, text=True)
    lines = run_plugin("zai.5m.py").stdout.splitlines()
    assert lines[0] == "z.ai 75%% ⚠ | %s sfimage=z.square" % MUTED
    assert "⚠ z.ai rejected the credentials (HTTP 401). | color=#C62828,#FF6B6B" in lines
    assert "Check the z.ai API key (Z_AI_API_KEY or apiKey in the config). | size=11 %s" % MUTED in lines
    assert "Showing last good data · updated just now | size=11 %s" % MUTED in lines
    assert "5-hour: 75%% left | %s" % GREEN in lines
    # the CLI reports the error and the stale data
    cli = subprocess.run([PYTHON, "-m", "codexbar", "usage", "--provider", "zai"], capture_output=True, text=True)
    assert cli.returncode == 1
    assert "Error: z.ai rejected the credentials (HTTP 401)." in cli.stdout
    assert "Note: stale — last good data from just now" in cli.stdout
    assert "5-hour: 75% left [=========---]" in cli.stdout


def test_recovery_clears_the_error(connected, httpserver, home):
    httpserver.expect_request(zai.QUOTA).respond_with_data("down", status=500)
    refresh = [PYTHON, "-m", "codexbar", "refresh", "zai"]
    subprocess.run(refresh, capture_output=True, text=True, timeout=60)
    lines = run_plugin("zai.5m.py").stdout.splitlines()
    assert lines[0] == "z.ai ⚠ | sfimage=z.square"   # no prior data: shown at once
    assert "⚠ z.ai is unavailable (HTTP 500). | color=#C62828,#FF6B6B" in lines
    httpserver.clear()
    zai.serve(httpserver)
    subprocess.run(refresh, capture_output=True, text=True, timeout=60)
    lines = run_plugin("zai.5m.py").stdout.splitlines()
    assert lines[0] == "z.ai 75%% | %s sfimage=z.square" % GREEN
    assert not any("⚠" in line or "failed" in line for line in lines)


def test_broken_config_still_renders_and_exits_zero(home):
    path = home / ".config" / "codexbar" / "config.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    result = run_plugin("zai.5m.py")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "Failed to decode CodexBar config: Expecting property name enclosed in double quotes at line 1." in result.stdout
    assert lint(result.stdout).returncode == 0


def test_cache_files_are_private(connected, httpserver, home):
    zai.serve(httpserver)
    run_plugin("zai.5m.py")
    assert wait_for(lambda: lock_free(home))
    cache = home / ".cache" / "codexbar"
    for path in [cache, *cache.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode & 0o077 == 0, "%s is %o" % (path, mode)
        if path.is_file():
            assert KEY not in path.read_bytes().decode("utf-8", "replace")


def test_plugin_run_by_a_python_without_codexbar_uses_the_checkout_venv(home):
    """`./plugins/zai.5m.py` through `/usr/bin/env python3` (no codexbar there) still works."""
    plugin = str(ROOT / "plugins" / "zai.5m.py")
    env = dict(os.environ, SWIFTBAR="1")
    bare = subprocess.run([PYTHON, "-S", plugin], capture_output=True, text=True, env=env, cwd="/")  # -S: no site-packages
    assert bare.returncode == 0, bare.stderr
    assert bare.stdout.splitlines()[0] == "z.ai ⚠ | sfimage=z.square"
    nowhere = subprocess.run([PYTHON, "-S", plugin], capture_output=True, text=True, cwd="/",
                             env=dict(env, CODEXBAR_PLUGIN_REEXEC="1"))
    assert nowhere.returncode == 0
    assert nowhere.stdout.splitlines()[:3] == ["codexbar ⚠", "---", "codexbar is not installed for %s | color=red" % PYTHON]
    assert lint(nowhere.stdout).returncode == 0
