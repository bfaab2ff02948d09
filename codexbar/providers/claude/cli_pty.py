"""The `claude` CLI source: run the real binary in a pseudo-terminal, type /usage and /status.

Spec §7. The CLI owns its login and refreshes its own token while it runs, so this source also
heals a stale OAuth token as a side effect. The whole process tree is always killed.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from codexbar.descriptor import FetchContext, Source
from codexbar.env import Env
from codexbar.errors import BinaryNotFound, FetchError, FetchTimeout, RateLimited
from codexbar.model import ProviderResult

from . import panel as panel_mod
from .paths import claude_root, local_zone, probe_dir

RATE_GATE_KEY = "claude/cli-rate-limited-until"
RATE_GATE_SECONDS = 300.0
LAST_RESULT_KEY = "claude/cli-last-result"
BACKGROUND_SPAWN_FLOOR = 15 * 60.0  # scheduled runs reuse a CLI result this recent instead of respawning
CURSOR_QUERY = b"\x1b[6n"
CURSOR_REPLY = b"\x1b[1;1R"
PROMPTS = (("Do you trust the files in this folder?", b"y\r"), ("Quick safety check:", b"\r"),
           ("Yes, I trust this folder", b"\r"), ("Ready to code here?", b"\r"),
           ("Press Enter to continue", b"\r"))
PALETTE = {"/usage": (("Show plan", b"\r"), ("Show plan usage limits", b"\r")),
           "/status": (("Show Claude Code", b"\r"), ("Show Claude Code status", b"\r"))}
USAGE_STOP = ("failedtoloadusagedata",)
MAX_CAPTURE = 4 * 1024 * 1024  # a runaway CLI must not eat the machine's memory
NOT_INSTALLED = "Claude CLI is not installed. Install it from https://code.claude.com/docs/en/overview."


@dataclass(frozen=True)
class Timing:
    """Seconds. Defaults are CodexBar's; tests pass shorter ones to the same code."""

    startup_wait: float = 2.0     # Claude's TUI drops keys typed before it is ready
    enter_every: float = 0.8
    usage_settle: float = 2.0
    status_timeout: float = 12.0
    status_idle: float = 3.0
    status_settle: float = 0.25
    poll: float = 0.06
    direct_timeout: float = 8.0
    auth_timeout: float = 5.0


@dataclass
class Capture:
    usage: str
    status: Optional[str]
    timed_out: bool      # no stop condition within the timeout
    exited: bool         # the child ended on its own


def child_env(env: Env, cwd: Path) -> Env:
    """Our environment minus every ANTHROPIC_* and our OAuth overrides; no auto-update."""
    clean = {k: v for k, v in env.environ.items()
             if not k.startswith("ANTHROPIC_") and k not in ("CODEXBAR_CLAUDE_OAUTH_TOKEN", "CODEXBAR_CLAUDE_OAUTH_SCOPES")}
    clean["DISABLE_AUTOUPDATER"] = "1"
    clean["PWD"] = str(cwd)
    clean.setdefault("TERM", "xterm-256color")  # SwiftBar runs plugins without a TERM; the TUI needs one
    return Env(environ=clean, platform=env.platform)


def resolve_binary(env: Env) -> Optional[Path]:
    from codexbar.access.commands import find_executable

    override = env.get("CLAUDE_CLI_PATH")
    if override:
        found = find_executable("claude", env, override=override)
        if found is not None:
            return found
    return find_executable("claude", env)


