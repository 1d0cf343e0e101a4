#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks po/POTFILES.in against the source tree.

usage: check-potfiles.py SOURCE_ROOT         check
       check-potfiles.py --list SOURCE_ROOT  print the files that should be listed

Every file it lists must exist, and every source file with translatable strings must be
listed: C files that call _(), N_(), C_(), NC_() or ngettext/g_dngettext, .ui files with
translatable="yes", and the desktop, metainfo and schema files in data/. No translatable
string may be glued to a GLib format macro (G_GUINT64_FORMAT, ...), which xgettext can't see.
Prints what is missing and exits 1 when something is.
"""

import os
import re
import sys

C_MARK = re.compile(r'(?<![A-Za-z0-9_])(?:N?C?_|g_dn?gettext|g_dpgettext2?|ngettext) ?\(\s*"')
UI_MARK = re.compile(r'translatable="(?:yes|true|1)"')
# _("has %" G_GUINT64_FORMAT " bytes"): xgettext only sees "has %", and the string looked up at
# run time never matches it. (xgettext understands <inttypes.h>'s PRIu64, not GLib's macros.)
GLUED_MACRO = re.compile(r'(?<![A-Za-z0-9_])(?:N?C?_) ?\(\s*"(?:[^"\\]|\\.)*"\s*(G_[A-Z0-9_]+)')


def wanted_files(root):
    found = set()
    for top in ('src',):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = [d for d in dirnames if not d.startswith(('.', '_build'))]
            for name in filenames:
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                if name.endswith('.c'):
                    with open(path, encoding='utf-8', errors='replace') as f:
                        if C_MARK.search(f.read()):
                            found.add(rel)
                elif name.endswith('.ui'):
                    with open(path, encoding='utf-8', errors='replace') as f:
                        if UI_MARK.search(f.read()):
                            found.add(rel)
    data = os.path.join(root, 'data')
    if os.path.isdir(data):
        for name in os.listdir(data):
            if name.endswith(('.desktop.in', '.metainfo.xml.in', '.gschema.xml')):
                found.add(os.path.join('data', name))
    return found


def listed_files(root):
    listed = []
    with open(os.path.join(root, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                if line.startswith('['):
                    # "[type: gettext/glade]path"
                    line = line.split(']', 1)[1]
                listed.append(line)
    return listed


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--list':
        for rel in sorted(wanted_files(sys.argv[2])):
            print(rel)
        return 0
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root = sys.argv[1]
    listed = listed_files(root)
    problems = []
    for rel in listed:
        if not os.path.exists(os.path.join(root, rel)):
            problems.append(f'POTFILES.in lists {rel}, which does not exist')
    if len(set(listed)) != len(listed):
        problems.append('POTFILES.in lists a file more than once')
    for rel in sorted(wanted_files(root) - set(listed)):
        problems.append(f'{rel} has translatable strings but is not in po/POTFILES.in')
    for rel in sorted(set(listed)):
        path = os.path.join(root, rel)
        if not rel.endswith('.c') or not os.path.exists(path):
            continue
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
        for m in GLUED_MACRO.finditer(text):
            line = text.count('\n', 0, m.start()) + 1
            problems.append(f'{rel}:{line}: a translatable string is glued to {m.group(1)}, so '
                            'it cannot be translated: use PRIu64/PRIi64 from <inttypes.h> or '
                            'format the number separately')
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print(f'po/POTFILES.in: {len(listed)} files, OK')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
