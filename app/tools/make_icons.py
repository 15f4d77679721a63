#!/usr/bin/env python3
"""Draws the Enclave Inspect app icons (PNG, standard library only).

Run once by hand when the icon changes; the PNGs in app/static/icons/ are committed and
embedded by the server's build script. The motif (a white check mark on a black disc on
Flemish yellow) stays inside the central 80% so the same file works as a maskable icon.
"""

import math
import struct
import zlib
from pathlib import Path

YELLOW = (255, 230, 21)
BLACK = (17, 17, 17)
WHITE = (255, 255, 255)


def seg_dist(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def colour_at(x, y):
    """Colour of the point (x, y) in the unit square."""
    if math.hypot(x - 0.5, y - 0.5) > 0.34:
        return YELLOW
    stroke = 0.055
    a, b, c = (0.36, 0.52), (0.46, 0.62), (0.65, 0.40)
    if min(seg_dist(x, y, *a, *b), seg_dist(x, y, *b, *c)) < stroke:
        return WHITE
    return BLACK


def png(size):
    ss = 4  # supersampling per axis
    rows = []
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            acc = [0, 0, 0]
            for sj in range(ss):
                for si in range(ss):
                    c = colour_at((i + (si + 0.5) / ss) / size, (j + (sj + 0.5) / ss) / size)
                    for k in range(3):
                        acc[k] += c[k]
            row.extend(round(v / (ss * ss)) for v in acc)
        rows.append(bytes(row))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"".join(rows), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "static" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (out / f"icon-{size}.png").write_bytes(png(size))
        print(f"wrote icon-{size}.png")
