"""A tiny daily-cost bar chart as PNG bytes, with nothing but zlib and struct.

Rendered at 2× (144 dpi, declared in a pHYs chunk) so SwiftBar shows it at half its pixel size
and it stays sharp on Retina screens.
"""

from __future__ import annotations

import struct
import zlib
from typing import List, Sequence, Tuple

BAR = (0x0A, 0x84, 0xFF, 0xFF)     # the system blue
TODAY = (0xFF, 0x9F, 0x0A, 0xFF)   # today's bar stands out
BASE = (0x8E, 0x8E, 0x93, 0x90)    # a faint baseline under empty days
DPI_144 = 5669                     # pixels per metre


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(width: int, height: int, pixels: Sequence[Sequence[Tuple[int, int, int, int]]]) -> bytes:
    raw = b"".join(b"\x00" + b"".join(bytes(px) for px in row) for row in pixels)
    return (b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + _chunk(b"pHYs", struct.pack(">IIB", DPI_144, DPI_144, 1))
            + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b""))


def bar_chart(values: Sequence[float], height: int = 40, bar: int = 4, gap: int = 1) -> bytes:
    """One bar per value (oldest first, the last is today); heights scale to the maximum."""
    count = max(1, len(values))
    width = count * bar + (count - 1) * gap
    top = max(values) if values else 0.0
    clear = (0, 0, 0, 0)
    rows: List[List[Tuple[int, int, int, int]]] = [[clear] * width for _ in range(height)]
    for index, value in enumerate(values):
        x0 = index * (bar + gap)
        filled = int(round(value / top * height)) if top > 0 else 0
        if value > 0:
            filled = max(1, filled)
        color = TODAY if index == count - 1 else BAR
        for y in range(height - filled, height):
            for x in range(x0, x0 + bar):
                rows[y][x] = color
        if filled == 0:
            for x in range(x0, x0 + bar):
                rows[height - 1][x] = BASE
    return encode_png(width, height, rows)
