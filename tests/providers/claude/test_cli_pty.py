"""The CLI source drives the fake `claude` script in a real pseudo-terminal (spec §7)."""

from __future__ import annotations

import json
import time

import psutil
import pytest

from codexbar.errors import FetchError
from codexbar.providers.claude.cli_pty import CliSource, Timing

# Same code path as production, shorter waits so the suite stays fast.
FAST = Timing(startup_wait=0.25, enter_every=0.5, usage_settle=0.2, status_timeout=4.0, status_idle=0.3,
              direct_timeout=3.0, auth_timeout=3.0)


class QuickCli(CliSource):
    def timeouts(self, ctx):
        return (1.2, 1.5)


def source() -> CliSource:
    return QuickCli(FAST)


def fetch(ctx_factory, **kwargs):
    return source().fetch(ctx_factory(**kwargs)).dump()


def test_recorded_panel_through_a_real_pty(fake_claude, ctx_factory, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-FAKEshouldnotleak")
    monkeypatch.setenv("CODEXBAR_CLAUDE_OAUTH_TOKEN", "sk-ant-oat01-FAKEshouldnotleak")
    data = fetch(ctx_factory)
    assert data["source"] == "claude" and data["version"] == "2.1.70"
    usage = data["usage"]
    assert usage["primary"] == {"usedPercent": 15, "windowMinutes": 300, "resetsAt": "2026-08-03T18:00:00Z",
                                "resetDescription": "Resets 11:30pm (Asia/Calcutta)"}
    assert usage["secondary"]["usedPercent"] == 3 and usage["tertiary"]["usedPercent"] == 1
    assert (usage["accountEmail"], usage["accountOrganization"], usage["loginMethod"]) == (
        "user@example.com", "Example Org", "Max")
    assert usage["dataConfidence"] == "percentOnly"
    runs = [e for e in fake_claude.events() if e["kind"] == "pty"]
    assert len(runs) == 1
    run = runs[0]
    assert run["argv"][:4] == ["--allowed-tools", "", "--strict-mcp-config", "--session-id"]
    assert run["env"] == {"DISABLE_AUTOUPDATER": "1", "PWD": run["cwd"]}  # no ANTHROPIC_*, no OAuth overrides
    assert run["cwd"].endswith("claude-probe")
    settings = json.loads(open(run["cwd"] + "/.claude/settings.local.json").read())
    assert settings == {"disableDeepLinkRegistration": "disable"}
    session_id = open(run["cwd"] + "/.codexbar-session-id").read().strip()
    assert run["argv"][4] == session_id


def test_session_id_is_persisted_between_runs(fake_claude, ctx_factory):
    fetch(ctx_factory, runtime="cli")
    fetch(ctx_factory, runtime="cli")
    ids = [e["argv"][4] for e in fake_claude.events() if e["kind"] == "pty"]
    assert len(ids) == 2 and ids[0] == ids[1]


def test_the_whole_process_tree_is_killed(fake_claude, ctx_factory):
    fetch(ctx_factory)
    pids = fake_claude.pids()
    assert len(pids) == 2
    end = time.monotonic() + 3
    while any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in pids) \
            and time.monotonic() < end:
        time.sleep(0.05)
    assert not any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in pids)


@pytest.mark.parametrize("panel", ["usage-cr-only", "usage-compact", "usage-scoped"])
def test_recorded_variants(fake_claude, ctx_factory, panel):
    fake_claude.use(panel=panel)
    usage = fetch(ctx_factory)["usage"]
    expected = {"usage-cr-only": 17, "usage-compact": 6, "usage-scoped": 22}[panel]
    assert usage["primary"]["usedPercent"] == expected


def test_trust_prompt_is_answered(fake_claude, ctx_factory):
    fake_claude.use(mode="trust")
    assert fetch(ctx_factory)["usage"]["primary"]["usedPercent"] == 15


