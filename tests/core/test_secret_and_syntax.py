import subprocess
import sys
from pathlib import Path

from codexbar.secret import Secret, redact
from support.run import ROOT


def test_secret_never_shows_itself():
    token = Secret("sk-ant-oat01-abcdefghijklmnop")
    assert "abcdef" not in repr(token) + str(token) + "%s" % token + "{}".format(token) + f"{token}"
    assert token.reveal().endswith("mnop")


def test_redact_scrubs_known_shapes():
    text = "Authorization: Bearer abcdefghijklmnop; cookie sessionKey=sk-ant-sid01-xyz; key sk-ant-api03-aaaaaaaaaaaa"
    out = redact(text, [Secret("zzz-very-secret")])
    assert "abcdefghijklmnop" not in out and "sk-ant-sid01-xyz" not in out and "aaaaaaaaaaaa" not in out


def test_package_is_python_39_compatible():
    """A fresh Mac has /usr/bin/python3 3.9: keep the syntax compatible (checked with vermin)."""
    done = subprocess.run([str(Path(sys.executable).parent / "vermin"), "--target=3.9-", "--violations", "--no-tips",
                           "--eval-annotations", "--exclude", "importlib.metadata",
                           str(ROOT / "codexbar"), str(ROOT / "plugins")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_keyring_errors_mean_no_stored_secret(monkeypatch):
    from codexbar.access import keyring_store

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no.such.backend.Keyring")
    assert keyring_store.get("claude-oauth") is None
    assert keyring_store.set("claude-oauth", "value") is False
