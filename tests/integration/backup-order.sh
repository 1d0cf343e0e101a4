#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The order in which a backup reads the volumes: the database's volume first, on a worker of its
# own, even when it is not among the largest; the other worker takes the largest. Seen from the
# engine: its `archive-path` events (one per GET /containers/{id}/archive, logged before the
# stream is sent) — the first two are the two volumes read first, as a third GET waits for one
# of them to end. (That the database then runs again before the media are read:
# backup-options.sh.)
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

begin_test
case $LIFEBOAT_TEST_DOCKER_HOST in
  unix://*) ;;
  *) skip_or_fail "the test engine is not a unix socket: $LIFEBOAT_TEST_DOCKER_HOST" ;;
esac
P=$(test_project order)
stack_up --data-mb 64 current "$P"

# cvat_db smaller than two volumes of other containers: without the rule, the two workers would
# take cvat_data (cvat_server) and cvat_events_db (cvat_clickhouse)
dk run --rm --network none -v "${P}_cvat_events_db:/v" "${LIFEBOAT_TEST_BUSYBOX_IMAGE:-lifeboat-test/busybox:latest}" \
  sh -c 'head -c 16777216 /dev/urandom >/v/big-part.bin' >/dev/null
size_of () {
  curl -sf --unix-socket "${LIFEBOAT_TEST_DOCKER_HOST#unix://}" http://localhost/v1.41/system/df \
    | python3 -c 'import json, sys; print(next(v["UsageData"]["Size"] for v in json.load(sys.stdin)["Volumes"] if v["Name"] == sys.argv[1]))' "${P}_$1"
}
db_size=$(size_of cvat_db)
for k in cvat_data cvat_events_db; do
  [ "$(size_of $k)" -gt "$db_size" ] || die "$k ($(size_of $k) bytes) is not larger than cvat_db ($db_size): the test needs it to be"
done
log "volume sizes as the engine reports them: cvat_db $db_size, cvat_events_db $(size_of cvat_events_db), cvat_data $(size_of cvat_data)"
run_cli "$TMP/out" "$TMP/err" projects
grep -q -- "$P" "$TMP/out" || { cat "$TMP/err" >&2; die "projects does not list $P"; }

since=$(date +%s.%N)
mkdir -p "$TMP/b"
cli_backup "$P" "$TMP/b" --compression none
until=$(date +%s.%N)
sleep 0.2
dk events --since "$since" --until "$until" --filter type=container \
  --format '{{.TimeNano}} {{.Action}} {{.Actor.Attributes.name}}' >"$TMP/events"
grep -c ' archive-path ' "$TMP/events" >/dev/null || { cat "$TMP/events" >&2; die "no archive-path events during the backup"; }
# (the job's own lock container, whose journal it reads, is not a volume's)
first_two=$(awk '$2 == "archive-path" && $3 !~ /^lifeboat-lock-/ {print $3}' "$TMP/events" | head -n 2 | sort | tr '\n' ' ')
log "first two volumes read (by container): $first_two"
assert_eq "cvat_db cvat_server " "$first_two" "the first two volumes read (containers of the first two archive GETs)"

"$LIFEBOAT_HARNESS_DIR/manifest-tool" check "$BACKUP" cvat_db cvat_data cvat_keys cvat_logs cvat_events_db cvat_inmem_db >/dev/null

echo "backup-order: ok"
