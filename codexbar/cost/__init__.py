"""Local token cost from Claude Code and Codex logs (spec: cost-usage.md).

Modules: ``pricing`` (table + formulas), ``lines`` (streaming JSONL reader), ``claude`` and
``codex`` (pure per-file parsers), ``store`` (per-file incremental cache and retained history),
``scanner`` (discovery, invalidation, parallel scan), ``report`` (CodexBar's cost JSON),
``summary`` (menu summary for the plugins). Nothing here is imported on the plugin hot path
except ``summary.read_summary``.
"""
