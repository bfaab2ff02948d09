"""The shared executable finder: what SwiftBar's thin PATH lacks, a user's terminal has."""


from codexbar.access.commands import find_executable, run
from codexbar.env import Env
from support.run import fake_executable, run_cli


def test_finds_cli_in_version_manager_folders_missing_from_path(home, monkeypatch):
    monkeypatch.delenv("CODEXBAR_EXEC_SEARCH")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    nvm = home / ".nvm" / "versions" / "node"
    fake_executable(nvm / "v18.0.0" / "bin", "claude", "#!/bin/sh\necho old\n")
    newest = fake_executable(nvm / "v22.1.0" / "bin", "claude", "#!/bin/sh\necho new\n")
    local = fake_executable(home / ".local" / "bin", "kiro-cli", "#!/bin/sh\necho kiro\n")
    env = Env.from_process()
    assert find_executable("claude", env) == newest
    assert find_executable("kiro-cli", env) == local
    assert find_executable("no-such-tool-xyz", env) is None


def test_path_wins_and_override_is_exact(home, tmp_path, monkeypatch):
    on_path = fake_executable(tmp_path / "onpath", "codex", "#!/bin/sh\necho path\n")
    fake_executable(home / ".local" / "bin", "codex", "#!/bin/sh\necho local\n")
    monkeypatch.setenv("PATH", "%s:/usr/bin:/bin" % on_path.parent)
    env = Env.from_process()
    assert find_executable("codex", env) == on_path
    assert find_executable("codex", env, override=str(home / "missing")) is None
    child = run([str(find_executable("codex", env))], env)
    assert child.stdout == "path\n"


def test_macos_tools_go_through_the_finder(macos_calls):
    from codexbar.access.commands import open_url

    assert open_url("https://status.claude.com/", Env.from_process())
    assert macos_calls() == ["open https://status.claude.com/"]


def test_verbose_lists_attempts(home):
    result = run_cli(["usage", "--provider", "zai", "-v"])
    assert "[zai] source api: skipped: no API key (Z_AI_API_KEY or config apiKey)" in result.stderr
