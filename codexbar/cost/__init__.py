"""Local token cost from Claude Code and Codex logs (spec: cost-usage.md).

Modules: ``pricing`` (+ ``pricing.json``: the table and the formulas), ``timeutil`` (timestamps,
local day keys), ``lines`` (streaming JSONL reader), ``claude`` and ``codex`` (pure line
parsers), ``discover`` (log roots and files), ``db`` (SQLite cache: per-file rows, dedup winners,
day aggregates, retained history), ``scanner`` (invalidation, parallel parse), ``report``
(CodexBar's cost JSON), ``service`` (lock + scan + report), ``summary`` (the menu summary),
``chart`` (PNG). The plugin hot path reads the summary snapshot through ``codexbar.cache`` and
renders it with ``codexbar.render.cost``; it imports nothing from this package.
"""
