"""Streaming JSONL reading from a byte offset, in bounded memory.

Only complete lines (ending in ``\\n``) are returned; a partially written last line is left for
the next scan, so every reported offset is a safe resume point. ``iter_chunks`` hands out whole
runs of lines as one buffer (parsers search it for their few interesting lines instead of
touching every line); ``iter_blocks`` splits those into lines.

A line longer than ``max_line`` is never parsed. Inside a buffer the consumer skips it by its
length; one too long to fit in memory is dropped while reading and reported as ``OVERSIZED``
followed by its first 4 KiB, which no JSON parser accepts but which still shows a prefix (Codex
extracts the model of an oversized ``turn_context`` from it).
"""

from __future__ import annotations

from typing import BinaryIO, Iterator, List, Optional, Tuple

CHUNK = 4 << 20
OVERSIZED = b"\x00"
PREFIX = 4096


def iter_chunks(handle: BinaryIO, start: int, max_line: int,
                chunk: int = CHUNK, size: Optional[int] = None) -> Iterator[Tuple[bytes, int]]:
    """Yield ``(data, offset_after_it)`` read from ``start``.

    ``data`` is either complete lines, each ending in ``\\n`` (some may exceed ``max_line``), or
    an ``OVERSIZED`` marker (never ending in ``\\n``) standing for one dropped line.
    ``size`` (the file's size when it was opened) sizes the reads: asking for a whole chunk
    from a small file allocates the chunk and then shrinks it, which costs more than the read.
    """
    handle.seek(start)
    pos = start  # file offset of buf[0]
    offset = start  # file offset of the next read
    buf = b""
    skipping = False  # inside an oversized line: drop bytes until its newline
    prefix = b""
    while True:
        # one byte past the known end, so a file that grew since is still read to its end
        want = chunk if size is None or size < offset else min(chunk, size - offset + 1)
        data = handle.read(want)
        offset += len(data)
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
            yield OVERSIZED + prefix, pos
        buf = buf + data if buf else data
        cut = buf.rfind(b"\n")
        if cut >= 0:
            pos += cut + 1
            if cut + 1 == len(buf):
                yield buf, pos
                buf = b""
            else:
                yield buf[:cut + 1], pos
                buf = buf[cut + 1:]
        if len(buf) > max_line:
            # the unfinished line is already too long: forget it and skip to its end
            prefix = buf[:PREFIX]
            pos += len(buf)
            buf = b""
            skipping = True


def split_lines(data: bytes, max_line: int) -> List[bytes]:
    """One ``iter_chunks`` item → its lines, oversized ones as ``OVERSIZED`` + prefix."""
    if not data.endswith(b"\n"):
        return [data]
    lines = data[:-1].split(b"\n")
    for i, line in enumerate(lines):
        if len(line) > max_line:
            lines[i] = OVERSIZED + line[:PREFIX]
    return lines


def iter_blocks(handle: BinaryIO, start: int, max_line: int,
                chunk: int = CHUNK) -> Iterator[Tuple[List[bytes], int]]:
    """Yield ``(complete_lines, offset_after_them)`` blocks read from ``start``."""
    for data, end in iter_chunks(handle, start, max_line, chunk):
        yield split_lines(data, max_line), end
