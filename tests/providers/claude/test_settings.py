"""`codexbar config validate` with Claude-specific checks, through the real CLI."""

from __future__ import annotations

import json

from support.run import run_cli


def test_claude_config_issues(config_file):
    config_file([{"id": "claude", "enabled": True, "cookieHeader": "Cookie: theme=dark",
                  "apiKey": "sk-ant-api03-FAKEnotadmin", "source": "web",
                  "tokenAccounts": {"version": 1, "accounts": [{"id": "00000000-0000-0000-0000-000000000000",
                                                                "label": "x", "token": ""}]}}])
    result = run_cli(["config", "validate", "--format", "json"])
    issues = [i for i in json.loads(result.stdout) if i.get("provider") == "claude"]
    assert [(i["code"], i["field"], i["severity"]) for i in issues] == [
        ("cookie_header_invalid", "cookieHeader", "warning"),
        ("api_key_not_admin", "apiKey", "warning"),
        ("token_account_invalid", "tokenAccounts", "warning"),
    ]
    assert "FAKEnotadmin" not in result.stdout
    assert result.returncode == 0  # warnings only


def test_valid_claude_config(config_file):
    config_file([{"id": "claude", "enabled": True, "cookieHeader": "sessionKey=sk-ant-sid01-FAKEok",
                  "apiKey": "sk-ant-admin01-FAKEok"}])
    result = run_cli(["config", "validate"])
    assert result.returncode == 0
    assert "claude" not in result.stdout


def test_fixtures_hold_only_placeholder_secrets():
    import re

    from .conftest import FAKE_CLAUDE, FIX

    for path in list(FIX.rglob("*")) + [FAKE_CLAUDE]:
        if path.is_file():
            for token in re.findall(r"sk-ant-[A-Za-z0-9_-]+", path.read_text(errors="replace")):
                assert "FAKE" in token, "%s holds a real-looking token" % path
