"""What a user sees: the cost block in the Claude/Codex menus (from the stored summary), the
daily-cost chart PNG, the "Scanning logs…" state, and `codexbar cost` text."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from datetime import datetime, timezone

from codexbar.cost import summary as S
from codexbar.render import cost as R

NOW = datetime(2026, 8, 3, 12, tzinfo=timezone.utc)
HINT_CLAUDE = ("Estimated from local Claude logs at API rates; token totals include cache read/write "
               "tokens and may differ from Claude Code /status.")


def _decode_png(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks[kind] = body
        pos += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + width * 4
    rows = [raw[i * stride + 1:(i + 1) * stride] for i in range(height)]
    return width, height, chunks, rows


def test_claude_menu_block_from_refreshed_summary(logs, env):
    summary = S.refresh_summary(env(), "claude")
    assert summary == S.read_summary(env().cache_dir, "claude")
    path = S.summary_path(env().cache_dir, "claude")
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    items = R.swiftbar_items(summary, NOW)
    texts = [(depth, text) for depth, text, _ in items if "image" not in _]
    assert texts == [
        (0, "Cost (API-rate estimate)"),
        (0, "Today: $0.01 · 20K tokens"),
        (0, "Last 30 days: $0.19 · 224K tokens"),
        (0, "Models (last 30 days)"),
        (1, "claude-sonnet-4-5: $0.16 · 221K tokens"),
        (1, "claude-opus-4-5: $0.02 · 2.1K tokens"),
        (1, "claude-haiku-4-5: $0.00 · 60 tokens"),
        (1, "claude-mystery-9: price unknown · 150 tokens"),
        (0, HINT_CLAUDE),
    ]
    [image] = [p["image"] for _, _, p in items if "image" in p]
    width, height, chunks, rows = _decode_png(base64.b64decode(image))
    assert (width, height) == (30 * 4 + 29, 40)  # one bar per day of the 30-day window
    assert struct.unpack(">IIB", chunks[b"pHYs"]) == (5669, 5669, 1)  # 144 dpi: drawn at half size
    # 08-02 ($0.169) is the tallest bar: full height; today ($0.0148) is orange and ~9% high
    x_0802, x_today = 28 * 5, 29 * 5
    assert rows[0][x_0802 * 4:x_0802 * 4 + 4] == bytes((0x0A, 0x84, 0xFF, 0xFF))
    today_column = [row[x_today * 4:x_today * 4 + 4] for row in rows]
    assert sum(1 for px in today_column if px == bytes((0xFF, 0x9F, 0x0A, 0xFF))) == round(0.014758 / 0.168945 * 40)


def test_codex_menu_lists_unknown_model_without_price(logs, env):
    summary = S.refresh_summary(env(), "codex")
    lines = [text for _, text, params in R.swiftbar_items(summary, NOW)]
    assert "Today: $1.53 · 321K tokens" in lines
    assert "Last 30 days: $1.56 · 424K tokens" in lines
    assert "Unknown model: price unknown · 1.1K tokens" in lines
    assert lines[-1] == "Not a subscription bill or plan value · local usage × public API prices"


def test_scan_over_budget_shows_scanning_then_the_result(logs, env):
    assert S.refresh_summary(env(), "claude", budget_seconds=0) is None
    pending = S.read_summary(env().cache_dir, "claude")
    assert [t for _, t, _ in R.swiftbar_items(pending, NOW)] == ["Cost (API-rate estimate)", "Scanning logs…"]
    done = S.refresh_summary(env(), "claude", budget_seconds=30)
    assert done is not None and "scanning" not in done
    assert R.scanning_items() == [(0, "Scanning logs…", {"color": R.MUTED})]


def test_menu_items_render_as_valid_swiftbar(logs, env):
    from codexbar.render.swiftbar import Menu
    from support.run import lint

    summary = S.refresh_summary(env(), "claude")
    menu = Menu(env())
    menu.line("Claude")
    menu.separator()
    menu.items(R.swiftbar_items(summary, NOW))
    checked = lint(menu.text())
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_cost_text_and_color(logs):
    from support.run import run_cli

    result = run_cli(["cost", "--provider", "claude"])
    assert result.stdout.splitlines() == [
        "Claude Cost (API-rate estimate)",
        "Today: $0.01 · 20K tokens",
        "Last 30 days: $0.19 · 224K tokens",
        HINT_CLAUDE,
    ]
    assert result.stderr == ""  # no progress output when stderr is not a terminal
    colored = R.text_block({"provider": "codex", "historyDays": 7}, color=True)
    assert colored.splitlines() == ["\x1b[1;36mCodex API-equivalent estimate (not billed)\x1b[0m",
                                    "Today: —", "Last 7 days: —",
                                    "Not a subscription bill or plan value · local usage × public API prices"]


def test_no_logs_no_menu_block(home, env):
    summary = S.refresh_summary(env(), "codex")
    assert summary["noLogs"] is True and R.swiftbar_items(summary, NOW) == []


def test_empty_history_reports_zero(home):
    from support.run import run_cli

    [element] = json.loads(run_cli(["cost", "--provider", "claude", "--json"]).stdout)
    assert element["daily"] == [] and element["sessionTokens"] == 0 and element["last30DaysCostUSD"] == 0
    assert element["totals"] == {"totalCost": 0, "totalTokens": 0}
    assert element["provenance"] == "unknown"


def test_progress_on_a_terminal(logs):
    """The first scan reports progress on stderr when stderr is a terminal (a real PTY)."""
    import os
    import sys

    import pexpect

    child = pexpect.spawn(sys.executable, ["-m", "codexbar", "cost", "--provider", "codex", "--no-color"],
                          env=dict(os.environ), encoding="utf-8", timeout=30)
    output = child.read()
    child.wait()
    assert "Scanning Codex logs… 100%" in output
    assert "Codex API-equivalent estimate (not billed)" in output


def test_cache_clear_command(logs, env):
    from support.run import run_cli

    assert run_cli(["cache", "clear"]).stderr.strip() == "Error: Specify --cookies, --cost, or --all."
    assert run_cli(["cache", "clear", "--cost", "--provider", "claude"]).returncode == 1
    cookies = env().data_dir / "cookies"
    cookies.mkdir(parents=True)
    (cookies / "claude.json").write_text("{}")
    (cookies / "codex.json").write_text("{}")
    S.refresh_summary(env(), "claude")
    one = run_cli(["cache", "clear", "--cookies", "--provider", "claude", "--json"])
    assert json.loads(one.stdout) == [{"cache": "cookies", "provider": "claude", "cleared": 1}]
    everything = run_cli(["cache", "clear", "--all"])
    assert everything.stdout.splitlines() == ["cookies: cleared (all providers)", "cost: cleared (all providers)"]
    assert S.read_summary(env().cache_dir, "claude") is None
    again = run_cli(["cache", "clear", "--all", "--json"])
    assert json.loads(again.stdout) == [{"cache": "cookies", "cleared": 0}, {"cache": "cost", "cleared": 0}]


def test_scan_failure_is_a_json_error_element_not_a_traceback(logs, tmp_path):
    from support.run import run_cli

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")  # the cache folder cannot be created
    result = run_cli(["cost", "--provider", "claude", "--json"], env={"XDG_CACHE_HOME": str(blocker)})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [element] = json.loads(result.stdout)
    assert element["provider"] == "claude" and element["error"]["kind"] == "provider"
    assert element["error"]["message"].startswith("Could not scan local Claude logs: ")
    text = run_cli(["cost", "--provider", "claude"], env={"XDG_CACHE_HOME": str(blocker)})
    assert text.returncode == 1 and text.stdout == ""
    assert text.stderr.startswith("Error: Could not scan local Claude logs")


def test_hot_path_schema_matches_the_summary_writer():
    from codexbar.cost.summary import SCHEMA
    from codexbar.render.cost import SUMMARY_SCHEMA

    assert SUMMARY_SCHEMA == SCHEMA