def test_cursor_position_query_is_answered(fake_claude, ctx_factory):
    fake_claude.use(mode="cursor")
    assert fetch(ctx_factory)["usage"]["secondary"]["usedPercent"] == 3


def test_loading_then_panel(fake_claude, ctx_factory):
    fake_claude.use(mode="loading-then-panel")
    assert fetch(ctx_factory)["usage"]["primary"]["usedPercent"] == 15


def test_early_exit_parses_what_was_captured(fake_claude, ctx_factory):
    fake_claude.use(mode="exit-early")
    usage = fetch(ctx_factory)["usage"]
    assert usage["primary"]["usedPercent"] == 15
    assert "accountEmail" not in usage  # /status never ran


@pytest.mark.parametrize("panel, kind, start", [
    ("usage-token-expired", "auth_expired", "OAuth token has expired."),
    ("usage-subscription", "unavailable", "Could not parse Claude usage: Claude CLI /usage returned a subscription notice"),
    ("usage-trust-prompt", "unavailable", "Could not parse Claude usage: Claude CLI is waiting for a folder trust prompt"),
])
def test_cli_errors_through_the_pty(fake_claude, ctx_factory, panel, kind, start):
    fake_claude.use(panel=panel)
    with pytest.raises(FetchError) as caught:
        source().fetch(ctx_factory())
    assert caught.value.kind == kind and caught.value.message.startswith(start)


def test_rate_limited_output_starts_a_five_minute_gate(fake_claude, ctx_factory):
    fake_claude.use(panel="usage-rate-limited")
    ctx = ctx_factory()
    with pytest.raises(FetchError) as caught:
        source().fetch(ctx)
    assert caught.value.kind == "rate_limited"
    runs = len([e for e in fake_claude.events() if e["kind"] == "pty"])
    with pytest.raises(FetchError) as again:
        source().fetch(ctx_factory())
    assert again.value.message == ("Could not parse Claude usage: Claude CLI usage endpoint is rate limited right now. "
                                   "Please try again later.")
    assert len([e for e in fake_claude.events() if e["kind"] == "pty"]) == runs  # no new process


def test_still_loading_retries_then_reports(fake_claude, ctx_factory):
    fake_claude.use(mode="slow-load", panel="usage-loading")  # the direct fallback is still loading too
    with pytest.raises(FetchError) as caught:
        source().fetch(ctx_factory())
    assert caught.value.message == "Could not parse Claude usage: Claude CLI /usage is still loading usage data."
    kinds = [e["kind"] for e in fake_claude.events()]
    # each attempt tries `claude /usage` once; then one retry with the longer wait
    assert kinds.count("pty") == 2 and kinds.count("direct") == 2


def test_hanging_cli_falls_back_to_direct_usage(fake_claude, ctx_factory):
    fake_claude.use(mode="hang", panel="usage-cr-only")
    started = time.monotonic()
    usage = fetch(ctx_factory)["usage"]
    assert usage["primary"]["usedPercent"] == 17
    kinds = [e["kind"] for e in fake_claude.events()]
    assert kinds.count("pty") == 1 and kinds.count("direct") == 1  # the direct run answered: no retry needed
    assert time.monotonic() - started < 20


def test_logged_out_cli_is_unavailable(fake_claude, ctx_factory):
    fake_claude.use(logged_in="false")
    ctx = ctx_factory()
    cli = source()
    assert not cli.available(ctx)
    assert cli.unavailable_reason(ctx) == "`claude auth status` says you are not logged in"


def test_unparsable_auth_status_counts_as_maybe_logged_in(fake_claude, ctx_factory):
    fake_claude.use(logged_in="garbage")
    assert source().available(ctx_factory())


