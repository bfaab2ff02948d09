"""Several providers at once fetch concurrently (total time = the slowest), in the CLI and in the
merged plugin's background refresh. Checked functionally: a threaded loopback server records how
many provider requests were in flight at the same moment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from support import zai
from support.run import PYTHON, ROOT, lint, run_cli

CODEX_FIX = ROOT / "fixtures" / "codex"
CODEX_USAGE = "/backend-api/wham/usage"


class InFlight:
    def __init__(self) -> None:
        self.now = 0
        self.peak = 0
        self.lock = threading.Lock()

    def slow(self, body: str, delay: float = 2.5):  # noqa: ANN201 - long enough to overlap on a loaded machine
        def handler(request):  # noqa: ANN001, ANN202
            with self.lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
            time.sleep(delay)
            with self.lock:
                self.now -= 1
            return Response(body, content_type="application/json")
        return handler


@pytest.fixture
def two_slow_providers(home: Path, monkeypatch: pytest.MonkeyPatch):
    server = HTTPServer(threaded=True)
    server.start()
    flight = InFlight()
    server.expect_request(zai.QUOTA).respond_with_handler(flight.slow(zai.body("quota-normal.json")))
    server.expect_request(zai.MODEL_USAGE).respond_with_data(zai.body("model-usage-empty.json"),
                                                             content_type="application/json")
    server.expect_request(CODEX_USAGE).respond_with_handler(
        flight.slow((CODEX_FIX / "http" / "usage-normal.json").read_text()))
    server.expect_request("/backend-api/wham/rate-limit-reset-credits").respond_with_data(
        (CODEX_FIX / "http" / "reset-credits.json").read_text(), content_type="application/json")
    base = server.url_for("").rstrip("/")
    origins = list(zai.ORIGINS) + ["https://chatgpt.com", "https://auth.openai.com", "https://chat.openai.com"]
    monkeypatch.setenv("CODEXBAR_ENDPOINT_OVERRIDES", json.dumps({o: base for o in origins}))
    monkeypatch.setenv("Z_AI_API_KEY", "zai-test-key-0000000000")
    monkeypatch.setenv("CODEX_CLI_PATH", str(home / "no-codex-here"))
    monkeypatch.setenv("CODEXBAR_NO_STATUS", "1")
    monkeypatch.setenv("CODEXBAR_NO_COST", "1")
    auth = home / ".codex" / "auth.json"
    auth.parent.mkdir(parents=True)
    shutil.copyfile(CODEX_FIX / "auth" / "oauth.json", auth)
    yield flight
    server.clear()
    if server.is_running():
        server.stop()


def test_usage_for_several_providers_runs_them_at_once(two_slow_providers):
    result = run_cli(["usage", "--provider", "zai,codex", "--format", "json"])
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert [e["provider"] for e in data] == ["zai", "codex"]
    assert all("error" not in e for e in data)
    assert two_slow_providers.peak == 2


def test_merged_plugin_refreshes_every_provider_concurrently(two_slow_providers, home):
    config = home / ".config" / "codexbar" / "config.json"
    config.parent.mkdir(parents=True)
    config.write_text(json.dumps({"version": 1, "providers": [{"id": "codex", "enabled": True},
                                                              {"id": "zai", "enabled": True}]}))
    env = dict(os.environ, SWIFTBAR="1", CODEXBAR_FIRST_FETCH_BUDGET="30")
    done = subprocess.run([PYTHON, str(ROOT / "plugins" / "codexbar.5m.py")], capture_output=True, text=True,
                          env=env, cwd="/", timeout=60)
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Codex 78%  z.ai 75% | ")
    assert "Codex · oauth | size=12" in lines and "z.ai / GLM · api | size=12" in lines
    assert two_slow_providers.peak == 2
    assert lint(done.stdout).returncode == 0, done.stdout