def prepare_probe_dir(env: Env) -> Tuple[Path, str]:
    """The private working dir (settings file + persisted session id)."""
    from codexbar.access.files import atomic_write, ensure_private_dir

    folder = ensure_private_dir(probe_dir(env))
    settings_dir = ensure_private_dir(folder / ".claude")
    settings_path = settings_dir / "settings.local.json"
    try:
        settings = json.loads(settings_path.read_text(encoding="utf-8"))
        if not isinstance(settings, dict):
            settings = {}
    except (OSError, ValueError):
        settings = {}
    if settings.get("disableDeepLinkRegistration") != "disable":
        settings["disableDeepLinkRegistration"] = "disable"
        atomic_write(settings_path, json.dumps(settings, indent=2, sort_keys=True), mode=0o600)
    id_path = folder / ".codexbar-session-id"
    try:
        session_id = str(uuid.UUID(id_path.read_text(encoding="utf-8").strip()))
    except (OSError, ValueError):
        session_id = str(uuid.uuid4())
        atomic_write(id_path, session_id, mode=0o600)
    return folder, session_id


def clean_transcript(env: Env, folder: Path, session_id: str) -> None:
    """Claude treats --session-id as create-only while its transcript exists: remove ours only."""
    project = re.sub(r"[^A-Za-z0-9]", "-", str(folder))
    transcript = claude_root(env) / "projects" / project / ("%s.jsonl" % session_id)
    try:
        transcript.unlink()
    except OSError:
        pass


def auth_status(binary: Path, env: Env, folder: Path, timeout: float) -> Optional[bool]:
    """``claude auth status --json``: True/False when it says so, None when unknown."""
    from codexbar.access.commands import run

    try:
        done = run([str(binary), "auth", "status", "--json"], child_env(env, folder), timeout=timeout,
                   cwd=str(folder), label="claude auth status")
    except (FetchError, OSError):
        return None
    try:
        data = json.loads(done.stdout)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("loggedIn"), bool):
        return data["loggedIn"]
    return None


def cached_version(ctx: FetchContext, binary: Path) -> Optional[str]:
    """``claude --version``, remembered for a few hours in the shared cache."""
    version = ctx.cache.get("claude/cli-version") if ctx.cache is not None else None
    if not version:
        version = cli_version(binary, ctx.env)
        if version and ctx.cache is not None:
            ctx.cache.set("claude/cli-version", version, expire=6 * 3600)
    return version if isinstance(version, str) else None


def cli_version(binary: Path, env: Env) -> Optional[str]:
    """First token of ``claude --version`` (``2.1.70 (Claude Code)`` → ``2.1.70``)."""
    from codexbar.access.commands import run

    try:
        done = run([str(binary), "--version"], env, timeout=5, label="claude --version")
    except (FetchError, OSError):
        return None
    first = done.stdout.strip().split()
    return first[0] if first else None


