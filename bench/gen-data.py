#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""
gen-data.py OUT_DIR SIZE_MB [SEED] [--mix cvat|blend]

Writes CVAT-shaped volume contents under OUT_DIR/<compose volume key>/, SIZE_MB in total.
--mix cvat (the default): every file is either compressible or not
  20 %  cvat_db         PostgreSQL-like 8 KiB heap pages in 1 GiB-style relation segments
  74 %  cvat_data       JPEG-like media: JPEG markers around random (incompressible) bytes
   6 %  small files     logs, keys, ClickHouse parts, Redis AOF, kvrocks SSTs (text, JSON)
--mix blend: the same volumes, but compressible and incompressible bytes side by side in
  every PostgreSQL page and media JSON file, which is harder for a compressor that stores
  incompressible stretches (Lifeboat's gzip looks at 32 KiB at a time)
  20 %  cvat_db         heap pages whose tuples each carry, besides their text, a bytea-like
                        field of random bytes as long as the text (about half of each page)
  74 %  cvat_data       one third media JSON files (annotations, manifests) in runs of
                        0.25-4 KiB, text and random bytes in turn (about half each); two thirds
                        JPEG-like media as in the cvat mix
   6 %  small files     as in the cvat mix
Deterministic for a given SEED and mix.
"""

import os
import random
import struct
import sys

PAGE = 8192
WORDS = ("car person truck bicycle label frame annotation polygon rectangle points task job "
         "project admin user attribute occluded outside keyframe z_order group source manual "
         "auto interpolation track shape image video chunk quality compressed original").split()


def pg_page(rng, next_id, blend=False):
    """One heap page: header, line pointers, zeroed free space, tuples from the end."""
    tuples = []
    size = 0
    while True:
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
        js = '{"x": %.2f, "y": %.2f, "w": %d, "h": %d}' % (
            rng.uniform(0, 1920), rng.uniform(0, 1080), rng.randint(1, 400), rng.randint(1, 400))
        body = struct.pack("<IIHHBxxxqi", rng.randint(700, 900), 0, 0, 6, 24,
                           next_id, rng.randint(1, 5000)) + text.encode() + b"\0" + js.encode()
        if blend:
            # a bytea column (a thumbnail, a hash, a compressed blob) as long as the rest
            body += struct.pack("<I", len(body) << 2) + rng.randbytes(len(body))
        body += b"\0" * (-len(body) % 8)
        if 24 + 4 * (len(tuples) + 1) + size + len(body) > PAGE * 7 // 8:
            break
        tuples.append(body)
        size += len(body)
        next_id += 1
    lower = 24 + 4 * len(tuples)
    upper = PAGE - size
    header = struct.pack("<QHHHHHHI", rng.getrandbits(40), rng.getrandbits(16), 0,
                         lower, upper, PAGE, PAGE | 4, 0)
    lps = b""
    off = PAGE
    for t in tuples:
        off -= len(t)
        lps += struct.pack("<I", off | (1 << 15) | (len(t) << 17))
    page = header + lps + b"\0" * (upper - lower) + b"".join(reversed(tuples))
    assert len(page) == PAGE
    return page, next_id


def write_pg(root, nbytes, rng, blend=False):
    d = os.path.join(root, "cvat_db")
    for sub in ("base/1", "base/16384", "global", "pg_wal/archive_status", "pg_xact"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    with open(os.path.join(d, "PG_VERSION"), "w") as f:
        f.write("15\n")
    with open(os.path.join(d, "postgresql.conf"), "w") as f:
        f.write("# PostgreSQL configuration\nshared_buffers = 128MB\nlisten_addresses = '*'\n" * 20)
    written = 0
    rel = 16400
    next_id = 1
    while written < nbytes:
        # relations of 8 KiB .. 64 MiB
        pages = min(max(1, (nbytes - written) // PAGE), rng.choice((1, 3, 16, 128, 1024, 8192)))
        with open(os.path.join(d, "base/16384", str(rel)), "wb") as f:
            for _ in range(pages):
                page, next_id = pg_page(rng, next_id, blend)
                f.write(page)
        written += pages * PAGE
        rel += 1
    return written


def json_pool(rng):
    """Lines of CVAT-like annotation JSON to draw text runs from."""
    pool = []
    for i in range(4000):
        pool.append(('{"id": %d, "frame": %d, "label": "%s", "type": "%s", "occluded": %s, '
                     '"points": [%.2f, %.2f, %.2f, %.2f], "attributes": ["%s"]},\n' % (
                         i, rng.randint(0, 99999), rng.choice(WORDS), rng.choice(WORDS),
                         rng.choice(("true", "false")), rng.uniform(0, 1920), rng.uniform(0, 1080),
                         rng.uniform(0, 1920), rng.uniform(0, 1080),
                         " ".join(rng.choice(WORDS) for _ in range(3)))).encode())
    return pool


def blend_json(rng, pool, size):
    """A media JSON file: runs of 0.25-4 KiB, text and random bytes in turn."""
    parts = [b'{"version": "1.1", "shapes": [\n']
    n = len(parts[0])
    text = True
    while n < size:
        run = rng.randint(256, 4096)
        if text:
            chunk = b""
            while len(chunk) < run:
                chunk += rng.choice(pool)
        else:
            chunk = rng.randbytes(run)
        parts.append(chunk)
        n += len(chunk)
        text = not text
    return b"".join(parts)[:size]


def write_media(root, nbytes, rng, blend=False):
    d = os.path.join(root, "cvat_data", "data")
    written = 0
    task = 0
    pool = json_pool(rng) if blend else None
    json_bytes = nbytes // 3 if blend else 0
    while written < json_bytes:
        task += 1
        t = os.path.join(d, "tasks", str(task))
        os.makedirs(t, exist_ok=True)
        for i in range(20):
            if written >= json_bytes:
                break
            size = min(json_bytes - written, rng.randint(100 * 1024, 2 * 1024 * 1024))
            with open(os.path.join(t, "annotations_%03d.json" % i), "wb") as f:
                f.write(blend_json(rng, pool, size))
            written += size
    while written < nbytes:
        task += 1
        t = os.path.join(d, "tasks", str(task), "raw")
        os.makedirs(t, exist_ok=True)
        os.makedirs(os.path.join(d, "tasks", str(task), "compressed"), exist_ok=True)
        with open(os.path.join(d, "tasks", str(task), "task.json"), "w") as f:
            f.write('{"id": %d, "name": "task %d", "mode": "annotation"}\n' % (task, task))
        for i in range(50):
            if written >= nbytes:
                break
            size = min(nbytes - written, rng.randint(100 * 1024, 2 * 1024 * 1024))
            head = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
                    b"\xff\xdb\x00\x43\x00" + bytes(range(64)) + b"\xff\xda\x00\x0c")
            body = rng.randbytes(max(0, size - len(head) - 2))
            with open(os.path.join(t, "frame_%06d.jpg" % i), "wb") as f:
                f.write((head + body + b"\xff\xd9")[:size])
            written += size
    return written


def write_small(root, nbytes, rng):
    written = 0
    keys = os.path.join(root, "cvat_keys")
    os.makedirs(keys, exist_ok=True)
    with open(os.path.join(keys, "secret_key.py"), "w") as f:
        f.write("SECRET_KEY = '%s'\n" % rng.randbytes(32).hex())
    kinds = ("cvat_logs", "cvat_events_db", "cvat_inmem_db", "cvat_cache_db")
    n = 0
    while written < nbytes:
        kind = kinds[n % len(kinds)]
        d = os.path.join(root, kind, "d%03d" % (n // 100))
        os.makedirs(d, exist_ok=True)
        lines = []
        size = 0
        target = min(nbytes - written, rng.randint(200, 64 * 1024))
        while size < target:
            line = '%d [%s] %s %s {"job": %d, "frame": %d}\n' % (
                1700000000 + n * 7 + size, rng.choice(("INFO", "DEBUG", "WARN")),
                rng.choice(WORDS), " ".join(rng.choice(WORDS) for _ in range(4)),
                rng.randint(1, 999), rng.randint(0, 99999))
            lines.append(line)
            size += len(line)
        data = "".join(lines).encode()[:target]
        with open(os.path.join(d, "part-%05d.log" % n), "wb") as f:
            f.write(data)
        written += len(data)
        n += 1
    return written


def main():
    args = sys.argv[1:]
    mix = "cvat"
    if "--mix" in args:
        i = args.index("--mix")
        mix = args[i + 1]
        del args[i:i + 2]
    if mix not in ("cvat", "blend") or len(args) not in (2, 3):
        sys.exit("usage: gen-data.py OUT_DIR SIZE_MB [SEED] [--mix cvat|blend]")
    out, size_mb = args[0], int(args[1])
    rng = random.Random(int(args[2]) if len(args) > 2 else 1)
    blend = mix == "blend"
    total = size_mb * 1024 * 1024
    a = write_pg(out, total * 20 // 100, rng, blend)
    b = write_media(out, total * 74 // 100, rng, blend)
    c = write_small(out, total - a - b, rng)
    print("cvat_db %d, cvat_data %d, small %d bytes" % (a, b, c), file=sys.stderr)


if __name__ == "__main__":
    main()
