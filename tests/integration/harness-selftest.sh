#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The harness checks itself, so that "fingerprints equal" in the other tests means something:
#  - the fixture holds what the round-trip tests rely on (owners 70/999/1000, 0700/0600,
#    symlinks, hard links, empty dirs and files, UTF-8 and non-UTF-8 names, long paths);
#  - a fingerprint sees every kind of change (content, mode, owner, mtime, symlink target,
#    a broken hard link, an extra or missing entry);
#  - a GNU tar round trip made the guide's way gives an equal fingerprint;
#  - the password watch (with_secret_watch) sees a secret on a command line and in an
#    environment, and reports nothing where there is none.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

load_env
"$LIFEBOAT_HARNESS_DIR/remove-cvat-stack" --all
TMP=$(make_tmpdir)
P=$(test_project self)
stack_up current "$P"
fingerprint_all "$P" "$TMP/a"

fp=$TMP/a/cvat_data.fp
need () { grep -qP -- "$1" "$2" || die "fixture: no line matching /$1/ in $(basename "$2")"; }
need '^\./data/private\tdir\t0700\t1000\t1000\t' "$fp"
need '^\./data/private/token\tfile\t0600\t' "$fp"
need '^\./data/tasks/1/preview\.jpg\tsymlink\t.*\traw/img_1\.jpg\t' "$fp"
need '^\./data/tasks/1/raw/img_2\.jpg\tfile\t.*\t3\t-\t' "$fp"
need '^\./data/empty-dir/nested-empty\tdir\t' "$fp"
need '^\./data/tasks/1/empty-file\tfile\t0644\t1000\t1000\t0\t' "$fp"
need '^\./data/Ünïcødé-файл\.txt\tfile\t' "$fp"
need '^hex:2e2f646174612f6261642d6e616d652dfffe2e62696e\tfile\t' "$fp"
need '^\./data/long/a{100}/b{100}/c{100}/deep-file-a{100}\.txt\tfile\t' "$fp"
need '^\./PG_VERSION\tfile\t0600\t70\t70\t3\t' "$TMP/a/cvat_db.fp"
need '^ROOT\tdir\t0700\t70\t70\t' "$TMP/a/cvat_db.fp"
need '^\./secret_key\.py\tfile\t0600\t1000\t1000\t' "$TMP/a/cvat_keys.fp"
need '^\./appendonlydir\tdir\t0755\t999\t999\t' "$TMP/a/cvat_inmem_db.fp"

# Each change must show.
change () {
  local what=$1 cmd=$2
  dk run --rm --network none -v "${P}_cvat_data:/d" "$LIFEBOAT_TEST_BUSYBOX_IMAGE" sh -c "cd /d && $cmd"
  "$LIFEBOAT_HARNESS_DIR/fingerprint" "${P}_cvat_data" >"$TMP/changed.fp"
  if cmp -s "$fp" "$TMP/changed.fp"; then die "the fingerprint does not see: $what"; fi
  cp "$TMP/changed.fp" "$fp"
}
change "content, same size and mtime" 'printf X | dd of=data/tasks/1/raw/img_7.jpg bs=1 seek=10 conv=notrunc 2>/dev/null && touch -d "2024-03-01 12:00:00" data/tasks/1/raw/img_7.jpg'
change "mode" 'chmod 0640 data/tasks/1/raw/img_8.jpg'
change "owner" 'chown 999 data/tasks/1/raw/img_9.jpg'
change "group" 'chgrp 70 data/tasks/1/raw/img_9.jpg'
change "mtime" 'touch -d "2024-03-01 12:00:01" data/tasks/1/raw/img_10.jpg'
change "symlink target" 'ln -sfn raw/img_11.jpg data/tasks/1/preview.jpg'
change "a hard link made a copy" 'cp -p data/tasks/1/compressed/img_2-hardlink.jpg /tmp/x && rm data/tasks/1/compressed/img_2-hardlink.jpg && cp -p /tmp/x data/tasks/1/compressed/img_2-hardlink.jpg'
change "an extra empty file" ': > data/extra'
change "a missing empty dir" 'rmdir data/empty-dir/nested-empty'
change "the root's mode" 'chmod 0750 .'

# The guide's tar round trip (GNU tar in the ubuntu image) is seen as equal.
mkdir -p "$TMP/guide"
dk stop cvat_db >/dev/null
dk run --rm --volumes-from cvat_db -v "$TMP/guide:/backup" "$LIFEBOAT_TEST_UBUNTU_IMAGE" \
  tar -czf /backup/cvat_db.tar.gz /var/lib/postgresql/data 2>/dev/null
dk run --rm -v "${P}_cvat_db:/e" "$LIFEBOAT_TEST_BUSYBOX_IMAGE" sh -c 'find /e -mindepth 1 -maxdepth 1 -exec rm -rf {} +'
dk run --rm --volumes-from cvat_db -v "$TMP/guide:/backup" "$LIFEBOAT_TEST_UBUNTU_IMAGE" \
  bash -c "cd /var/lib/postgresql/data && tar -xf /backup/cvat_db.tar.gz --strip 4"
"$LIFEBOAT_HARNESS_DIR/fingerprint" --no-root "${P}_cvat_db" >"$TMP/db-after.fp"
grep -v '^ROOT' "$TMP/a/cvat_db.fp" >"$TMP/db-before.fp"
assert_same_fingerprint "$TMP/db-before.fp" "$TMP/db-after.fp" "GNU tar round trip of cvat_db"

# The password watch of the restic tests sees what it is for, and only that.
printf 'lifeboat-selftest-%s\n' "$RANDOM$RANDOM" >"$TMP/secret"
with_secret_watch "$TMP/secret" "$TMP/seen" sleep 0.5
[ ! -s "$TMP/seen" ] || die "the password watch saw a secret that was nowhere: $(cat "$TMP/seen")"
with_secret_watch "$TMP/secret" "$TMP/seen" sh -c 'sleep 0.5; true' "$(cat "$TMP/secret")"
grep -q '/cmdline$' "$TMP/seen" || die "the password watch did not see the secret on a command line"
with_secret_watch "$TMP/secret" "$TMP/seen" env LIFEBOAT_SELFTEST_SECRET="$(cat "$TMP/secret")" sleep 0.5
grep -q '/environ$' "$TMP/seen" || die "the password watch did not see the secret in an environment"
rc=0
with_secret_watch "$TMP/secret" "$TMP/seen" sh -c 'exit 3' || rc=$?
assert_eq 3 "$rc" "the password watch returns its command's status"

echo "harness-selftest: ok"
