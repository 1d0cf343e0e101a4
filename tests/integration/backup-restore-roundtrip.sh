#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Backup → check the folder (name, modes, archives by compose key, manifest checksums, the
# guide's entry layout) → the containers run again → verify → damage the volumes → restore →
# every volume's tree is identical to before, stale files gone → history has both jobs.
# For both layouts: the current guide (ClickHouse, events_db) and the seed guide (events).
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

begin_test

roundtrip () {
  local layout=$1 P dest keys mount_db mount_events events_key k f
  P=$(test_project "rt$layout")
  log "roundtrip: $layout layout, project $P"
  stack_up "$layout" "$P"
  case $layout in
    current) keys="cvat_data cvat_db cvat_events_db cvat_inmem_db cvat_keys cvat_logs"
             events_key=cvat_events_db mount_events=var/lib/clickhouse ;;
    seed)    keys="cvat_data cvat_db cvat_events cvat_keys cvat_logs"
             events_key=cvat_events mount_events=usr/share/elasticsearch/data ;;
  esac
  mount_db=var/lib/postgresql/data

  # A container that was not running before must not be started by the backup.
  dk stop cvat_worker_import >/dev/null
  containers_state "$P" >"$TMP/state.before"
  fingerprint_all "$P" "$TMP/$layout.before"

  dest=$TMP/backups-$layout
  mkdir -p "$dest"
  cli_backup "$P" "$dest"

  # Folder name and place, nothing half-written left.
  [[ $(basename "$BACKUP") =~ ^$P-[0-9]{8}-[0-9]{6}$ ]] || die "backup folder name $(basename "$BACKUP") is not $P-YYYYMMDD-HHMMSS"
  assert_eq "$(realpath "$dest")" "$(realpath "$(dirname "$BACKUP")")" "backup folder's parent"
  if compgen -G "$dest/*.partial" >/dev/null; then die "a .partial folder was left: $(ls "$dest")"; fi
  assert_eq "$(basename "$BACKUP")" "$(ls -A "$dest")" "the only entry of the destination"

  # Secrets: folder 0700, files 0600.
  assert_file_mode 700 "$BACKUP"
  for f in "$BACKUP"/*; do assert_file_mode 600 "$f"; done

  # Archives named by compose key, cache_db left out by default, the manifest.
  local want got
  want=$(for k in $keys; do echo "$k.tar.gz"; done; echo lifeboat.json)
  got=$(ls -A "$BACKUP")
  assert_eq "$(sort <<<"$want")" "$(sort <<<"$got")" "files in the backup folder"
  # shellcheck disable=SC2086
  "$LIFEBOAT_HARNESS_DIR/manifest-tool" check "$BACKUP" $keys >/dev/null
  for f in "$BACKUP"/*.tar.gz; do gzip -t "$f" || die "$f is not a valid gzip file"; done

  # The guide's layout: entries carry the mount path without its leading slash.
  tar -tzf "$BACKUP/cvat_db.tar.gz" >"$TMP/list"
  grep -qx "$mount_db/" "$TMP/list" || die "cvat_db.tar.gz has no entry $mount_db/"
  grep -qx "$mount_db/PG_VERSION" "$TMP/list" || die "cvat_db.tar.gz has no entry $mount_db/PG_VERSION"
  if grep -v "^$mount_db/" "$TMP/list" | grep . >/dev/null; then die "cvat_db.tar.gz has entries outside $mount_db/"; fi
  tar -tzf "$BACKUP/cvat_data.tar.gz" | grep -x 'home/django/data/data/tasks/1/raw/video.mp4' >/dev/null \
    || die "cvat_data.tar.gz has no home/django/data/data/tasks/1/raw/video.mp4"
  tar -tzf "$BACKUP/cvat_keys.tar.gz" | grep -x 'home/django/keys/secret_key.py' >/dev/null \
    || die "cvat_keys.tar.gz has no home/django/keys/secret_key.py"
  tar -tzf "$BACKUP/$events_key.tar.gz" | grep "^$mount_events/" >/dev/null \
    || die "$events_key.tar.gz entries do not start with $mount_events/"
  # GNU tar reads owners, modes and mtimes as written.
  tar -tvzf "$BACKUP/cvat_db.tar.gz" --numeric-owner | grep -E " 70/70 .* $mount_db/PG_VERSION\$" | grep '^-rw-------' >/dev/null \
    || die "cvat_db.tar.gz: PG_VERSION is not -rw------- 70/70"

  # The backup did not change the data, and the containers are as they were.
  fingerprint_all "$P" "$TMP/$layout.after-backup"
  assert_same_fingerprints "$TMP/$layout.before" "$TMP/$layout.after-backup" "backup changed a volume"
  containers_state "$P" >"$TMP/state.after"
  assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.after")" "container states after backup"

  cli_ok "$TMP/verify.out" "$TMP/verify.err" verify "$BACKUP"

  # Damage every volume in the backup (and leave stale files); the cache is not in the backup.
  # shellcheck disable=SC2086
  mutate_volumes "$P" $keys
  fingerprint_all "$P" "$TMP/$layout.damaged"
  for k in $keys; do
    if cmp -s "$TMP/$layout.before/$k.fp" "$TMP/$layout.damaged/$k.fp"; then
      die "test bug: mutating $k changed nothing"
    fi
  done

  cli_ok "$TMP/restore.out" "$TMP/restore.err" restore "$BACKUP" --yes
  fingerprint_all "$P" "$TMP/$layout.restored"
  assert_same_fingerprints "$TMP/$layout.before" "$TMP/$layout.restored" "restore did not bring back the backed-up tree"
  containers_state "$P" >"$TMP/state.restored"
  assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.restored")" "container states after restore"

  # History: both jobs, for this project.
  cli_ok "$TMP/history.out" "$TMP/history.err" history "$P"
  grep -qi backup "$TMP/history.out" || { cat "$TMP/history.out" >&2; die "history does not show the backup"; }
  grep -qi restore "$TMP/history.out" || { cat "$TMP/history.out" >&2; die "history does not show the restore"; }
  grep -qF "$(basename "$BACKUP")" "$TMP/history.out" || { cat "$TMP/history.out" >&2; die "history does not name the backup folder"; }
  cli_ok "$TMP/history.json" "$TMP/history.err" --json history "$P"
  # The restore kept the volumes' previous contents as a safety backup, recorded in the history:
  # it is a valid backup, and restoring it gives back the (damaged) state the restore replaced.
  local safety
  safety=$(BACKUP=$BACKUP python3 - "$TMP/history.json" <<'PY'
import json, os, sys
jobs = json.load(open(sys.argv[1]))
kinds = {(j.get("kind"), j.get("outcome"), j.get("folder")) for j in jobs}
b = os.environ["BACKUP"]
for want in (("backup", "succeeded", b), ("restore", "succeeded", b)):
    if want not in kinds:
        sys.exit("--json history lacks %r: %r" % (want, sorted(map(str, kinds))))
safety = [j["folder"] for j in jobs if j.get("kind") == "safety-backup" and j.get("outcome") == "succeeded"]
if len(safety) != 1:
    sys.exit("--json history: wanted one safety backup, found %r" % safety)
print(safety[0])
PY
) || die "history check failed"
  [ -d "$safety" ] || die "the safety backup $safety does not exist"
  if [ "$layout" = current ]; then
    cli_ok "$TMP/verify.out" "$TMP/verify.err" verify "$safety"
    cli_ok "$TMP/restore.out" "$TMP/restore.err" restore "$safety" --yes
    fingerprint_all "$P" "$TMP/$layout.way-back"
    # shellcheck disable=SC2086
    assert_same_fingerprints "$TMP/$layout.damaged" "$TMP/$layout.way-back" "restoring the safety backup" $keys

    # A new server: the same volumes, empty. Everything comes back; there was nothing to keep,
    # so no second safety backup.
    # shellcheck disable=SC2046
    empty_volumes $(for k in $keys; do echo "${P}_$k"; done)
    cli_ok "$TMP/restore.out" "$TMP/restore.err" restore "$BACKUP" --yes
    fingerprint_all "$P" "$TMP/$layout.fresh"
    # shellcheck disable=SC2086
    assert_same_fingerprints "$TMP/$layout.before" "$TMP/$layout.fresh" "a restore into empty volumes" $keys
    cli_ok "$TMP/history.json" "$TMP/history.err" --json history "$P"
    python3 - "$TMP/history.json" <<'PY' || die "history check after the restore into empty volumes failed"
import json, sys
jobs = json.load(open(sys.argv[1]))
restores = [j for j in jobs if j.get("kind") == "restore" and j.get("outcome") == "succeeded"]
safety = [j for j in jobs if j.get("kind") == "safety-backup"]
if len(restores) != 3:
    sys.exit("--json history: wanted three restores, found %d" % len(restores))
if len(safety) != 2:
    sys.exit("--json history: wanted the two safety backups of the restores into full volumes, found %d" % len(safety))
PY
  fi

  "$LIFEBOAT_HARNESS_DIR/remove-cvat-stack" "$P"
  log "roundtrip: $layout layout ok"
}

roundtrip current
roundtrip seed
echo "backup-restore-roundtrip: ok"
