#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that the screenshots the metainfo points at are in the source tree.

usage: check-screenshots.py METAINFO.xml.in SOURCE_ROOT

The metainfo names each screenshot by its raw URL in the repository
(https://raw.githubusercontent.com/lifeboat-app/lifeboat/main/PATH). Each PATH must exist
under SOURCE_ROOT and be a PNG of at least 620×350 pixels (software centres scale them down,
never up). Exits 1 on a missing or broken screenshot.
"""

import os
import struct
import sys
import xml.etree.ElementTree as ET

RAW_PREFIX = 'https://raw.githubusercontent.com/lifeboat-app/lifeboat/main/'
MIN_W, MIN_H = 620, 350


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b'\x89PNG\r\n\x1a\n' or head[12:16] != b'IHDR':
        return None
    return struct.unpack('>II', head[16:24])


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    metainfo, root = sys.argv[1], sys.argv[2]
    urls = [img.text.strip() for img in ET.parse(metainfo).getroot().iter('image')
            if img.text and img.get('type', 'source') == 'source']
    problems = []
    if not urls:
        problems.append(f'{metainfo} has no screenshots')
    for url in urls:
        if not url.startswith(RAW_PREFIX):
            problems.append(f'{url} does not point into the repository ({RAW_PREFIX}...)')
            continue
        rel = url[len(RAW_PREFIX):]
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            problems.append(f'{rel} is missing')
            continue
        size = png_size(path)
        if size is None:
            problems.append(f'{rel} is not a PNG')
        elif size[0] < MIN_W or size[1] < MIN_H:
            problems.append(f'{rel} is {size[0]}×{size[1]}, smaller than {MIN_W}×{MIN_H}')
        else:
            print(f'{rel}: {size[0]}×{size[1]}')
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
