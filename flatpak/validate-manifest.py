#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifest: well-formed JSON, and the shape flatpak-builder needs.

usage: validate-manifest.py MANIFEST.json APP_ID
Prints every problem found and exits 1 when there is one.
"""

import json
import os
import re
import sys

ALLOWED_SOURCE_TYPES = {'archive', 'git', 'file', 'dir', 'patch', 'script', 'shell'}


def check(manifest_path, app_id):
    problems = []

    def problem(msg):
        problems.append(msg)

    try:
        with open(manifest_path, encoding='utf-8') as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        return [f'cannot read {manifest_path}: {e}']

    if not isinstance(manifest, dict):
        return ['the manifest is not a JSON object']

    base = os.path.dirname(os.path.abspath(manifest_path))

    if manifest.get('app-id') != app_id:
        problem(f'app-id is {manifest.get("app-id")!r}, expected {app_id!r}')
    if os.path.basename(manifest_path) != app_id + '.json':
        problem(f'the file should be named {app_id}.json')
    if manifest.get('runtime') != 'org.gnome.Platform':
        problem('runtime must be org.gnome.Platform')
    if manifest.get('sdk') != 'org.gnome.Sdk':
        problem('sdk must be org.gnome.Sdk')
    if not isinstance(manifest.get('runtime-version'), str):
        problem('runtime-version must be a string, e.g. "43"')
    if manifest.get('command') != 'lifeboat':
        problem('command must be lifeboat')

    finish_args = manifest.get('finish-args')
    if not isinstance(finish_args, list) or not all(isinstance(a, str) for a in finish_args):
        problem('finish-args must be a list of strings')
        finish_args = []
    for arg in finish_args:
        if not re.fullmatch(r'--[a-z-]+=\S+|--[a-z-]+', arg):
            problem(f'finish-arg {arg!r} does not look like --option=value')
    duplicates = {a for a in finish_args if finish_args.count(a) > 1}
    for arg in sorted(duplicates):
        problem(f'finish-arg {arg!r} appears more than once')
    for needed in ('--socket=wayland', '--socket=fallback-x11', '--device=dri', '--share=ipc'):
        if needed not in finish_args:
            problem(f'finish-args lack {needed}')
    if '--socket=x11' in finish_args:
        problem('use --socket=fallback-x11, not --socket=x11')

    modules = manifest.get('modules')
    if not isinstance(modules, list) or not modules:
        return problems + ['modules must be a non-empty list']

    names = []
    for i, module in enumerate(modules):
        if isinstance(module, str):
            # a path to another manifest file
            if not os.path.exists(os.path.join(base, module)):
                problem(f'module file {module} does not exist')
            continue
        if not isinstance(module, dict):
            problem(f'module #{i} is neither an object nor a file name')
            continue
        name = module.get('name')
        if not isinstance(name, str) or not name:
            problem(f'module #{i} has no name')
            name = f'#{i}'
        names.append(name)
        sources = module.get('sources')
        if not isinstance(sources, list) or not sources:
            problem(f'module {name} has no sources')
            continue
        for source in sources:
            if not isinstance(source, dict):
                problem(f'module {name}: a source is not an object')
                continue
            stype = source.get('type')
            if stype not in ALLOWED_SOURCE_TYPES:
                problem(f'module {name}: unknown source type {stype!r}')
            if stype in ('archive', 'file') and 'url' in source:
                if not str(source['url']).startswith('https://'):
                    problem(f'module {name}: {source["url"]} is not an https URL')
                if not re.fullmatch(r'[0-9a-f]{64}', str(source.get('sha256', ''))):
                    problem(f'module {name}: {source["url"]} needs a sha256 of 64 hex digits')
            if stype in ('file', 'dir', 'patch') and 'path' in source:
                if not os.path.exists(os.path.join(base, source['path'])):
                    problem(f'module {name}: {source["path"]} does not exist next to the manifest')
            if stype == 'git' and not (source.get('commit') or source.get('tag')):
                problem(f'module {name}: a git source must be pinned to a commit or tag')

    if len(set(names)) != len(names):
        problem('module names are not unique')

    last = modules[-1]
    if not isinstance(last, dict) or last.get('name') != 'lifeboat':
        problem('the last module must be lifeboat itself')
    else:
        if last.get('buildsystem') != 'meson':
            problem('the lifeboat module must use buildsystem meson')
        srcs = last.get('sources') or [{}]
        if srcs[0].get('type') != 'dir' or os.path.realpath(os.path.join(base, srcs[0].get('path', ''))) \
                != os.path.realpath(os.path.join(base, '..')):
            problem('the lifeboat module must build the source tree it lives in (type dir, path "..")')

    return problems


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    problems = check(sys.argv[1], sys.argv[2])
    for p in problems:
        print(f'{sys.argv[1]}: {p}', file=sys.stderr)
    if not problems:
        print(f'{sys.argv[1]}: OK')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
