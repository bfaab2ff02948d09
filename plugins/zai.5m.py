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
from codexbar.plugin import run

run("zai")
