"""``codexbar config validate`` for the codex entry, through the real CLI."""

from __future__ import annotations

import json

from codexbar.providers.codex.settings import validate
from support.run import run_cli


def test_validate_entry_rules():
    assert validate({"id": "codex", "source": "oauth", "allowExternalOAuthSources": True}) == []
    codes = [i["code"] for i in validate({"id": "codex", "source": "web", "allowExternalOAuthSources": "yes",
                                          "apiKey": "sk-FAKE"})]
    assert codes == ["web_source_unavailable", "invalid_setting", "api_key_unused"]


def test_config_validate_reports_codex_issues(config_file):
    config_file([{"id": "codex", "source": "web"}])
    result = run_cli(["config", "validate", "--format", "json"])
    issues = json.loads(result.stdout)
    assert {"severity": "warning", "code": "web_source_unavailable", "provider": "codex", "field": "source",
            "message": "The OpenAI web dashboard source needs CodexBar's macOS browser engine and is not available "
                       "in codexbar; use auto, oauth, api or cli."} in issues