class PtySession:
    """One `claude` process in a PTY: ``warm_up``, then ``usage`` and ``status`` capture what each command drew."""

    def __init__(self, binary: Path, env: Env, folder: Path, session_id: str, timing: Timing) -> None:
        self.binary, self.env, self.folder, self.session_id, self.timing = binary, env, folder, session_id, timing
        self.child: Any = None
        self.started = 0.0
        self.buffer = b""
        self.exited = False
        self._tail = b""

    def start(self) -> None:
        from codexbar.access.commands import spawn_pty

        argv = [str(self.binary), "--allowed-tools", "", "--strict-mcp-config", "--session-id", self.session_id]
        self.child = spawn_pty(argv, child_env(self.env, self.folder), cwd=str(self.folder), rows=50, cols=160)
        # close() runs after kill_tree: no need for pexpect's default pauses
        for holder in (self.child, getattr(self.child, "ptyproc", None)):
            if holder is not None:
                holder.delayafterclose = 0.0
                holder.delayafterterminate = 0.0
        self.started = time.monotonic()

    def close(self) -> None:
        from codexbar.access.commands import kill_tree

        if self.child is None:
            return
        try:
            if self.child.isalive():
                self.child.send(b"/exit\r")
        except Exception:  # noqa: BLE001 - the child may already be gone
            pass
        kill_tree(self.child.pid)
        try:
            self.child.close(force=True)
        except Exception:  # noqa: BLE001
            pass
        self.child = None

    def _read(self) -> bytes:
        import pexpect

        if self.exited:
            return b""
        try:
            chunk = bytes(self.child.read_nonblocking(65536, timeout=self.timing.poll))
        except pexpect.TIMEOUT:
            return b""
        except (pexpect.EOF, OSError):
            self.exited = True
            return b""
        self._cursor(chunk)
        return chunk

    def _send(self, data: bytes) -> None:
        try:
            self.child.send(data)
        except OSError:
            self.exited = True

    def _cursor(self, chunk: bytes) -> None:
        """Answer every ``ESC[6n`` (also when it straddles two reads) with ``ESC[1;1R``."""
        data = self._tail + chunk
        for _ in range(data.count(CURSOR_QUERY)):
            self._send(CURSOR_REPLY)
        self._tail = data[-(len(CURSOR_QUERY) - 1):]

    def _answer(self, captured: bytes, answered: set, extra: Tuple[Tuple[str, bytes], ...] = ()) -> None:
        """Known prompts get their keys once each."""
        squashed = panel_mod.no_space(panel_mod.strip_ansi(captured[-8192:].decode("utf-8", "replace")))
        for needle, keys in PROMPTS + extra:
            key = panel_mod.no_space(needle)
            if key not in answered and key in squashed:
                answered.add(key)
                self._send(keys)

    def warm_up(self, answered: set) -> None:
        """Read (and answer prompts) until Claude had ``startup_wait`` seconds to draw."""
        while time.monotonic() - self.started < self.timing.startup_wait and not self.exited:
            chunk = self._read()
            if chunk:
                self.buffer += chunk
                self._answer(self.buffer, answered)

    def usage(self, timeout: float, answered: set) -> Capture:
        self._send(b"/usage")
        self._send(b"\r")
        captured = self.buffer
        end = time.monotonic() + timeout
        last_enter = time.monotonic()
        stopped = False
        while time.monotonic() < end and not self.exited and len(captured) < MAX_CAPTURE:
            chunk = self._read()
            if chunk:
                captured += chunk
                self._answer(captured, answered, PALETTE["/usage"])
                squashed = panel_mod.no_space(panel_mod.strip_ansi(captured.decode("utf-8", "replace")[-8192:]))
                if (any(s in squashed for s in USAGE_STOP) or panel_mod.has_session_value(squashed)
                        or panel_mod.has_subscription_notice(squashed)):
                    stopped = True
                    break
            if time.monotonic() - last_enter >= self.timing.enter_every:
                self._send(b"\r")
                last_enter = time.monotonic()
        if stopped:
            settle_end = min(end, time.monotonic() + self.timing.usage_settle)
            while time.monotonic() < settle_end and not self.exited:
                captured += self._read()
        return Capture(usage=captured.decode("utf-8", "replace"), status=None,
                       timed_out=not stopped and not self.exited, exited=self.exited)

    def status(self, answered: set) -> Optional[str]:
        """``/status`` for identity only: stop after ``status_idle`` quiet seconds."""
        if self.exited:
            return None
        self._send(b"/status")
        self._send(b"\r")
        captured = b""
        end = time.monotonic() + self.timing.status_timeout
        last_output = time.monotonic()
        while time.monotonic() < end and not self.exited and len(captured) < MAX_CAPTURE:
            chunk = self._read()
            if chunk:
                captured += chunk
                last_output = time.monotonic()
                self._answer(captured, answered, PALETTE["/status"])
            elif captured and time.monotonic() - last_output >= self.timing.status_idle:
                break
        return captured.decode("utf-8", "replace") if captured else None


