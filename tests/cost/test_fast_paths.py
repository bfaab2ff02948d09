"""The scanner's shortcuts give exactly the answers of the plain line-by-line rules.

* ``jsonline``: msgspec and the standard-library fallback accept and reject the same lines, and a
  whole ``codexbar cost`` run without msgspec installed prints the same JSON.
* Claude ``parse_chunk`` (lines found by searching the buffer, deferred pricing/Vertex test)
  equals ``parse_line`` applied to every line, for awkward lines and any chunk size.
* Codex ``feed_chunk`` (lines that cannot count recognised from their head) equals the plain
  word filter plus parser.
* Timestamps: the day-cache fast path equals the ``datetime`` parser.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys

from pathlib import Path

import pytest

from codexbar.cost import claude, codex, discover, jsonline, lines, timeutil
from codexbar.cost.pricing import load

GEN = Path(__file__).resolve().parents[3] / "shared" / "bench" / "gen_logs.py"

# -- JSON parser ------------------------------------------------------------------------------

TRICKY = [
    b'{"a":1}', b' {"a":1}\r', b'{"a":NaN}', b'{"a":-Infinity}', b'{"a":1e400}', b'{"a":1.5e3}',
    b'\xef\xbb\xbf{"a":1}', b'{"a":"\xff"}', b'{"a":"\\ud83d\\ude00"}', b'{"a":"\\ud800"}',
    b'{"a":"\\ud800","b":NaN}', b'{"a":1,"a":2}', b'[' * 100 + b']' * 100, b'[' * 100000 + b']' * 100000, b'{"a":1} x', b'',
    b'{"a":"caf\xc3\xa9"}', b'{"a":-0}', b'{"a":true,"b":null}', b'{"a":' + b'7' * 5000 + b'}',
    b'{"a":"\xc0\xaf"}', b'{"a":"\xed\xa0\x80"}', b'{"a":"x\x01"}', b'{"a":"\x7f"}', b'{"a":[1,]}',
]


def _outcome(fn, data):
    try:
        return ("ok", fn(data))
    except ValueError:
        return ("rejected", None)


@pytest.mark.skipif(not jsonline.is_fast(), reason="msgspec not installed")
@pytest.mark.parametrize("data", TRICKY, ids=range(len(TRICKY)))
def test_fallback_parser_accepts_and_rejects_like_msgspec(data):
    assert _outcome(jsonline.loads, data) == _outcome(jsonline.std_loads, data)
    assert _outcome(jsonline.loads, memoryview(b"xx" + data + b"yy")[2:2 + len(data)]) == _outcome(jsonline.std_loads, data)


def test_huge_integers_count_as_zero_with_either_parser():
    line = (b'{"type":"assistant","timestamp":"2026-08-03T09:00:00.000Z","requestId":"r",'
            b'"message":{"id":"m","model":"claude-haiku-4-5","usage":{"input_tokens":123456789012345678901234567890,'
            b'"output_tokens":18446744073709551615,"cache_read_input_tokens":5}}}')
    rows = []
    for parser in (jsonline.loads, jsonline.std_loads):
        rows.append(claude._light(parser(line)))
    assert rows[0] == rows[1]
    assert rows[0][3:8] == (0, 5, 0, 0, 0)  # input, read, create, 1h, output


NO_MSGSPEC = """
import sys
sys.modules["msgspec"] = None  # as on a Python without a msgspec wheel
from codexbar.cost import jsonline
assert not jsonline.is_fast()
from codexbar.cli import main
sys.argv = ["codexbar"] + sys.argv[1:]
sys.exit(main())
"""


def test_cost_without_msgspec_prints_the_same_json(logs, tmp_path):
    """Real processes: the same `codexbar cost --json` with and without msgspec (separate caches)."""
    base = dict(os.environ)
    args = ["cost", "--provider", "both", "--days", "90", "--json"]
    with_fast = subprocess.run([sys.executable, "-m", "codexbar", *args], capture_output=True, text=True,
                               env=dict(base, XDG_CACHE_HOME=str(tmp_path / "c1")), timeout=60)
    script = tmp_path / "no_msgspec.py"
    script.write_text(NO_MSGSPEC)
    without = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                             env=dict(base, XDG_CACHE_HOME=str(tmp_path / "c2")), timeout=60)
    assert without.returncode == 0, without.stderr
    assert json.loads(without.stdout) == json.loads(with_fast.stdout)
    assert [e["totals"]["totalTokens"] for e in json.loads(without.stdout)] == [424142, 223599 + 200]


# -- Claude -----------------------------------------------------------------------------------


def _assistant(msg, req, inp, out=1, ts="2026-08-03T09:00:00.000Z", model="claude-haiku-4-5",
               extra="", order="message-first"):
    message = ('{"id":"%s","type":"message","role":"assistant","model":"%s","content":[{"type":"text","text":"hi"}],'
               '"usage":{"input_tokens":%d,"output_tokens":%d}%s}' % (msg, model, inp, out, extra))
    if order == "message-first":
        return ('{"parentUuid":null,"isSidechain":false,"message":%s,"requestId":"%s","type":"assistant",'
                '"timestamp":"%s"}' % (message, req, ts)).encode()
    return ('{"type":"assistant","timestamp":"%s","requestId":"%s","message":%s}' % (ts, req, message)).encode()


AWKWARD_CLAUDE = [
    _assistant("m1", "r1", 10, 1),
    _assistant("m1", "r1", 10, 5),  # streamed: the later line of the same response wins
    _assistant("m2", "r2", 7, order="type-first"),  # "type" before "usage", far from the end
    _assistant("m3", "r3", 3, extra=',"pad":"%s"' % ("x" * 3000)),  # "type" further than the tail window
    b'{"type":"user","message":{"role":"user","content":"see {\\"type\\":\\"assistant\\",\\"usage\\":1}"}}',
    b'{"type":"user","toolUseResult":{"type":"assistant","usage":{"input_tokens":99}},"message":{}}',
    _assistant("m4", "r4", 4, extra=',"metadata":{"VertexRegion":"us-east5"}'),  # Vertex by a key, mixed case
    _assistant("m5", "r5", 5, extra=',"signature":"abGCPxyz"'),  # the word but no Vertex key
    _assistant("msg_vrtx_6", "r6", 6),
    _assistant("m7", "r7", 7, model="claude-opus-4-5@20251101"),
    _assistant("m8", "r8", 0, 0),  # zero usage: no row, and does not replace an earlier m8
    _assistant("m9", "r9", 9, ts="not a time"),
    b'{"type":"assistant","usage":{} \xff}',
    b'{"type":"assistant","timestamp":"2026-08-03T09:00:00Z","message":{"model":"claude-haiku-4-5","usage":{"input_tokens":2}}}',
    b'{"type":"assistant","timestamp":"2026-08-03T09:00:00Z","message":{"model":"claude-haiku-4-5","usage":{"input_tokens":2}}}',
    _assistant("m10", "r10", 1, extra=',"big":"%s"' % ("y" * 700_000)),  # over MAX_LINE: skipped
    _assistant("m1", "r1", 10, 9),  # the same response once more, much later
    b"",
    _assistant("m11", "r11", 11)[:-3],  # malformed
    # values of another shape than the typed fast path expects: read whole, by the plain rules
    _assistant("m12", "r12", 0, 3).replace(b'"input_tokens":0', b'"input_tokens":-5'),
    _assistant("m13", "r13", 0, 3).replace(b'"input_tokens":0', b'"input_tokens":12.9'),
    _assistant("m14", "r14", 0, 3).replace(b'"input_tokens":0', b'"input_tokens":true'),
    _assistant("m15", "r15", 0, 3).replace(b'"input_tokens":0', b'"input_tokens":9223372036854775808'),
    _assistant("m16", "r16", 0, 3).replace(b'"input_tokens":0', b'"input_tokens":null'),
    _assistant("m17", "r17", 4, 4).replace(b'"output_tokens":4', b'"output_tokens":4,"cache_creation_input_tokens":50,'
                                           b'"cache_creation":{"ephemeral_1h_input_tokens":80}'),
    _assistant("m18", "r18", 4, 4).replace(b'"output_tokens":4', b'"output_tokens":4,"cache_creation":null'),
    _assistant("m19", "r19", 1).replace(b'"usage":{', b'"usage":"none","u":{'),
    _assistant("m20", "r20", 1).replace(b'"message":{', b'"message":"first","message":{'),  # last key wins
    _assistant("m21", "r21", 21, extra=',"n":1e400'),
    _assistant("m22", "r22", 22, extra=',"s":"\\ud83d cut"'),
    _assistant("m23", "r23", 23, extra=',"s":"X"').replace(b'"X"', b'"\xff"'),  # not UTF-8: skipped
    _assistant("m24", "r24", 24, extra=',"s":"caf\xc3\xa9"'),
    _assistant("m25", "r25", 25, extra=',"s":"' + "7" * 5000 + '"').replace(b'"s":"', b'"n":').replace(b'7"}', b'7}'),
]


def _claude_rows(data: bytes, chunk: int, fast: bool):
    rows = claude.FileRows()
    pricing = load()
    if fast:
        for part, _ in lines.iter_chunks(io.BytesIO(data), 0, claude.MAX_LINE, chunk):
            claude.parse_chunk(part, pricing, rows)
    else:
        for block, _ in lines.iter_blocks(io.BytesIO(data), 0, claude.MAX_LINE, chunk):
            claude.parse_lines(block, pricing, rows)
    return rows.rows()


@pytest.mark.parametrize("chunk", [64 << 10, 4 << 20, 1 << 20])
def test_claude_buffer_parser_equals_line_parser(chunk):
    data = b"\n".join(AWKWARD_CLAUDE) + b"\n"
    fast = _claude_rows(data, chunk, fast=True)
    assert fast == _claude_rows(data, chunk, fast=False)
    by_key = {r[claude.KEY]: r for r in fast}
    assert by_key["m1:r1"][claude.OUTPUT] == 9 and by_key["m2:r2"][claude.INPUT] == 7
    assert by_key["m3:r3"][claude.INPUT] == 3
    assert [k for k, r in by_key.items() if r[claude.VERTEX]] == ["m4:r4", "msg_vrtx_6:r6", "m7:r7"]
    assert "m10:r10" not in by_key and "m9:r9" not in by_key and "m8:r8" not in by_key
    assert [r[claude.INPUT] for r in fast if r[claude.KEY] is None] == [2, 2]
    assert not any(r[claude.INPUT] == 99 for r in fast)
    inputs = {k: r[claude.INPUT] for k, r in by_key.items()}
    assert [inputs.get("m%d:r%d" % (i, i)) for i in range(12, 20)] == [0, 12, 1, 0, 0, 4, 4, None]
    assert by_key["m17:r17"][claude.CREATE_1H] == 50  # never more than the cache writes
    assert [inputs.get("m%d:r%d" % (i, i)) for i in range(20, 26)] == [1, 21, 22, None, 24, 25]


def test_claude_buffer_parser_on_a_generated_corpus(tmp_path):
    if not GEN.exists():
        pytest.skip("gen_logs.py not available")
    home = tmp_path / "home"
    subprocess.run([sys.executable, str(GEN), "--home", str(home), "--size-mb", "2", "--days", "5",
                    "--seed", "11"], check=True, capture_output=True, timeout=120)
    files = sorted((home / ".claude" / "projects").rglob("*.jsonl"))
    assert files
    for path in files:
        data = path.read_bytes()
        assert _claude_rows(data, 32 << 10, fast=True) == _claude_rows(data, 32 << 10, fast=False), path


# -- Codex ------------------------------------------------------------------------------------

TS = '{"timestamp":"2026-08-03T10:00:0%d.000Z",'


def _count(i, total):
    return (TS % i + '"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":'
            '{"input_tokens":%d,"cached_input_tokens":0,"output_tokens":1}}}}' % total).encode()


AWKWARD_CODEX = [
    (TS % 0 + '"type":"session_meta","payload":{"id":"s-1"}}').encode(),
    (TS % 0 + '"type":"turn_context","payload":{"model":"gpt-5"}}').encode(),
    _count(1, 100),
    (TS % 1 + '"type":"response_item","payload":{"type":"message","content":"token_count turn_context"}}').encode(),
    (TS % 2 + '"type":"event_msg","payload":{"type":"agent_message","message":"token_count"}}').encode(),
    # an escaped event name is a token count once parsed (the word filter sees "token_count" in
    # the note): the head check must leave it to the parser
    (TS % 3 + '"type":"event_msg","payload":{"type":"token\\u005fcount","note":"token_count","info":'
     '{"total_token_usage":{"input_tokens":250,"output_tokens":1}}}}').encode(),
    # a timestamp with an escaped quote: the head proves nothing, the parser decides
    b'{"timestamp":"2026\\"x","type":"response_item","payload":{"type":"token_count"}}',
    # a timestamp too long for the head check (82 characters), and one just short enough
    b'{"timestamp":"' + b"9" * 82 + b'","type":"response_item","payload":{"type":"turn_context"}}',
    b'{"timestamp":"' + b"9" * 81 + b'","type":"response_item","payload":{"type":"turn_context"}}',
    # an unterminated head: the next line must not be read as its continuation
    b'{"timestamp":"2026-08-03 session_meta',
    b'","type":"response_item","payload":{}}',
    (TS % 4 + '"type":"turn_context","payload":{"model":"gpt-5-codex"}}').encode(),
    _count(5, 400),
    (TS % 6 + '"type":"turn_context","payload":{"model":"gpt-5","pad":"%s"}}' % ("z" * 300_000)).encode(),
    _count(7, 420),
    b'{"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":500}}},'
    b'"timestamp":"2026-08-03T10:00:08.000Z"}',
]


@pytest.mark.parametrize("chunk", [32 << 10, 4 << 20])
def test_codex_head_skips_equal_the_plain_filter(chunk):
    data = b"\n".join(AWKWARD_CODEX) + b"\n"
    pricing = load()
    fast, fast_rows = codex.Reducer(), []
    for part, _ in lines.iter_chunks(io.BytesIO(data), 0, codex.MAX_LINE, chunk):
        fast.feed_chunk(part, pricing, fast_rows)
    plain, plain_rows = codex.Reducer(), []
    for block, _ in lines.iter_blocks(io.BytesIO(data), 0, codex.MAX_LINE, chunk):
        plain._dispatch(block, pricing, plain_rows)  # the word filter and parser only
    assert fast_rows == plain_rows and fast.to_state() == plain.to_state()
    assert [(r[codex.MODEL], r[codex.INPUT]) for r in fast_rows] == [
        ("gpt-5", 100), ("gpt-5", 150), ("gpt-5-codex", 150), ("gpt-5", 20), ("gpt-5", 80)]


# -- timestamps -------------------------------------------------------------------------------


def test_timestamp_fast_path_equals_datetime_parsing():
    rng = random.Random(5)
    samples = ["2026-08-03T24:00:00.000Z", "2026-02-30T10:00:00.000Z", "2026-08-03T10:60:00.000Z",
               "2026-08-03T10:00:60.000Z", "2026-08-03T1\u0663:00:00.000Z", "2026-08-03 10:00:00.000Z",
               "2026-08-03t10:00:00.000Z", "2026-08-03T10:00:00.-00Z", "2026-08-03T+1:00:00.000Z",
               "2026-08-03T10:00:0\u0663.000Z", "2026-08-03T10:00:59.999Z", "2026-08-03T10:00:59.99\u0663Z",
               "2026-08-03T10:59:00.000+", "2026-13-03T10:00:00.000Z"]
    for _ in range(3000):
        samples.append("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
            rng.randint(1970, 2100), rng.randint(1, 12), rng.randint(1, 31), rng.randint(0, 23),
            rng.randint(0, 59), rng.randint(0, 59), rng.randint(0, 999)))
    for text in samples:
        assert timeutil.parse_ms(text) == timeutil._parse_slow(text), text


# -- warm re-scans ------------------------------------------------------------------------------


def test_file_snapshot_always_matches_the_files_table(logs, env):
    """Warm scans read the known files from a stored snapshot; after cold, appended, deleted,
    replaced and resumed files it must say exactly what the files table says."""
    import sqlite3

    from codexbar.cost import db, scanner, service

    def check(family):
        conn = sqlite3.connect(str(scanner.db_file(env(), family)))
        try:
            snapshot = db.known_files(conn)
            assert conn.execute("SELECT COUNT(*) FROM blobs WHERE k = 'files'").fetchone()[0] == 1
            assert snapshot == db.known_files_table(conn)
            return snapshot
        finally:
            conn.close()

    for family in ("claude", "codex"):
        service.cost_report(env(), family)
        first = check(family)
        assert first and not any(info[3] for info in first.values())
    session = next((logs / ".claude" / "projects").rglob("*.jsonl"))
    with open(session, "ab") as handle:
        handle.write(b'{"type":"user","message":{}}\n')
    gone = next((logs / ".codex").rglob("*.jsonl"))
    gone.unlink()
    for family in ("claude", "codex"):
        service.cost_report(env(), family)
    assert check("claude")[str(session)][0][2] == session.stat().st_size
    assert check("codex")[str(gone)][3] is True  # retained history
    gone.write_bytes(b'{"timestamp":"2026-08-03T10:00:00Z","type":"session_meta","payload":{"id":"back"}}\n')
    service.cost_report(env(), "codex")
    assert check("codex")[str(gone)][3] is False


def _tree(root):
    (root / "p1" / "s1" / "subagents").mkdir(parents=True)
    (root / "p2").mkdir()
    (root / "p1" / "a.jsonl").write_text("x\n")
    (root / "p1" / "s1" / "subagents" / "agent.JSONL").write_text("y\n")
    (root / "p1" / ".hidden.jsonl").write_text("h\n")
    (root / "p1" / "empty.jsonl").write_text("")
    (root / "p2" / "notes.txt").write_text("n\n")
    elsewhere = root.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.jsonl").write_text("z\n")
    (root / "p2" / "link.jsonl").symlink_to(elsewhere / "linked.jsonl")
    (root / "p2" / "dirlink").symlink_to(elsewhere, target_is_directory=True)


def _settle(listings):
    """Pretend every listing was taken long after its directory last changed."""
    for folder, listing in listings.items():
        listings[folder] = (listing[0], listing[0] + discover.SETTLED_NS) + listing[2:]


def test_directory_listings_are_reused_only_while_unchanged(tmp_path, monkeypatch):
    root = tmp_path / "projects"
    _tree(root)
    listings = {}
    first, changed = discover.walk([root], listings)
    assert changed and first == discover.jsonl_files([root])
    assert sorted(os.path.basename(p) for p in first) == ["a.jsonl", "agent.JSONL", "linked.jsonl"]
    _settle(listings)

    calls = []
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path: calls.append(path) or real_scandir(path))
    (root / "p1" / "a.jsonl").write_text("x\nmore\n")  # an append: the folder's mtime stays
    again, changed = discover.walk([root], listings)
    assert not changed and calls == []  # nothing listed again…
    assert again == discover.jsonl_files([root])  # …and the new size is seen

    before = os.stat(root / "p2").st_mtime_ns
    (root / "p2" / "new.jsonl").write_text("n\n")
    assert os.stat(root / "p2").st_mtime_ns != before
    calls.clear()
    grown, changed = discover.walk([root], listings)
    assert changed and calls == [str(root / "p2")]
    assert grown == discover.jsonl_files([root]) and len(grown) == 4

    # a listing taken in the same tick as the folder's last change is never trusted
    fresh = listings[str(root / "p2")]
    listings[str(root / "p2")] = (fresh[0], fresh[0]) + fresh[2:]
    (root / "p2" / "same-tick.jsonl").write_text("t\n")
    os.utime(root / "p2", ns=(fresh[0], fresh[0]))  # as if written within the same tick
    assert len(discover.walk([root], listings)[0]) == 5

    import shutil

    shutil.rmtree(root / "p1" / "s1")
    pruned, changed = discover.walk([root], listings)
    assert changed and pruned == discover.jsonl_files([root])
    assert not any(k.startswith(str(root / "p1" / "s1")) for k in listings)


def test_cold_aggregate_from_worker_sums_equals_a_sql_recount(tmp_path, monkeypatch):
    """A cold scan sums every row in the workers and takes the duplicate keys' losers off; the
    result must be the table SQL recounts from the stored rows."""
    import sqlite3

    from codexbar.cost import db, scanner, service
    from codexbar.env import Env

    if not GEN.exists():
        pytest.skip("gen_logs.py not available")
    home = tmp_path / "home"
    subprocess.run([sys.executable, str(GEN), "--home", str(home), "--size-mb", "2", "--days", "5",
                    "--seed", "3", "--resume-rate", "0.5", "--codex-archived-rate", "0.3"],
                   check=True, capture_output=True, timeout=120)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(scanner, "PARALLEL_MIN_BYTES", 0)
    used_sums = []
    real_rebuild = db.rebuild_counts
    monkeypatch.setattr(db, "rebuild_counts", lambda conn, family, all_counted=False, sums=None: (
        used_sums.append(sums is not None), real_rebuild(conn, family, all_counted, sums))[1])
    for family in ("claude", "codex"):
        service.scan_family(Env.from_process(), family, workers=2).close()
        conn = sqlite3.connect(str(scanner.db_file(Env.from_process(), family)))
        try:
            from_sums = conn.execute("SELECT * FROM agg ORDER BY 1, 2, 3").fetchall()
            assert from_sums
            if family == "claude":  # resumed sessions repeat responses: some rows lost the dedup
                assert used_sums == [True]
                assert conn.execute("SELECT COUNT(*) FROM rows WHERE counted = 0").fetchone()[0] > 0
            with conn:
                real_rebuild(conn, family)
            assert conn.execute("SELECT * FROM agg ORDER BY 1, 2, 3").fetchall() == from_sums
        finally:
            conn.close()


CRASH = """
import os, sys
from codexbar.cost import scanner, service
from codexbar.env import Env
scanner.PARALLEL_MIN_BYTES = 1 << 40  # serial: results are written as each file is parsed
def progress(done, total):
    if done * 2 > total:
        os.kill(os.getpid(), 9)  # the machine dies halfway through the first scan
