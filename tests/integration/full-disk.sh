#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A backup onto a disk that fills up fails with a clear "no space" error, leaves no .partial
# folder, and starts the containers it stopped again. A restore whose safety copy cannot be
# written (full disk) changes no volume. A restore into a volume too small for the archive (a
# 2 MB tmpfs volume, as on a new server with a full disk) fails with the engine's own "no space
# left on device" and leaves the volumes as they were.
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

# A new server whose cvat_data volume is too small: the same project, empty volumes, cvat_data
# a 2 MB tmpfs. The engine refuses the PUT halfway; Lifeboat says so in the engine's words and
# leaves every volume's contents as they were (empty). The roots are not compared: a tmpfs
# volume is a fresh file system each time the engine mounts it again, with a new root.
"$LIFEBOAT_HARNESS_DIR/remove-cvat-stack" "$P"
dk volume create --driver local --opt type=tmpfs --opt device=tmpfs --opt o=size=2m \
  --label "com.docker.compose.project=$P" --label com.docker.compose.volume=cvat_data \
  --label com.docker.compose.version=2.20.2 "${P}_cvat_data" >/dev/null
"$LIFEBOAT_HARNESS_DIR/make-cvat-stack" --no-fill current "$P" >&2
on_exit "'$LIFEBOAT_HARNESS_DIR/remove-cvat-stack' '$P' >/dev/null 2>&1 || true"
fingerprint_all "$P" "$TMP/new-server" --no-root
rc=0
"$LIFEBOAT_CLI" --host "$LIFEBOAT_TEST_DOCKER_HOST" restore "$folder" --yes \
  >"$TMP/restore2.out" 2>"$TMP/restore2.err" </dev/null || rc=$?
[ "$rc" = 1 ] || die "restore into a too small volume exited $rc, not 1: $(cat "$TMP/restore2.err")"
log "full-disk: restore into a full volume refused: $(tail -n 1 "$TMP/restore2.err")"
grep -q "no space left on device" "$TMP/restore2.err" \
  || die "the error does not give the engine's reason: $(tail -n 1 "$TMP/restore2.err")"
grep -q "Nothing was changed\|No volume was changed\|put back as they were" "$TMP/restore2.err" \
  || die "the restore error does not say the volumes were left as they were"
grep -q "Restoring volume cvat_data failed" "$TMP/restore2.err" \
  || die "the restore error does not name the volume: $(tail -n 1 "$TMP/restore2.err")"
if grep -q "/containers/\|/lifeboat/" "$TMP/restore2.err"; then
  die "the restore error speaks of Lifeboat's helper container: $(tail -n 1 "$TMP/restore2.err")"
fi
fingerprint_all "$P" "$TMP/new-server.after" --no-root
diff -r "$TMP/new-server" "$TMP/new-server.after" >&2 \
  || die "a volume changed although the restore into a full volume failed"

echo "full-disk: ok"
