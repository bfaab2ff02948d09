#!/usr/bin/env python3
# <xbar.title>codexbar: every AI-coding limit</xbar.title>
# <xbar.version>v0.1.0</xbar.version>
# <xbar.author>codexbar</xbar.author>
# <xbar.author.github>codexbar</xbar.author.github>
# <xbar.desc>All your AI-coding limits in one menu: Claude, Codex, z.ai and more, with reset countdowns.</xbar.desc>
# <xbar.dependencies>python3,codexbar</xbar.dependencies>
# <swiftbar.hideRunInTerminal>true</swiftbar.hideRunInTerminal>
# <swiftbar.refreshOnOpen>false</swiftbar.refreshOnOpen>
try:
    from codexbar.plugin import run_many
except ImportError:  # a python without codexbar (run from a checkout): see .bootstrap.py
    import os, runpy; runpy.run_path(os.path.join(os.path.dirname(os.path.realpath(__file__)), ".bootstrap.py")); raise SystemExit(0)

# install.sh writes the chosen providers here; empty = the providers enabled in the config
PROVIDERS = []

run_many(PROVIDERS)