class CliSource(Source):
    id = "cli"

    def __init__(self, timing: Optional[Timing] = None) -> None:
        self.timing = timing or Timing()
        self._availability: Dict[str, Tuple[float, Tuple[bool, str]]] = {}

    # -- availability -----------------------------------------------------------------------
    def _check(self, ctx: FetchContext) -> Tuple[bool, str]:
        # remembered briefly: the pipeline asks available() and unavailable_reason() in one run
        key = "%s|%s|%s" % (ctx.env.environ.get("PATH", ""), ctx.env.get("CLAUDE_CLI_PATH") or "", bool(ctx.account))
        cached = self._availability.get(key)
        if cached is not None and time.monotonic() - cached[0] < 60:
            return cached[1]
        if ctx.account:
            result = (False, "a token account is selected (the CLI uses its own login)")
        else:
            binary = resolve_binary(ctx.env)
            if binary is None:
                result = (False, "the `claude` command was not found")
            else:
                folder, _ = prepare_probe_dir(ctx.env)
                logged_in = auth_status(binary, ctx.env, folder, self.timing.auth_timeout)
                result = (False, "`claude auth status` says you are not logged in") if logged_in is False else (True, "")
        self._availability[key] = (time.monotonic(), result)
        return result

    def available(self, ctx: FetchContext) -> bool:
        return self._check(ctx)[0]

    def unavailable_reason(self, ctx: FetchContext) -> str:
        return self._check(ctx)[1] or "not configured"

    def falls_back_on(self, error: FetchError) -> bool:
        # a subscription notice is the answer for this login, not a failure another source can fix
        return panel_mod.SUBSCRIPTION_NOTICE not in error.message

    # -- fetch ------------------------------------------------------------------------------
    def timeouts(self, ctx: FetchContext) -> Tuple[float, float]:
        return (12.0, 60.0) if ctx.runtime == "cli" else (24.0, 60.0)

    def _budget(self, ctx: FetchContext, wanted: float) -> float:
        if ctx.deadline is None:
            return wanted
        return max(0.5, min(wanted, ctx.deadline - time.monotonic() - 1.0))

    def fetch(self, ctx: FetchContext) -> ProviderResult:
        now = ctx.now
        blocked = ctx.cache.get(RATE_GATE_KEY) if ctx.cache is not None else None
        if isinstance(blocked, (int, float)) and blocked > now.timestamp():
            raise RateLimited(panel_mod.PARSE_PREFIX + panel_mod.RATE_LIMITED,
                              hint="The CLI source waits 5 minutes after Claude rate limits it.",
                              retry_after=blocked - now.timestamp())
        binary = resolve_binary(ctx.env)
        if binary is None:
            raise BinaryNotFound(NOT_INSTALLED, hint="Install Claude Code, or set CLAUDE_CLI_PATH to the `claude` binary.")
        recent = self._recent_result(ctx)
        if recent is not None:
            return recent
        folder, session_id = prepare_probe_dir(ctx.env)
        first, second = self.timeouts(ctx)
        # one probe at a time across processes: they share the probe dir and the session id
        lock = ctx.cache.lock("claude-cli-probe") if ctx.cache is not None else None
        if lock is not None and not lock.acquire(timeout=self._budget(ctx, 30.0)):
            raise FetchTimeout("Another Claude CLI probe is still running.",
                               hint="It will retry on the next refresh.")
        try:
            result = self._probe_with_retry(ctx, binary, folder, session_id, first, second)
        except RateLimited:
            if ctx.cache is not None:
                ctx.cache.set(RATE_GATE_KEY, now.timestamp() + RATE_GATE_SECONDS, expire=RATE_GATE_SECONDS)
            raise
        finally:
            if lock is not None:
                lock.release()
        snapshot = panel_mod.snapshot(result, now, local_zone(ctx.env))
        outcome = ProviderResult(provider="claude", source="claude", version=cached_version(ctx, binary), usage=snapshot)
        if ctx.cache is not None:
            ctx.cache.set(LAST_RESULT_KEY, {"at": now.timestamp(), "result": outcome.dump()},
                          expire=BACKGROUND_SPAWN_FLOOR)
        return outcome

    @staticmethod
    def _recent_result(ctx: FetchContext) -> Optional[ProviderResult]:
        """A scheduled menu refresh reuses a CLI result from the last 15 minutes (CodexBar's spawn
        floor): launching `claude` every 5 minutes costs seconds of CPU. A click always re-runs it."""
        if ctx.runtime != "plugin" or ctx.interactive or ctx.cache is None:
            return None
        entry = ctx.cache.get(LAST_RESULT_KEY)
        if not isinstance(entry, dict) or not isinstance(entry.get("at"), (int, float)):
            return None
        age = ctx.now.timestamp() - entry["at"]
        if not 0 <= age < BACKGROUND_SPAWN_FLOOR:
            return None
        try:
            return ProviderResult.model_validate(entry["result"])
        except Exception:  # noqa: BLE001 - an unreadable cache entry just means "run the CLI"
            return None

    @staticmethod
    def _retryable(error: FetchError) -> bool:
        """A timeout or a panel still loading earns one more attempt with the longer wait."""
        return error.kind == "timeout" or panel_mod.STILL_LOADING in error.message

    def _probe_with_retry(self, ctx: FetchContext, binary: Path, folder: Path, session_id: str,
                          first: float, second: float) -> panel_mod.Panel:
        try:
            return self._probe(ctx, binary, folder, session_id, self._budget(ctx, first))
        except FetchError as error:
            if not self._retryable(error):
                raise
        return self._probe(ctx, binary, folder, session_id, self._budget(ctx, second))

    def _probe(self, ctx: FetchContext, binary: Path, folder: Path, session_id: str,
               timeout: float) -> panel_mod.Panel:
        """One PTY run, parsed; a timeout or a stuck panel falls back to `claude /usage` once."""
        capture = self.capture(ctx.env, binary, folder, session_id, timeout)
        try:
            return panel_mod.parse_panel(capture.usage, capture.status)
        except FetchError as parsed_error:
            error = parsed_error
            if capture.timed_out and "Missing Current session" in error.message:
                # nothing usable was drawn after /usage within the wait: that is a timeout
                error = FetchTimeout("Claude usage probe timed out.",
                                     hint="Run `claude` in a terminal and type /usage; it may need an update or a login.")
        lower = error.message.lower()
        if error.kind != "timeout" and "still loading usage" not in lower and "could not load usage data" not in lower:
            raise error
        text = self.direct(ctx.env, binary, folder, min(max(timeout / 3.0, 6.0), 8.0))
        if text is None:
            raise error
        try:
            return panel_mod.parse_panel(text, None)
        except FetchError as direct_error:
            if "subscription" in direct_error.message.lower():
                raise direct_error from None
            raise error from None

    def capture(self, env: Env, binary: Path, folder: Path, session_id: str, timeout: float) -> Capture:
        """One PTY run: warm up, /usage, then /status only when the usage panel is usable."""
        clean_transcript(env, folder, session_id)
        session = PtySession(binary, env, folder, session_id, self.timing)
        answered: set = set()
        try:
            session.start()
            session.warm_up(answered)
            capture = session.usage(timeout, answered)
            if not capture.timed_out and not capture.exited:
                try:
                    panel_mod.check_usage(capture.usage)
                except FetchError:
                    return capture  # /status cannot repair a usage error
                capture.status = session.status(answered)
            return capture
        finally:
            session.close()
            clean_transcript(env, folder, session_id)

    def direct(self, env: Env, binary: Path, folder: Path, timeout: float) -> Optional[str]:
        """Fallback after a PTY timeout: ``claude /usage`` with stdin closed (6–8 s)."""
        from codexbar.access.commands import run

        try:
            done = run([str(binary), "/usage"], child_env(env, folder), timeout=min(timeout, self.timing.direct_timeout),
                       cwd=str(folder), label="claude /usage")
        except (FetchError, OSError):
            return None
        return done.stdout if done.stdout.strip() else None
