"""``codex -s read-only -a never app-server``: newline-delimited JSON-RPC over stdio.

One short-lived child per fetch. A reader thread turns stdout into whole lines (bounded, so a
runaway line kills the child instead of our memory); stderr is drained and dropped. Every
request has a deadline; on timeout, on any error and on close the child gets stdin closed,
SIGTERM, then its whole process tree is killed.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Dict, Optional

from codexbar.access.commands import child_env, kill_tree
from codexbar.env import Env
from codexbar.providers.codex.errors import rpc_malformed, rpc_timeout

ARGS = ("-s", "read-only", "-a", "never", "app-server")
CLIENT_INFO = {"name": "codexbar", "version": "0.5.4"}
INITIALIZE_TIMEOUT = 8.0
REQUEST_TIMEOUT = 3.0
MAX_LINE = 1024 * 1024   # CodexBar's bounded line buffer
_EOF = object()


class LaunchError(Exception):
    """The child could not be started at all (exec format, permissions, …)."""


class RpcRequestError(Exception):
    """The server answered a request with ``{"error": {"message": …}}`` (raw, multi-line text)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.raw = message


class AppServer:
    def __init__(self, executable: Path, env: Env, *, deadline: Optional[float] = None,
                 initialize_timeout: float = INITIALIZE_TIMEOUT, request_timeout: float = REQUEST_TIMEOUT) -> None:
        self.executable = executable
        self.env = env
        self.deadline = deadline
        self.initialize_timeout = initialize_timeout
        self.request_timeout = request_timeout
        self.proc: Optional[subprocess.Popen] = None
        self._lines: "queue.Queue[Any]" = queue.Queue()
        self._eof = False
        self._next_id = 1

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        try:
            self.proc = subprocess.Popen(
                [str(self.executable), *ARGS], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env=child_env(self.env), start_new_session=True)
        except OSError as exc:
            raise LaunchError(exc.strerror or type(exc).__name__) from None
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def close(self) -> None:
        """Close stdin, SIGTERM, a short grace period, then kill the tree. Safe to call twice."""
        proc = self.proc
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
        except OSError:
            pass
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except OSError:
                pass
            try:
                proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
        kill_tree(proc.pid)
        try:
            proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            pass
        for stream in (proc.stdout, proc.stderr):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass

    def __enter__(self) -> "AppServer":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- wire ---------------------------------------------------------------------------------
    def _read_stdout(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        stream = self.proc.stdout
        try:
            while True:
                line = stream.readline(MAX_LINE + 1)
                if not line:
                    break
                if len(line) > MAX_LINE and not line.endswith(b"\n"):
                    kill_tree(self.proc.pid)   # a line past the cap: stop the child, not our memory
                    break
                self._lines.put(line)
        except (OSError, ValueError):
            pass
        self._lines.put(_EOF)

    def _drain_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        try:
            while self.proc.stderr.read(65536):
                pass
        except (OSError, ValueError):
            pass

    def _send(self, payload: Dict[str, Any]) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        data = (json.dumps(payload, separators=(",", ":")) + "\n").encode("utf-8")
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            # The child may have exited after writing its answers: keep reading what it left.
            pass

    def notify(self, method: str, params: Optional[Dict[str, Any]] = None) -> None:
        self._send({"method": method, "params": params or {}})

    def request(self, method: str, params: Optional[Dict[str, Any]] = None,
                timeout: Optional[float] = None) -> Dict[str, Any]:
        """Send a request, return its whole reply message; skip notifications and other ids."""
        request_id = self._next_id
        self._next_id += 1
        self._send({"id": request_id, "method": method, "params": params or {}})
        limit = timeout if timeout is not None else self.request_timeout
        end = time.monotonic() + limit
        if self.deadline is not None:
            end = min(end, self.deadline)
        while True:
            message = self._next_message(end, method)
            if "id" not in message and isinstance(message.get("method"), str):
                continue   # a notification
            if _as_int(message.get("id")) != request_id:
                continue
            error = message.get("error")
            if isinstance(error, dict) and isinstance(error.get("message"), str):
                raise RpcRequestError(error["message"])
            return message

    def _next_message(self, end: float, method: str) -> Dict[str, Any]:
        while True:
            if self._eof:
                raise rpc_malformed("codex app-server closed stdout")
            left = end - time.monotonic()
            if left <= 0:
                self.close()
                raise rpc_timeout(method)
            try:
                item = self._lines.get(timeout=left)
            except queue.Empty:
                self.close()
                raise rpc_timeout(method) from None
            if item is _EOF:
                self._eof = True
                continue
            try:
                message = json.loads(item)
            except ValueError:
                continue
            if isinstance(message, dict):
                return message


def _as_int(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
