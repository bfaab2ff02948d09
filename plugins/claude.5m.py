#!/usr/bin/env python3
# <xbar.title>Claude usage</xbar.title>
# <xbar.version>v0.1.0</xbar.version>
# <xbar.author>codexbar</xbar.author>
# <xbar.author.github>codexbar</xbar.author.github>
# <xbar.desc>Claude limits in the menu bar: session and weekly windows, reset countdowns, pace, credits and local cost.</xbar.desc>
# <xbar.dependencies>python3,codexbar</xbar.dependencies>
# <swiftbar.hideRunInTerminal>true</swiftbar.hideRunInTerminal>
# <swiftbar.refreshOnOpen>false</swiftbar.refreshOnOpen>
from codexbar.plugin import run

run("claude")
