"""Streaming JSONL reading from a byte offset, in bounded memory.

Only complete lines (ending in ``\\n``) are returned; a partially written last line is left for
the next scan, so every reported offset is a safe resume point. Lines longer than ``max_line``
are dropped whole without ever being held in memory: they are reported as ``OVERSIZED``
followed by their first 4 KiB, which no JSON parser accepts but which still shows a prefix
(Codex extracts the model of an oversized ``turn_context`` from it).
"""

from __future__ import annotations

from typing import BinaryIO, Iterator, List, Tuple

CHUNK = 4 << 20
OVERSIZED = b"\x00"
PREFIX = 4096


def iter_blocks(handle: BinaryIO, start: int, max_line: int,
                chunk: int = CHUNK) -> Iterator[Tuple[List[bytes], int]]:
    """Yield ``(complete_lines, offset_after_them)`` blocks read from ``start``."""
    handle.seek(start)
    pos = start  # file offset of buf[0]
    buf = b""
    skipping = False  # inside an oversized line: drop bytes until its newline
    prefix = b""
    while True:
        data = handle.read(chunk)
        if not data:
            return
        if skipping:
            nl = data.find(b"\n")
            if nl < 0:
                pos += len(data)
                continue
            pos += nl + 1
            data = data[nl + 1:]
            skipping = False
            yield [OVERSIZED + prefix], pos
        buf = buf + data if buf else data
        cut = buf.rfind(b"\n")
        if cut >= 0:
            lines = buf[:cut].split(b"\n")
            for i, line in enumerate(lines):
                if len(line) > max_line:
                    lines[i] = OVERSIZED + line[:PREFIX]
            pos += cut + 1
            buf = buf[cut + 1:]
            yield lines, pos
        if len(buf) > max_line:
            # the unfinished line is already too long: forget it and skip to its end
            prefix = buf[:PREFIX]
            pos += len(buf)
            buf = b""
            skipping = True
