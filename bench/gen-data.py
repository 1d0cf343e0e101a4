#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""
gen-data.py OUT_DIR SIZE_MB [SEED]

Writes CVAT-shaped volume contents under OUT_DIR/<compose volume key>/, SIZE_MB in total:
  20 %  cvat_db         PostgreSQL-like 8 KiB heap pages in 1 GiB-style relation segments
  74 %  cvat_data       JPEG-like media: JPEG markers around random (incompressible) bytes
   6 %  small files     logs, keys, ClickHouse parts, Redis AOF, kvrocks SSTs (text, JSON)
Deterministic for a given SEED.
"""

import os
import random
import struct
import sys

PAGE = 8192
WORDS = ("car person truck bicycle label frame annotation polygon rectangle points task job "
         "project admin user attribute occluded outside keyframe z_order group source manual "
         "auto interpolation track shape image video chunk quality compressed original").split()


def pg_page(rng, next_id):
    """One heap page: header, line pointers, zeroed free space, tuples from the end."""
    tuples = []
    size = 0
    while True:
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
        js = '{"x": %.2f, "y": %.2f, "w": %d, "h": %d}' % (
            rng.uniform(0, 1920), rng.uniform(0, 1080), rng.randint(1, 400), rng.randint(1, 400))
        body = struct.pack("<IIHHBxxxqi", rng.randint(700, 900), 0, 0, 6, 24,
                           next_id, rng.randint(1, 5000)) + text.encode() + b"\0" + js.encode()
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


def write_pg(root, nbytes, rng):
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
                page, next_id = pg_page(rng, next_id)
                f.write(page)
        written += pages * PAGE
        rel += 1
    return written


def write_media(root, nbytes, rng):
    d = os.path.join(root, "cvat_data", "data")
    written = 0
    task = 0
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
    out, size_mb = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    total = size_mb * 1024 * 1024
    a = write_pg(out, total * 20 // 100, rng)
    b = write_media(out, total * 74 // 100, rng)
    c = write_small(out, total - a - b, rng)
    print("cvat_db %d, cvat_data %d, small %d bytes" % (a, b, c), file=sys.stderr)


if __name__ == "__main__":
    main()
