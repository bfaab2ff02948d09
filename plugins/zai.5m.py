#!/usr/bin/env python3
# <xbar.title>z.ai / GLM usage</xbar.title>
# <xbar.version>v0.1.0</xbar.version>
# <xbar.author>codexbar</xbar.author>
# <xbar.author.github>codexbar</xbar.author.github>
# <xbar.desc>z.ai / GLM Coding Plan quota: 5-hour and weekly windows, MCP calls, reset countdowns.</xbar.desc>
# <xbar.dependencies>python3,codexbar</xbar.dependencies>
# <swiftbar.hideRunInTerminal>true</swiftbar.hideRunInTerminal>
# <swiftbar.hideDisablePlugin>false</swiftbar.hideDisablePlugin>
# <swiftbar.refreshOnOpen>false</swiftbar.refreshOnOpen>
try:
    from codexbar.plugin import run
except ImportError:  # a python without codexbar (run from a checkout): see .bootstrap.py
    import os, runpy; runpy.run_path(os.path.join(os.path.dirname(os.path.realpath(__file__)), ".bootstrap.py")); raise SystemExit(0)

run("zai")
