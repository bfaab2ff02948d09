import json
import stat

from codexbar import config
from codexbar.env import Env
from support.run import run_cli


def test_paths_follow_codexbar_resolution(tmp_path, home, monkeypatch):
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert Env.from_process().config_path == home / ".config" / "codexbar" / "config.json"
    legacy = home / ".codexbar" / "config.json"
    legacy.parent.mkdir()
    legacy.write_text("{}")
    assert Env.from_process().config_path == legacy
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/ignored")
    assert Env.from_process().config_path == legacy
    monkeypatch.setenv("CODEXBAR_CONFIG", "~/elsewhere.json")
    assert Env.from_process().config_path == home / "elsewhere.json"


def test_round_trip_keeps_unknown_keys_and_is_private(config_file, home):
    path = config_file([{"id": "zai", "enabled": True, "futureKey": {"x": 1}},
                        {"id": "someday", "enabled": True}])
    raw = json.loads(path.read_text())
    raw["hooks"] = {"enabled": False, "events": []}
    path.write_text(json.dumps(raw))
    result = run_cli(["config", "disable", "--provider", "zai"])
    assert result.stdout.strip() == "Config: disabled z.ai / GLM"
    data = json.loads(path.read_text())
    assert data["hooks"] == {"enabled": False, "events": []}
    zai = next(p for p in data["providers"] if p["id"] == "zai")
    assert zai == {"id": "zai", "enabled": False, "futureKey": {"x": 1}}
    assert any(p["id"] == "someday" for p in data["providers"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_validate_and_dump(config_file):
    config_file([{"id": "zai", "apiKey": "secret-zai-key-1", "region": "mars", "source": "web"}])
    result = run_cli(["config", "validate"])
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "[ERROR] zai (source): Source 'web' is not supported for zai.",
        "[ERROR] zai (region): Unknown z.ai region 'mars' (use global or bigmodel-cn)."]
    dumped = run_cli(["config", "dump"])
    assert "secret-zai-key-1" not in dumped.stdout and '"apiKey":"[REDACTED]"' in dumped.stdout
    assert "secret-zai-key-1" in run_cli(["config", "dump", "--show-secrets"]).stdout


def test_broken_config_is_one_line_error(home):
    path = home / ".config" / "codexbar" / "config.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 1, "providers": [{"id": "zai", "source": "foo"}]}')
    result = run_cli(["usage", "--provider", "zai", "--json"])
    assert result.returncode == 1
    element = json.loads(result.stdout)[0]
    assert element["error"]["message"].startswith("Failed to decode CodexBar config: providers[0].source 'foo'")
    text = run_cli(["config", "validate"])
    assert text.returncode == 1 and text.stderr.startswith("Error: Failed to decode CodexBar config")


def test_set_api_key_from_stdin(home):
    result = run_cli(["config", "set-api-key", "--provider", "zai", "--stdin"], input_text="  'zk-123'  \n")
    assert result.stdout.strip() == "Config: stored API key for z.ai / GLM and enabled"
    cfg = config.load(Env.from_process())
    assert cfg.entry("zai")["apiKey"] == "zk-123" and cfg.entry("zai")["enabled"] is True
    assert run_cli(["config", "set-api-key", "--provider", "codex", "--api-key", "x"]).returncode == 1


def test_provider_selection_and_unknown_command(home):
    assert json.loads(run_cli(["usage", "--provider", "nope", "--json"]).stdout)[0]["provider"] == "cli"
    bad = run_cli(["frobnicate"])
    assert bad.returncode == 1 and "Unknown command" in bad.stderr
    providers = run_cli(["config", "providers", "--json"])
    assert [p["provider"] for p in json.loads(providers.stdout)][:3] == ["codex", "claude", "zai"]


def test_closed_pipe_is_not_a_traceback(home):
    import subprocess

    from support.run import PYTHON

    proc = subprocess.Popen([PYTHON, "-m", "codexbar", "config", "dump", "--pretty"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()   # the reader (`| head`) went away before we wrote
    assert proc.wait(timeout=30) in (0, 141)
    assert b"Traceback" not in proc.stderr.read()
