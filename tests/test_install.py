"""install.sh on a temporary home: SwiftBar folder detection, shebangs, preview, uninstall."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


from support.run import ROOT, fake_executable, lint


def test_install_preview_swiftbar_and_uninstall(tmp_path: Path, home: Path):
    prefix = tmp_path / "venv"
    swiftbar_plugins = tmp_path / "SwiftBar Plugins"
    bin_dir = tmp_path / "fakebin"
    env = dict(os.environ, HOME=str(home))
    env.pop("CODEXBAR_NOW", None)

    # 1. No SwiftBar, no xbar (Linux): plugins go to a local folder and their output is previewed.
    done = subprocess.run([str(ROOT / "install.sh"), "--prefix", str(prefix), "--providers", "zai"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    local = home / ".local" / "share" / "codexbar" / "plugins" / "zai.5m.py"
    assert "Using Python 3." in done.stdout
    assert "Installed 1 plugin(s) into a local folder (%s):" % local.parent in done.stdout
    assert "Neither SwiftBar nor xbar was found, so here is what each plugin shows now:" in done.stdout
    assert "⚠ Not connected: no API key (Z_AI_API_KEY or config apiKey)." in done.stdout
    assert local.read_text().splitlines()[0] == "#!%s" % (prefix / "bin" / "python")
    assert os.access(local, os.X_OK)
    link = home / ".local" / "bin" / "codexbar"
    assert link.is_symlink() and Path(os.readlink(link)) == prefix / "bin" / "codexbar"
    version = subprocess.run([str(link), "--version"], capture_output=True, text=True, env=env)
    assert version.stdout.strip() == "codexbar 0.1.0"

    # 2. SwiftBar installed: its PluginDirectory setting decides; several providers add the merged plugin.
    fake_executable(bin_dir, "defaults", '#!/bin/sh\n[ "$2" = com.ameba.SwiftBar ] && echo "%s" && exit 0\nexit 1\n'
                    % swiftbar_plugins)
    env["PATH"] = "%s:%s" % (bin_dir, env["PATH"])
    done = subprocess.run([str(ROOT / "install.sh"), "--prefix", str(prefix), "--providers", "zai,claude"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    installed = sorted(p.name for p in swiftbar_plugins.iterdir())
    assert installed == ["claude.5m.py", "codexbar.5m.py", "zai.5m.py"]
    merged = (swiftbar_plugins / "codexbar.5m.py").read_text()
    assert "PROVIDERS = ['zai', 'claude']" in merged
    assert not local.exists()   # the earlier install's plugins were replaced, not left behind
    for plugin in swiftbar_plugins.iterdir():
        assert os.access(plugin, os.X_OK)
        run = subprocess.run([str(plugin)], capture_output=True, text=True, cwd="/",
                             env=dict(env, SWIFTBAR="1", CODEXBAR_FIRST_FETCH_BUDGET="0.2"), timeout=60)
        assert run.returncode == 0, run.stderr
        assert lint(run.stdout).returncode == 0, run.stdout

    # 3. Uninstall removes exactly what was installed.
    (swiftbar_plugins / "someone-elses.1h.sh").write_text("#!/bin/sh\necho hi\n")
    done = subprocess.run([str(ROOT / "install.sh"), "--prefix", str(prefix), "--uninstall"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in swiftbar_plugins.iterdir()) == ["someone-elses.1h.sh"]
    assert not link.exists() and not link.is_symlink()
    assert not prefix.exists()
