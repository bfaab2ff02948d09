"""`codexbar login claude`: Keychain import through a fake `security`, our keyring copy, owned imports."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from support.run import fake_executable, run_cli

from .conftest import FIX, ORIGINS, ROOT, TOKEN, USAGE, fixture_json

SECURITY = """#!/bin/sh
echo "$@" >> "%(log)s"
if [ "$1 $2 $3 $4" = "find-generic-password -s Claude Code-credentials -w" ] && [ -f "%(item)s" ]; then
  cat "%(item)s"
  exit 0
fi
echo "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain." >&2
exit 44
"""


@pytest.fixture
def keychain(tmp_path, monkeypatch):
    """A fake macOS `security` serving a Claude Code Keychain item, and a file-backed keyring."""
    item = tmp_path / "keychain-item.json"
    log = tmp_path / "security.log"
    folder = tmp_path / "tools"
    fake_executable(folder, "security", SECURITY % {"log": log, "item": item})
    monkeypatch.setenv("PATH", "%s:%s" % (folder, __import__("os").environ["PATH"]))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.providers.claude.file_keyring.FileKeyring")
    monkeypatch.setenv("FILE_KEYRING_PATH", str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    return {"item": item, "log": log, "keyring": tmp_path / "keyring.json"}


def test_import_from_the_keychain_into_our_keyring(keychain):
    keychain["item"].write_text((FIX / "credentials" / "max-20x.json").read_text())
    done = run_cli(["login", "claude"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("Claude: imported the Claude Code login from the Keychain "
                                   "(Claude Max 20x, token valid until Aug 12 at 10:00AM).")
    assert TOKEN not in done.stdout + done.stderr
    assert keychain["log"].read_text().split("\n")[0] == "find-generic-password -s Claude Code-credentials -w"
    stored = json.loads(json.loads(keychain["keyring"].read_text())["codexbar/claude-oauth"])
    assert stored["owner"] == "claude-cli"
    assert stored["claudeAiOauth"]["accessToken"] == TOKEN


def test_imported_token_is_used_by_scheduled_fetches(keychain, overrides, httpserver):
    keychain["item"].write_text((FIX / "credentials" / "max-20x.json").read_text())
    assert run_cli(["login", "claude"]).returncode == 0
    keychain["item"].unlink()  # the Keychain is never read again by a fetch
    overrides(*ORIGINS)
    httpserver.expect_request(USAGE, headers={"Authorization": "Bearer " + TOKEN}).respond_with_json(
        fixture_json("oauth/usage-max.json"))
    done = run_cli(["usage", "--provider", "claude", "--source", "oauth", "--format", "json"])
    assert done.returncode == 0, done.stdout + done.stderr
    payload = json.loads(done.stdout)[0]
    assert payload["source"] == "oauth"
    assert payload["usage"]["primary"]["usedPercent"] == 28
    assert keychain["log"].read_text().count("find-generic-password") == 1


def test_missing_keychain_item(keychain):
    done = run_cli(["login", "claude"])
    assert done.returncode == 1
    assert done.stderr.strip() == ("Error: No Claude Code login found in the Keychain (Claude Code-credentials). "
                                   "Run `claude login` first, then `codexbar login claude`.")


def test_keychain_item_with_only_mcp_state(keychain):
    keychain["item"].write_text((FIX / "credentials" / "mcp-only.json").read_text())
    done = run_cli(["login", "claude", "--format", "json"])
    assert done.returncode == 1
    error = json.loads(done.stdout)[0]["error"]
    assert error["message"].startswith("Claude keychain contains MCP OAuth state only (no claudeAiOauth).")


def test_import_owned_credentials_from_stdin(keychain, home):
    done = run_cli(["login", "claude", "--stdin", "--format", "json"],
                   input_text=(FIX / "credentials" / "owned-expired.json").read_text())
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    target = Path(result["store"])
    assert (result["source"], result["loginMethod"]) == ("stdin", "Claude Team")
    assert json.loads(target.read_text())["claudeAiOauth"]["refreshToken"] == "sk-ant-ort01-FAKEownedrefresh"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert "sk-ant-" not in done.stdout
    forgot = run_cli(["login", "claude", "--forget"])
    assert forgot.returncode == 0 and not target.exists()


def test_linux_reads_the_credentials_file_directly(keychain, credentials, monkeypatch):
    monkeypatch.setenv("CODEXBAR_PLATFORM", "linux")
    path = credentials("max-20x.json")
    done = run_cli(["login", "claude"])
    assert done.returncode == 0
    assert done.stdout.strip() == ("Claude Code keeps its login in %s; codexbar reads it directly, nothing to "
                                   "import." % path)
    assert not keychain["log"].exists()


def test_other_providers_are_refused(keychain):
    done = run_cli(["login", "zai"])
    assert done.returncode == 1 and "login is only available for: claude." in done.stderr
