#!/usr/bin/env python3
"""Validates a PNG with the standard library only (an implementation independent of pcanno's
encoder): signature, chunk CRCs, IHDR, IDAT inflating to exactly height * (1 + 3 * width) bytes,
valid filter bytes. Prints a JSON summary (size, pixel counts per colour) and exits 0, or prints the
problem and exits 1. Handles 8-bit RGB images: unfiltered ones, as pcanno's own encoder writes
them, or with `--any-filter` any of the five PNG row filters (VTK's writer, `pcanno render`)."""
import collections
import json
import struct
import sys
import zlib


def fail(message):
    print(message)
    sys.exit(1)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def unfilter(kind, row, previous):
    """Row `row` (bytes after the filter byte) decoded against the decoded `previous` row."""
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = out[i - 3] if i >= 3 else 0
        b = previous[i]
        c = previous[i - 3] if i >= 3 else 0
        predictor = (0, a, b, (a + b) // 2, paeth(a, b, c))[kind]
        out[i] = (x + predictor) & 0xFF
    return out


def main(path, any_filter=False):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("bad signature")
    pos, chunks = 8, []
    while pos < len(data):
        if pos + 12 > len(data):
            fail("truncated chunk at byte %d" % pos)
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            fail("CRC mismatch in %r" % kind)
        chunks.append((kind, body))
        pos += 12 + length
    kinds = [k for k, _ in chunks]
    if kinds[0] != b"IHDR" or kinds[-1] != b"IEND" or b"IDAT" not in kinds:
        fail("chunk order %r" % kinds)
    width, height, depth, colour, comp, filt, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if (depth, colour, comp, filt, interlace) != (8, 2, 0, 0, 0):
        fail("unexpected IHDR %r" % ((depth, colour, comp, filt, interlace),))
    raw = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
    stride = 1 + 3 * width
    if len(raw) != height * stride:
        fail("IDAT inflates to %d bytes, expected %d" % (len(raw), height * stride))
    colours = collections.Counter()
    previous = bytearray(3 * width)
    for y in range(height):
        row = raw[y * stride:(y + 1) * stride]
        if row[0] != 0 and not any_filter:
            fail("row %d uses filter %d" % (y, row[0]))
        if row[0] > 4:
            fail("row %d uses unknown filter %d" % (y, row[0]))
        pixels = unfilter(row[0], row[1:], previous)
        previous = pixels
        for x in range(width):
            colours["%02x%02x%02x" % tuple(pixels[3 * x:3 * x + 3])] += 1
    print(json.dumps({"width": width, "height": height, "colours": dict(colours)}))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--any-filter"]
    main(args[0], any_filter="--any-filter" in sys.argv[1:])
