#!/usr/bin/env python3
"""Prints what a PNG screenshot holds: width, height, the share of pixels that are not the page
background (white) and how many distinct colours there are. Standard library only (zlib):
decodes 8-bit RGB/RGBA PNGs, as Chromium writes them.

    python3 .ci/png-stats.py shot.png   ->   {"width": 1280, "height": 2400, "ink": 0.081, "colours": 1432}
"""
import json
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, f"unsupported PNG (depth {depth}, colour type {colour})"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def main():
    width, height, channels, rows = decode(sys.argv[1])
    colours, ink = set(), 0
    for line in rows[::2]:
        for x in range(0, width * channels, channels * 2):
            px = line[x:x + 3]
            colours.add(px)
            if px != b"\xff\xff\xff":
                ink += 1
    sampled = len(rows[::2]) * len(range(0, width * channels, channels * 2))
    print(json.dumps({"width": width, "height": height, "ink": round(ink / sampled, 4), "colours": len(colours)}))


if __name__ == "__main__":
    main()
