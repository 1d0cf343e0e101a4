#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A backup onto a disk that fills up fails with a clear "no space" error, leaves no .partial
# folder, and starts the containers it stopped again. A restore whose safety copy cannot be
# written (full disk) changes no volume.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

begin_test
P=$(test_project fulldisk)
stack_up --data-mb 8 current "$P"
containers_state "$P" >"$TMP/state.before"
fingerprint_all "$P" "$TMP/before"

small=$TMP/small-disk
mkdir -p "$small"
mount -t tmpfs -o size=2m tmpfs "$small" || skip_or_fail "cannot mount a small tmpfs (needs root)"
on_exit "umount '$small' 2>/dev/null || true"

rc=0
"$LIFEBOAT_CLI" --host "$LIFEBOAT_TEST_DOCKER_HOST" backup "$P" --to "$small" \
  >"$TMP/backup.out" 2>"$TMP/backup.err" </dev/null || rc=$?
[ "$rc" = 1 ] || die "backup onto a full disk exited $rc, not 1: $(cat "$TMP/backup.err")"
grep -qi "space" "$TMP/backup.err" || die "the error does not say the disk is full: $(tail -n 1 "$TMP/backup.err")"
log "full-disk: backup refused: $(tail -n 1 "$TMP/backup.err")"
left=$(ls -A "$small")
[ -z "$left" ] || die "the failed backup left $left on the full disk"
containers_state "$P" >"$TMP/state.after"
assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.after")" "container states after the failed backup"

# A real backup elsewhere, then a restore whose safety copy goes to the full disk.
mkdir -p "$TMP/backups"
folder=$("$LIFEBOAT_CLI" --host "$LIFEBOAT_TEST_DOCKER_HOST" backup "$P" --to "$TMP/backups" 2>/dev/null | tail -n 1)
[ -d "$folder" ] || die "no backup folder: $folder"
dk run --rm --network none -v "${P}_cvat_data:/v" "$LIFEBOAT_TEST_BUSYBOX_IMAGE" \
  sh -c 'echo changed > /v/data/changed.txt'
fingerprint_all "$P" "$TMP/changed"

rc=0
XDG_DATA_HOME=$small "$LIFEBOAT_CLI" --host "$LIFEBOAT_TEST_DOCKER_HOST" restore "$folder" --yes \
  >"$TMP/restore.out" 2>"$TMP/restore.err" </dev/null || rc=$?
[ "$rc" = 1 ] || die "restore with a full safety disk exited $rc, not 1: $(cat "$TMP/restore.err")"
log "full-disk: restore refused: $(tail -n 1 "$TMP/restore.err")"
# the safety copy is made while the archives are written (the previous contents wait in a folder
# inside each volume meanwhile), so the volumes may have been written and then put back
grep -q "Nothing was changed\|No volume was changed\|put back as they were" "$TMP/restore.err" \
  || die "the restore error does not say the volumes were left as they were"
fingerprint_all "$P" "$TMP/after"
diff -r "$TMP/changed" "$TMP/after" >/dev/null || die "a volume changed although the restore failed"
containers_state "$P" >"$TMP/state.after2"
assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.after2")" "container states after the failed restore"

echo "full-disk: ok"