service.scan_family(Env.from_process(), sys.argv[1], progress=progress)
"""


@pytest.mark.parametrize("family", ["claude", "codex"])
def test_a_cold_build_cut_short_by_a_crash_is_rebuilt(family, tmp_path, monkeypatch):
    """A cold scan writes its database without the WAL; a process killed halfway must leave
    nothing the next scan would trust."""
    import sqlite3

    from codexbar.cost import db, scanner, service
    from codexbar.env import Env

    if not GEN.exists():
        pytest.skip("gen_logs.py not available")
    home = tmp_path / "home"
    subprocess.run([sys.executable, str(GEN), "--home", str(home), "--size-mb", "2", "--days", "5",
                    "--seed", "5"], check=True, capture_output=True, timeout=120)
    monkeypatch.setenv("HOME", str(home))
    clean = service.cost_report(Env.from_process(), family, 30)
    db.clear(Env.from_process().cache_dir)
    script = tmp_path / "crash.py"
    script.write_text(CRASH)
    crashed = subprocess.run([sys.executable, str(script), family], capture_output=True, timeout=120)
    assert crashed.returncode == -9
    conn = sqlite3.connect(str(scanner.db_file(Env.from_process(), family)))
    try:
        # whatever of the build reached the disk, the file is marked unfinished
        assert conn.execute("SELECT v FROM meta WHERE k = 'schema'").fetchone() is None
    finally:
        conn.close()
    again = service.cost_report(Env.from_process(), family, 30)
    assert again["daily"] == clean["daily"] and again["totals"] == clean["totals"]
