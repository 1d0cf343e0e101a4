#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# backup's options against the real engine: --compression zstd and none (round trip),
# --volumes (only those), --no-stop (the containers keep running, never restarted),
# --no-restart (the containers stopped for the backup stay stopped), --volumes cvat_cache_db
# (the cache only when chosen), restore --volumes (only those); early starts: a container runs
# again once the volumes it mounts are read, never before.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

begin_test
P=$(test_project opts)
stack_up current "$P"
fingerprint_all "$P" "$TMP/before"
started () { dk container inspect -f '{{.State.StartedAt}}' "$1"; }

# --- zstd, two volumes ---
mkdir -p "$TMP/zstd"
cli_backup "$P" "$TMP/zstd" --compression zstd --volumes cvat_data,cvat_keys
assert_eq "cvat_data.tar.zst cvat_keys.tar.zst lifeboat.json" "$(ls -A "$BACKUP" | sort | tr '\n' ' ' | sed 's/ $//')" "files of a zstd backup of two volumes"
"$LIFEBOAT_HARNESS_DIR/manifest-tool" check "$BACKUP" cvat_data cvat_keys >/dev/null
zstd -q -t "$BACKUP/cvat_data.tar.zst" || die "cvat_data.tar.zst is not valid zstd"
tar --zstd -tf "$BACKUP/cvat_data.tar.zst" | grep -x >/dev/null 'home/django/data/data/tasks/1/raw/video.mp4' \
  || die "cvat_data.tar.zst does not have the guide's layout"
ZSTD_BACKUP=$BACKUP
mutate_volumes "$P" cvat_data cvat_keys cvat_logs
fingerprint_all "$P" "$TMP/mutated"
cli_ok "$TMP/out" "$TMP/err" restore "$ZSTD_BACKUP" --yes
fingerprint_all "$P" "$TMP/after-zstd"
assert_same_fingerprints "$TMP/before" "$TMP/after-zstd" "zstd round trip" cvat_data cvat_keys
# cvat_logs was not in the backup: left as it was (mutated).
assert_same_fingerprints "$TMP/mutated" "$TMP/after-zstd" "a volume outside the backup changed" cvat_logs cvat_db cvat_cache_db

# --- none, --no-stop: nothing is stopped or restarted ---
mkdir -p "$TMP/none"
s_server=$(started cvat_server) s_db=$(started cvat_db)
cli_backup "$P" "$TMP/none" --compression none --volumes cvat_logs,cvat_cache_db --no-stop
assert_eq "cvat_cache_db.tar cvat_logs.tar lifeboat.json" "$(ls -A "$BACKUP" | sort | tr '\n' ' ' | sed 's/ $//')" "files of an uncompressed backup"
"$LIFEBOAT_HARNESS_DIR/manifest-tool" check "$BACKUP" cvat_logs cvat_cache_db >/dev/null
tar -tf "$BACKUP/cvat_cache_db.tar" | grep -x >/dev/null 'var/lib/kvrocks/db/CURRENT' || die "cvat_cache_db.tar lacks var/lib/kvrocks/db/CURRENT"
assert_eq "$s_server" "$(started cvat_server)" "--no-stop: cvat_server was restarted"
assert_eq "$s_db" "$(started cvat_db)" "--no-stop: cvat_db was restarted"
NONE_BACKUP=$BACKUP
fingerprint_all "$P" "$TMP/before-none-restore"
cli_ok "$TMP/out" "$TMP/err" restore "$NONE_BACKUP" --yes --volumes cvat_logs
fingerprint_all "$P" "$TMP/after-none"
assert_same_fingerprints "$TMP/mutated" "$TMP/after-none" "uncompressed round trip of cvat_logs" cvat_logs
assert_same_fingerprints "$TMP/before-none-restore" "$TMP/after-none" "restore --volumes cvat_logs touched another volume" cvat_cache_db cvat_data cvat_db

# --- --no-restart: what the backup stopped stays stopped ---
mkdir -p "$TMP/norestart"
cli_backup "$P" "$TMP/norestart" --volumes cvat_db --no-restart
assert_eq false "$(running_state cvat_db)" "--no-restart: cvat_db runs again"
stopped=$(dk ps -aq --filter "label=com.docker.compose.project=$P" --filter status=exited)
# shellcheck disable=SC2086
[ -z "$stopped" ] || dk start $stopped >/dev/null

# --- early starts: a container whose volumes have been read runs again while the others are still
# read (cvat_db while 512 MB of media stream), and none runs again before its volumes are read ---
"$LIFEBOAT_HARNESS_DIR/remove-cvat-stack" "$P"
P=$(test_project early)
stack_up --data-mb 512 current "$P"
mkdir -p "$TMP/early"
cli_backup "$P" "$TMP/early"
at () { date -d "$(started "$1")" +%s.%N; }
read_done () { stat -c %.9Y "$BACKUP/$1.tar.gz"; }   # the archive's last write
before () { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)' "$1" "$2"; }
for c in cvat_server cvat_worker_import; do
  before "$(read_done cvat_data)" "$(at $c)" \
    || die "$c (it mounts cvat_data) ran again at $(started $c), before cvat_data was read ($(read_done cvat_data))"
done
before "$(read_done cvat_db)" "$(at cvat_db)" || die "cvat_db ran again before its volume was read"
before "$(at cvat_db)" "$(read_done cvat_data)" \
  || die "cvat_db ran again at $(started cvat_db), only after cvat_data was read ($(read_done cvat_data)): no early start"
log "backup-options: cvat_db ran again $(python3 -c 'import sys; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$(at cvat_db)" "$(read_done cvat_data)") s before cvat_data was read"

echo "backup-options: ok"
