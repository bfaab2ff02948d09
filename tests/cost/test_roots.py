"""Where logs are found (cost-usage.md §2.1, §3.1)."""

from __future__ import annotations

import json
from pathlib import Path

from support.run import run_cli


def _claude_line(msg: str, inp: int) -> str:
    return json.dumps({"type": "assistant", "timestamp": "2026-08-03T09:00:00Z", "requestId": "req_" + msg,
                       "message": {"id": msg, "model": "claude-haiku-4-5",
                                   "usage": {"input_tokens": inp, "output_tokens": 0}}},
                      separators=(",", ":")) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _claude_input(env=None) -> int:
    [element] = json.loads(run_cli(["cost", "--provider", "claude", "--json"], env=env).stdout)
    return sum(d["inputTokens"] for d in element["daily"])


def test_claude_roots(home):
    _write(home / ".claude/projects/-a/s.jsonl", _claude_line("msg_a", 1))
    _write(home / ".config/claude/projects/-b/s.JSONL", _claude_line("msg_b", 10))  # extension case-insensitive
    _write(home / ".claude/projects/-a/.hidden.jsonl", _claude_line("msg_h", 100))   # hidden: skipped
    _write(home / ".claude/projects/-a/empty.jsonl", "")
    desktop = home / "Library/Application Support/Claude/local-agent-mode-sessions/org/sess/.claude/projects/-c/s.jsonl"
    _write(desktop, _claude_line("msg_c", 1000))  # Claude Desktop's embedded Claude Code (macOS)
    _write(home / "Library/Application Support/Claude/claude-code-sessions/node_modules/x/.claude/projects/-d/s.jsonl",
           _claude_line("msg_d", 10000))  # node_modules is never searched
    assert _claude_input() == 1 + 10 + 1000
    assert _claude_input({"CODEXBAR_PLATFORM": "linux", "XDG_CACHE_HOME": str(home / "other-cache")}) == 1 + 10


def test_claude_config_dir_is_the_only_root(home, tmp_path):
    _write(home / ".claude/projects/-a/s.jsonl", _claude_line("msg_a", 1))
    _write(tmp_path / "elsewhere/projects/-x/s.jsonl", _claude_line("msg_x", 7))
    assert _claude_input({"CLAUDE_CONFIG_DIR": str(tmp_path / "elsewhere")}) == 7


def test_codex_home(home, tmp_path):
    line = ('{"timestamp":"2026-08-03T09:00:01Z","type":"event_msg","payload":{"type":"token_count","info":'
            '{"last_token_usage":{"input_tokens":%d,"output_tokens":1}}}}\n')
    _write(home / ".codex/sessions/2026/08/03/rollout-a.jsonl", line % 5)
    _write(tmp_path / "ch/archived_sessions/rollout-b.jsonl", line % 50)
    _write(tmp_path / "ch/sessions/legacy/rollout-c.jsonl", line % 500)
    [default] = json.loads(run_cli(["cost", "--provider", "codex", "--json"]).stdout)
    assert default["daily"][0]["inputTokens"] == 5
    [custom] = json.loads(run_cli(["cost", "--provider", "codex", "--json"],
                                  env={"CODEX_HOME": str(tmp_path / "ch")}).stdout)
    assert custom["daily"][0]["inputTokens"] == 550  # ~/.codex is not "deleted" history here
    [back] = json.loads(run_cli(["cost", "--provider", "codex", "--json"]).stdout)
    assert back["daily"][0]["inputTokens"] == 5 and "retainedHistory" not in back["daily"][0]
