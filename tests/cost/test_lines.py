"""Huge lines, non-UTF-8 bytes, malformed and partially written lines are skipped without
losing anything around them."""

from __future__ import annotations

import io
import json

from codexbar.cost import service
from codexbar.cost.lines import OVERSIZED, iter_blocks, iter_chunks


def _lines(data: bytes, max_line: int = 100, chunk: int = 16):
    out, ends = [], []
    for lines, end in iter_blocks(io.BytesIO(data), 0, max_line, chunk=chunk):
        out.extend(lines)
        ends.append(end)
    return out, ends


def test_reader_yields_complete_lines_and_safe_offsets():
    data = b'{"a":1}\n' + b"x" * 250 + b"\n" + b'{"b":2}\n' + b'{"partial"'
    lines, ends = _lines(data)
    assert lines[0] == b'{"a":1}'
    assert lines[1].startswith(OVERSIZED) and len(lines[1]) < 250  # dropped, only a prefix kept
    assert lines[2] == b'{"b":2}'
    assert len(lines) == 3
    assert ends[-1] == len(data) - len(b'{"partial"')  # the unfinished line is left for later


def test_reader_resumes_from_an_offset():
    data = b'{"a":1}\n{"b":2}\n{"c":3}\n'
    out = []
    for lines, _ in iter_blocks(io.BytesIO(data), 8, 100, chunk=5):
        out.extend(lines)
    assert out == [b'{"b":2}', b'{"c":3}']


def test_reads_sized_by_a_stale_file_size_still_reach_the_end():
    """The size hint is the size at open time; a file that grew or shrank since reads the same."""
    data = b'{"a":1}\n{"b":2}\n{"c":3}\n'
    for hint in (0, 5, len(data) - 1, len(data), len(data) + 40):
        for chunk in (4, 1 << 20):
            got = b"".join(part for part, _ in iter_chunks(io.BytesIO(data), 8, 100, chunk, hint))
            assert got == data[8:], (hint, chunk)


def _assistant(msg: str, inp: int, text: str = "ok") -> bytes:
    return json.dumps({"type": "assistant", "timestamp": "2026-08-03T09:00:00Z", "requestId": "req_" + msg,
                       "message": {"id": msg, "model": "claude-haiku-4-5", "content": [{"type": "text", "text": text}],
                                   "usage": {"input_tokens": inp, "output_tokens": 0}}},
                      separators=(",", ":")).encode() + b"\n"


def test_huge_claude_line_is_skipped_and_the_rest_counts(home, env):
    folder = home / ".claude" / "projects" / "-p"
    folder.mkdir(parents=True)
    huge = _assistant("msg_huge", 5000, "y" * (600 * 1024))  # > 512 KiB: skipped whole
    (folder / "s.jsonl").write_bytes(_assistant("msg_a", 100) + huge + b"\xff\xfe not json\n" + _assistant("msg_b", 7))
    report = service.cost_report(env(), "claude")
    assert report["daily"][0]["inputTokens"] == 107


def test_huge_line_cut_by_a_scan_is_still_skipped_after_append(home, env):
    folder = home / ".claude" / "projects" / "-p"
    folder.mkdir(parents=True)
    huge = _assistant("msg_huge", 5000, "y" * (600 * 1024))
    path = folder / "s.jsonl"
    path.write_bytes(_assistant("msg_a", 100) + huge[:300_000])  # being written right now
    assert service.cost_report(env(), "claude")["daily"][0]["inputTokens"] == 100
    with open(path, "ab") as handle:
        handle.write(huge[300_000:] + _assistant("msg_b", 7))
    assert service.cost_report(env(), "claude")["daily"][0]["inputTokens"] == 107


def test_huge_codex_line_is_skipped(home, env):
    folder = home / ".codex" / "sessions" / "2026" / "08" / "03"
    folder.mkdir(parents=True)
    lines = [
        b'{"timestamp":"2026-08-03T09:00:00Z","type":"session_meta","payload":{"id":"s-1"}}',
        b'{"timestamp":"2026-08-03T09:00:01Z","type":"turn_context","payload":{"model":"gpt-5"}}',
        b'{"timestamp":"2026-08-03T09:00:02Z","type":"event_msg","payload":{"type":"token_count","pad":"'
        + b"z" * (300 * 1024) + b'","info":{"last_token_usage":{"input_tokens":999,"output_tokens":1}}}}',
        b'{"timestamp":"2026-08-03T09:00:03Z","type":"event_msg","payload":{"type":"token_count","info":'
        b'{"last_token_usage":{"input_tokens":40,"cached_input_tokens":0,"output_tokens":2}}}}',
        b'{"timestamp":"2026-08-03T09:00:04Z","type":"event_msg","payload":{"type":"token_count","info":{"last_token_usage":',
    ]
    (folder / "rollout-2026-08-03T09-00-00-s-1.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    day = service.cost_report(env(), "codex")["daily"][0]
    assert (day["inputTokens"], day["outputTokens"]) == (40, 2)
