#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that every GSettings key the C sources name exists in the schema.

usage: check-settings-keys.py SCHEMA.gschema.xml SOURCE_DIR

GLib aborts at run time on an unknown key, so a typo in g_settings_get_int (s, "windw-width")
would only show when that line runs. This finds the literal keys passed to g_settings_get_*,
g_settings_set_*, g_settings_bind*, g_settings_reset, g_settings_is_writable and
g_settings_create_action (and Lifeboat's own lifeboat_settings_get/dup/set_* helpers),
and the keys the schema defines; exits 1 on an unknown key.
"""

import os
import re
import sys
import xml.etree.ElementTree as ET

CALL = re.compile(
    r'\b(?:g_settings_(?:get|set|bind|reset|is_writable|create_action|get_user_value|'
    r'get_default_value)|lifeboat_settings_(?:get|dup|set))\w*\s*\(\s*[^,;()]+(?:\([^()]*\))?\s*,\s*"([a-z0-9-]+)"')


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    schema_path, src = sys.argv[1], sys.argv[2]
    keys = {k.get('name') for k in ET.parse(schema_path).getroot().iter('key')}
    if not keys:
        print(f'{schema_path}: no keys', file=sys.stderr)
        return 1
    used = 0
    problems = []
    for dirpath, dirnames, filenames in os.walk(src):
        for name in sorted(filenames):
            if not name.endswith('.c'):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding='utf-8', errors='replace') as f:
                text = f.read()
            for m in CALL.finditer(text):
                used += 1
                if m.group(1) not in keys:
                    line = text.count('\n', 0, m.start()) + 1
                    problems.append(f'{path}:{line}: GSettings key "{m.group(1)}" is not in the schema')
    for p in problems:
        print(p, file=sys.stderr)
    print(f'{used} uses of {len(keys)} keys checked')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