def test_missing_binary(ctx_factory, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    ctx = ctx_factory()
    cli = source()
    assert not cli.available(ctx)
    with pytest.raises(FetchError) as caught:
        cli.fetch(ctx)
    assert caught.value.kind == "binary_not_found" and caught.value.exit_code == 2
    assert caught.value.message.startswith("Claude CLI is not installed.")


def test_claude_cli_path_override(fake_claude, ctx_factory, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # not on PATH…
    monkeypatch.setenv("CLAUDE_CLI_PATH", str(fake_claude.bin / "claude"))  # …but configured
    monkeypatch.setenv("PATH", "%s" % fake_claude.bin)  # python3 shim for the script's shebang
    assert source().fetch(ctx_factory()).usage.primary.usedPercent == 15


def test_token_account_selection_excludes_the_cli(fake_claude, ctx_factory):
    assert not source().available(ctx_factory(account={"label": "x", "token": "sk-ant-sid01-FAKE"}))


def test_probe_transcript_is_removed(fake_claude, ctx_factory, home):
    import re

    from codexbar.env import Env
    from codexbar.providers.claude.cli_pty import prepare_probe_dir

    folder, session_id = prepare_probe_dir(Env.from_process())
    transcript = home / ".claude" / "projects" / re.sub(r"[^A-Za-z0-9]", "-", str(folder)) / (session_id + ".jsonl")
    transcript.parent.mkdir(parents=True)
    transcript.write_text('{"type":"summary"}\n')
    other = transcript.parent / "someone-elses-session.jsonl"
    other.write_text("{}\n")
    fetch(ctx_factory)
    assert not transcript.exists()
    assert other.exists()  # only our own probe session is touched


def test_one_probe_at_a_time(fake_claude, ctx_factory):
    ctx = ctx_factory()
    held = ctx.cache.lock("claude-cli-probe")
    assert held.acquire(timeout=1)
    try:
        ctx.deadline = time.monotonic() + 2.0
        with pytest.raises(FetchError) as caught:
            source().fetch(ctx)
        assert caught.value.message == "Another Claude CLI probe is still running."
    finally:
        held.release()
    assert [e for e in fake_claude.events() if e["kind"] == "pty"] == []


def test_direct_subscription_notice_replaces_the_pty_timeout(fake_claude, ctx_factory):
    fake_claude.use(mode="hang", panel="usage-subscription")
    with pytest.raises(FetchError) as caught:
        source().fetch(ctx_factory())
    assert caught.value.message.startswith("Could not parse Claude usage: Claude CLI /usage returned a subscription")


def test_hang_with_no_usable_direct_answer_is_a_timeout(fake_claude, ctx_factory):
    fake_claude.use(mode="hang", panel="usage-loading")
    with pytest.raises(FetchError) as caught:
        source().fetch(ctx_factory())
    assert (caught.value.kind, caught.value.message) == ("timeout", "Claude usage probe timed out.")
    assert caught.value.exit_code == 4
    kinds = [e["kind"] for e in fake_claude.events()]
    assert kinds.count("pty") == 2 and kinds.count("direct") == 2


def test_scheduled_runs_reuse_a_recent_cli_result(fake_claude, ctx_factory, monkeypatch):
    first = source().fetch(ctx_factory(runtime="plugin")).dump()
    again = source().fetch(ctx_factory(runtime="plugin")).dump()
    assert again == first
    assert len([e for e in fake_claude.events() if e["kind"] == "pty"]) == 1  # no second `claude` process
    # a click (interactive) always runs it again
    source().fetch(ctx_factory(runtime="plugin", interactive=True))
    assert len([e for e in fake_claude.events() if e["kind"] == "pty"]) == 2
    # 15 minutes later a scheduled run spawns it again
    monkeypatch.setenv("CODEXBAR_NOW", "2026-08-03T12:16:00Z")
    source().fetch(ctx_factory(runtime="plugin"))
    assert len([e for e in fake_claude.events() if e["kind"] == "pty"]) == 3


def test_subscription_notice_does_not_fall_back():
    from codexbar.providers.claude import panel

    cli = source()
    assert not cli.falls_back_on(panel.classify(panel.SUBSCRIPTION_NOTICE))
    assert cli.falls_back_on(panel.classify(panel.RATE_LIMITED))
