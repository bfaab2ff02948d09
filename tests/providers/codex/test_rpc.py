"""``--source cli``: the fake `codex` speaks the app-server JSON-RPC exchange over real pipes."""

from __future__ import annotations

import time

import psutil

from codexbar.env import Env
from codexbar.fetch import fetch

LIMIT = {"title": "Monthly credit limit", "used": 7761, "limit": 100000, "remaining": 92239,
         "remainingPercent": 92.239, "resetsAt": "2026-09-01T00:00:00Z", "updatedAt": "2026-08-03T12:00:00Z"}
SESSION = {"usedPercent": 4.5, "windowMinutes": 300, "resetsAt": "2026-08-03T14:15:00Z", "resetDescription": "2:15 PM"}
WEEKLY = {"usedPercent": 19, "windowMinutes": 10080, "resetsAt": "2026-08-06T16:00:00Z",
          "resetDescription": "Aug 6, 4:00 PM"}


def run(source_mode="cli", **kwargs):
    return fetch("codex", Env.from_process(), runtime="cli", source_mode=source_mode, **kwargs)


def ok(outcome) -> dict:
    assert outcome.error is None, (outcome.error.kind, outcome.error.message)
    return outcome.payload


def test_rpc_payload_and_exchange(fake_codex):
    codex = fake_codex("normal")
    out = ok(run())
    assert out == {
        "provider": "codex", "source": "codex-cli", "version": "0.50.0",
        "usage": {"primary": SESSION, "secondary": WEEKLY, "tertiary": None, "updatedAt": "2026-08-03T12:00:00Z",
                  "identity": {"providerID": "codex", "accountEmail": "dev@example.com", "loginMethod": "pro"},
                  "accountEmail": "dev@example.com", "loginMethod": "pro"},
        "credits": {"remaining": 21, "events": [], "updatedAt": "2026-08-03T12:00:00Z", "codexCreditLimit": LIMIT},
    }
    argv = [e["argv"] for e in codex.events() if "argv" in e]
    assert argv == [["-s", "read-only", "-a", "never", "app-server"], ["--version"]]
    assert codex.received() == [
        {"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "codexbar", "version": "0.5.4"}}},
        {"method": "initialized", "params": {}},
        {"id": 2, "method": "account/rateLimits/read", "params": {}},
        {"id": 3, "method": "account/read", "params": {}},
    ]


def test_version_is_asked_once_per_binary(fake_codex):
    codex = fake_codex("normal")
    ok(run())
    ok(run())
    assert sum(1 for e in codex.events() if e.get("argv") == ["--version"]) == 1


def test_found_on_path_too(fake_codex):
    fake_codex("normal", via_path=True)
    assert ok(run())["source"] == "codex-cli"


def test_reversed_windows_are_swapped(fake_codex):
    fake_codex("swapped")
    usage = ok(run())["usage"]
    assert usage["primary"] == SESSION and usage["secondary"] == WEEKLY
    assert usage["identity"] == {"providerID": "codex", "accountEmail": "dev@example.com", "loginMethod": "unknown"}


def test_error_body_is_recovered_without_asking_for_the_account(fake_codex):
    codex = fake_codex("error-body")
    out = ok(run())
    assert out["usage"] == {
        "primary": {"usedPercent": 4, "windowMinutes": 300, "resetsAt": "2026-08-03T14:15:00Z",
                    "resetDescription": "2:15 PM"},
        "secondary": WEEKLY,
        "tertiary": None, "updatedAt": "2026-08-03T12:00:00Z",
        "identity": {"providerID": "codex", "accountEmail": "prolite-test@example.com", "loginMethod": "prolite"},
        "accountEmail": "prolite-test@example.com", "loginMethod": "prolite"}
    assert out["credits"] == {"remaining": 0, "events": [], "updatedAt": "2026-08-03T12:00:00Z"}
    assert "account/read" not in codex.methods()


def test_unrecoverable_error_body_is_a_connection_failure(fake_codex):
    fake_codex("partial-body")
    error = run().error
    assert error.kind == "unavailable" and error.hint
    assert error.message.startswith("Codex connection failed: failed to fetch codex rate limits: Decode error")
    assert "\n" not in error.message and len(error.message) < 300


def test_credits_recover_from_an_error_body_alone(fake_codex):
    fake_codex("credits-body")
    out = ok(run())
    assert out["usage"] == {"primary": None, "secondary": None, "tertiary": None, "updatedAt": "2026-08-03T12:00:00Z"}
    assert out["credits"]["remaining"] == 14.5


def test_child_exiting_right_after_its_answer_is_tolerated(fake_codex):
    fake_codex("early-exit")
    started = time.monotonic()
    usage = ok(run())["usage"]
    assert time.monotonic() - started < 2.5
    assert usage["primary"] == SESSION
    assert usage["identity"] == {"providerID": "codex", "loginMethod": "pro"}


def test_closed_stdout_before_an_answer(fake_codex):
    fake_codex("exit-after-init")
    error = run().error
    assert (error.kind, error.message) == ("parse", "Codex returned invalid data: codex app-server closed stdout")


def test_hung_rate_limits_request_times_out_and_the_child_tree_is_killed(fake_codex, tmp_path, monkeypatch):
    fake_codex("hang")
    pidfile = tmp_path / "pids"
    monkeypatch.setenv("FAKE_CODEX_PIDFILE", str(pidfile))
    started = time.monotonic()
    error = run(deadline_seconds=1.0).error
    assert time.monotonic() - started < 3.0
    assert (error.kind, error.message) == ("timeout", "Codex RPC timed out waiting for `account/rateLimits/read` reply.")
    for pid in map(int, pidfile.read_text().split()):
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_hung_account_request_times_out_after_three_seconds_and_limits_still_show(fake_codex):
    fake_codex("hang-account")
    started = time.monotonic()
    usage = ok(run())["usage"]
    assert 2.8 < time.monotonic() - started < 6.0
    assert usage["primary"] == SESSION and usage["identity"] == {"providerID": "codex", "loginMethod": "pro"}


def test_plan_only_answer_is_an_identified_empty_snapshot(fake_codex):
    fake_codex("plan-only")
    out = ok(run())
    assert out["usage"] == {"primary": None, "secondary": None, "tertiary": None,
                            "updatedAt": "2026-08-03T12:00:00Z",
                            "identity": {"providerID": "codex", "accountEmail": "stub@example.com", "loginMethod": "pro"},
                            "accountEmail": "stub@example.com", "loginMethod": "pro"}
    assert "credits" not in out


def test_plan_and_credits_without_windows(fake_codex):
    fake_codex("plan-and-credits")
    out = ok(run())
    assert out["usage"]["primary"] is None and out["usage"]["loginMethod"] == "pro"
    assert out["credits"]["remaining"] == 21


def test_credits_only_answer(fake_codex):
    fake_codex("credits-only")
    out = ok(run())
    assert out["usage"]["primary"] is None and out["usage"]["secondary"] is None
    assert out["usage"]["identity"] == {"providerID": "codex", "accountEmail": "stub@example.com", "loginMethod": "pro"}
    assert out["credits"] == {"remaining": 21, "events": [], "updatedAt": "2026-08-03T12:00:00Z"}


def test_nothing_at_all(fake_codex):
    fake_codex("empty")
    error = run().error
    assert (error.kind, error.message) == ("parse", "Found sessions, but no rate limit events yet.")


def test_auth_required_explains_a_non_chatgpt_backend(fake_codex, codex_config):
    fake_codex("auth-required")
    assert run().error.message == "Codex connection failed: codex account authentication required to read rate limits"
    codex_config("bedrock.toml")
    error = run().error
    assert error.message == ("Codex is configured for Amazon Bedrock; ChatGPT rate limits are unavailable. "
                             "Disable the Codex usage card or use cost-based tracking.")
    codex_config("custom-provider.toml")
    assert run().error.message.startswith("Codex is configured for a custom provider;")


def test_no_codex_binary(monkeypatch, tmp_path):
    monkeypatch.setenv("CODEX_CLI_PATH", str(tmp_path / "missing" / "codex"))
    outcome = run()
    assert outcome.error.kind == "missing_credential"
    assert outcome.error.message == "Not connected: no `codex` command (npm i -g @openai/codex, or set CODEX_CLI_PATH)."
    assert outcome.error.hint


def test_binary_vanishing_after_the_check_is_exit_code_2(monkeypatch, tmp_path):
    from codexbar.access.http import Http
    from codexbar.descriptor import FetchContext
    from codexbar.errors import FetchError
    from codexbar.providers.codex.sources import SOURCES

    monkeypatch.setenv("CODEX_CLI_PATH", str(tmp_path / "gone"))
    env = Env.from_process()
    ctx = FetchContext(env=env, config={}, http=Http(env), runtime="cli", source_mode="cli")
    try:
        SOURCES["cli"].fetch(ctx)
    except FetchError as error:
        assert error.exit_code == 2
        assert error.message == ("Codex CLI missing. Install via `npm i -g @openai/codex` (or bun install) "
                                 "and restart.")
    else:
        raise AssertionError("expected a FetchError")


def test_a_binary_that_cannot_start_pauses_background_launches(monkeypatch, tmp_path):
    from tests.providers.codex.conftest import FAKE_CODEX

    broken = tmp_path / "bin" / "codex"
    broken.parent.mkdir()
    broken.write_bytes(b"\x00\x01not an executable format")
    broken.chmod(0o755)
    monkeypatch.setenv("CODEX_CLI_PATH", str(broken))
    error = run().error
    assert error.message == (
        "Codex not running. Try running a Codex command first. (Codex CLI launch failed; background refresh is "
        "paused for 30 minutes. Reinstall or unblock `%s` in macOS security settings, then refresh manually. "
        "Last error: Exec format error)" % broken)
    assert error.hint
    # fixed on disk, but a background refresh waits out the pause without launching anything …
    broken.unlink()
    broken.symlink_to(FAKE_CODEX)
    log = tmp_path / "codex-log.jsonl"
    monkeypatch.setenv("FAKE_CODEX_LOG", str(log))
    monkeypatch.setenv("FAKE_CODEX_MODE", "normal")
    assert "background refresh is paused" in run().error.message and not log.exists()
    # … while a user's click (interactive) launches it right away
    assert ok(run(interactive=True))["source"] == "codex-cli"


def test_web_source_is_not_available_in_this_port():
    error = run("web").error
    assert error.kind == "unsupported"
    assert "--source web" in error.message and "not available" in error.message
    assert "oauth" in error.hint


def test_a_line_past_the_buffer_cap_kills_the_child(fake_codex):
    fake_codex("huge-line")
    started = time.monotonic()
    error = run().error
    assert (error.kind, error.message) == ("parse", "Codex returned invalid data: codex app-server closed stdout")
    assert time.monotonic() - started < 3.0
