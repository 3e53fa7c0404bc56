#!/usr/bin/env python3
"""make_png_text_fixture.py: writes Tests/MediaTests/Fixtures/text-chunks.png, a 2x2 RGB PNG whose
text chunks are assembled here by hand from the PNG spec (section 11.3.4), independently of
libpng: tEXt with Latin-1 bytes, zTXt (zlib), iTXt uncompressed with a language tag and
translated keyword, compressed iTXt, and a tEXt after IDAT. The Swift test expects exactly these.
Usage: python3 scripts/make_png_text_fixture.py
"""
import os, struct, zlib

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "MediaTests", "Fixtures", "text-chunks.png")

def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

def main():
    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + bytes([255, 0, 0, 0, 255, 0]) for _ in range(2))
    params = "a red circle\nSteps: 30, Sampler: dpmpp-2m, CFG scale: 4, Seed: 7, Size: 32x32"
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    data += chunk(b"tEXt", b"parameters\x00" + params.encode("latin-1"))
    data += chunk(b"tEXt", b"Comment\x00" + "caf\u00e9 cr\u00e8me".encode("latin-1"))
    data += chunk(b"zTXt", b"Description\x00\x00" + zlib.compress(("long text " * 20).strip().encode("latin-1")))
    data += chunk(b"iTXt", "Title\x00\x00\x00ja\x00\u984c\x00".encode("utf-8") + "\u8d64\u3044\u5186".encode("utf-8"))
    data += chunk(b"iTXt", b"json\x00\x01\x00\x00\x00" + zlib.compress('{"prompt": "\u00fcber \U0001F431"}'.encode("utf-8")))
    data += chunk(b"IDAT", zlib.compress(raw))
    data += chunk(b"tEXt", b"Software\x00after IDAT")
    data += chunk(b"IEND", b"")
    open(OUT, "wb").write(data)
    print("wrote", OUT, len(data), "bytes")

if __name__ == "__main__":
    main()
