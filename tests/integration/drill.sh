#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# lifeboat-cli drill against a real PostgreSQL 15 stack:
#   - a good backup: the database started on scratch volumes (pg_isready) and its rows were
#     counted (the rows written before the backup); drill.json in the backup folder and a
#     "drill" entry in the history say so; the project's volumes and containers were not touched;
#   - the database archive swapped for another volume's (manifest checksum patched): fails;
#   - the database archive swapped for a broken data directory (manifest fully patched, so
#     verify passes): fails because the database does not start;
#   - SIGTERM during the drill: it cleans up itself; kill -9: the next lifeboat-cli command
#     that contacts the engine removes what it left;
#   - schedule run of a schedule with --drill-every 1 drills the backup it made;
#   - a database that is not PostgreSQL (/var/lib/mysql): its image's healthcheck decides.
# After each, no scratch volume or container (label io.github.lifeboat.drill) survives.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

begin_test
P=$(test_project drill)
stack_up --real-postgres current "$P"

leftovers () {
  echo "$(dk ps -a -q --filter label=io.github.lifeboat.drill | wc -l) $(dk volume ls -q --filter label=io.github.lifeboat.drill | wc -l)"
}
assert_no_leftovers () {
  assert_eq "0 0" "$(leftovers)" "drill containers and volumes left $1"
}
psql_ () {
  dk exec -u postgres cvat_db psql -h /tmp -U postgres -d postgres -v ON_ERROR_STOP=1 -Atc "$1"
}

psql_ "CREATE TABLE drill_a (id int); INSERT INTO drill_a SELECT generate_series(1, 4321)" >/dev/null
psql_ "CREATE DATABASE second" >/dev/null
dk exec -u postgres cvat_db psql -h /tmp -U postgres -d second -v ON_ERROR_STOP=1 \
  -Atc "CREATE TABLE drill_b (id int); INSERT INTO drill_b SELECT generate_series(1, 79)" >/dev/null
WANT_ROWS=$((4321 + 79))

cli_backup "$P" "$TMP/b"
GOOD=$BACKUP
fingerprint_all "$P" "$TMP/fp-before"
# PostgreSQL's own volume changes while it runs: compared by its rows instead
rm -f "$TMP/fp-before/cvat_db.fp"

# --- a good backup ---
cli_ok "$TMP/out" "$TMP/err" drill "$GOOD"
cat "$TMP/out" >&2
grep -q "started and accepted connections (pg_isready)" "$TMP/out" || die "drill does not report the database started"
grep -qx "Rows counted: $WANT_ROWS" "$TMP/out" || die "drill did not count $WANT_ROWS rows"
python3 - "$GOOD/drill.json" "$WANT_ROWS" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["database"] == "cvat_db" and d["check"] == "pg_isready", d
assert d["rows"] == int(sys.argv[2]), d
PY
assert_file_mode 600 "$GOOD/drill.json"
assert_no_leftovers "after a good drill"
cli --json history "$P" | python3 -c '
import json, sys
h = [e for e in json.load(sys.stdin) if e["kind"] == "drill"]
assert len(h) == 1 and h[0]["outcome"] == "succeeded", h'
[ "$(running_state cvat_db)" = true ] || die "the project's database is not running after the drill"
assert_eq 4321 "$(psql_ 'SELECT count(*) FROM drill_a')" "the project's rows after the drill"
fingerprint_all "$P" "$TMP/fp-after"
assert_same_fingerprints "$TMP/fp-before" "$TMP/fp-after" "the project after the drill"

# --- the database archive swapped for another volume's ---
cp -a "$GOOD" "$TMP/b/swapped"
rm -f "$TMP/b/swapped/drill.json"
cp "$TMP/b/swapped/cvat_data.tar.gz" "$TMP/b/swapped/cvat_db.tar.gz"
"$LIFEBOAT_HARNESS_DIR/manifest-tool" patch "$TMP/b/swapped" cvat_db.tar.gz >/dev/null
run_cli "$TMP/out" "$TMP/err" drill "$TMP/b/swapped"
assert_eq 1 "$CLI_RC" "drill of a backup whose database archive was swapped"
grep -q "The drill failed" "$TMP/err" || { cat "$TMP/err" >&2; die "no failure sentence"; }
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["ok"] is False' "$TMP/b/swapped/drill.json"
assert_no_leftovers "after a failed drill (swapped archive)"

# --- a broken data directory that verify cannot tell: the database does not start ---
cp -a "$GOOD" "$TMP/b/broken"
mkdir -p "$TMP/x/var/lib/postgresql/data"
echo 15 >"$TMP/x/var/lib/postgresql/data/PG_VERSION"
chmod 700 "$TMP/x/var/lib/postgresql/data"
tar -C "$TMP/x" -czf "$TMP/b/broken/cvat_db.tar.gz" var/lib/postgresql/data
python3 - "$TMP/b/broken" cvat_db.tar.gz <<'PY'
import gzip, hashlib, json, os, sys, tarfile
folder, name = sys.argv[1], sys.argv[2]
path = os.path.join(folder, name)
data = open(path, "rb").read()
m = json.load(open(os.path.join(folder, "lifeboat.json")))
for v in m["volumes"]:
    if v["archive"] == name:
        v.update(sha256=hashlib.sha256(data).hexdigest(), archive_bytes=len(data),
                 tar_bytes=len(gzip.decompress(data)), entries=len(tarfile.open(path).getmembers()))
json.dump(m, open(os.path.join(folder, "lifeboat.json"), "w"))
PY
cli_ok "$TMP/out" "$TMP/err" verify "$TMP/b/broken"
run_cli "$TMP/out" "$TMP/err" drill "$TMP/b/broken"
assert_eq 1 "$CLI_RC" "drill of a backup with a broken database"
grep -q "The database stopped" "$TMP/err" || { cat "$TMP/err" >&2; die "the failure does not say the database stopped"; }
assert_no_leftovers "after a failed drill (database did not start)"

# --- interrupted ---
drill_started () { [ "$(leftovers)" != "0 0" ]; }
for sig in TERM KILL; do
  "$LIFEBOAT_CLI" --host "$LIFEBOAT_TEST_DOCKER_HOST" drill "$GOOD" >"$TMP/out" 2>"$TMP/err" </dev/null &
  pid=$!
  on_exit "kill -9 $pid 2>/dev/null || true"
  wait_until 60 drill_started || die "the drill created no scratch volume"
  kill -"$sig" "$pid"
  rc=0; wait "$pid" || rc=$?
  if [ "$sig" = TERM ]; then
    assert_eq 1 "$rc" "exit status of a drill ended by SIGTERM"
    assert_no_leftovers "after SIGTERM"
  else
    assert_eq 137 "$rc" "exit status of a drill ended by kill -9"
    [ "$(leftovers)" != "0 0" ] || log "kill -9 came after the drill had cleaned up"
    cli_ok "$TMP/out" "$TMP/err" projects
    assert_no_leftovers "after kill -9 and one more lifeboat-cli command"
  fi
done

# --- a schedule that drills every good backup: schedule run does backup, then drill ---
cli_ok "$TMP/s" "$TMP/err" schedule add "$P" --to "$TMP/sched" --every daily --drill-every 1
ID=$(sed -n 's/^Schedule \([0-9a-f-]*\): .*/\1/p' "$TMP/s")
cli_ok "$TMP/run" "$TMP/err" schedule run "$ID"
python3 - "$TMP/run" <<'PY'
import json, os, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert r["ok"] and r.get("drill") == "ok", r
d = json.load(open(os.path.join(r["folder"], "drill.json")))
assert d["ok"] and d["rows"] > 0, d
PY
assert_no_leftovers "after a scheduled drill"

[ "$(running_state cvat_db)" = true ] || die "the project's database is not running at the end"

# --- a database that is not PostgreSQL: its image's healthcheck decides ---
Q=$(test_project drillhc)
on_exit "dk rm -f $Q-db-1 >/dev/null 2>&1; dk volume rm -f ${Q}_db_data >/dev/null 2>&1 || true"
dk volume create --label "com.docker.compose.project=$Q" --label com.docker.compose.volume=db_data \
  "${Q}_db_data" >/dev/null
dk run -d --name "$Q-db-1" --network none --label "com.docker.compose.project=$Q" \
  --label com.docker.compose.service=db --health-cmd 'test -f /var/lib/mysql/ready' \
  --health-interval 1s --health-retries 2 -v "${Q}_db_data:/var/lib/mysql" \
  "$LIFEBOAT_TEST_BUSYBOX_IMAGE" sh -c 'trap "exit 0" TERM; while :; do sleep 1; done' >/dev/null
dk exec "$Q-db-1" sh -c 'echo 1 > /var/lib/mysql/ready'
cli_backup "$Q" "$TMP/hc"
HEALTHY=$BACKUP
dk exec "$Q-db-1" rm /var/lib/mysql/ready
cli_backup "$Q" "$TMP/hc"
SICK=$BACKUP
cli_ok "$TMP/out" "$TMP/err" drill "$HEALTHY"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["database"] == "db_data" and d["check"] == "healthcheck", d' "$HEALTHY/drill.json"
run_cli "$TMP/out" "$TMP/err" drill "$SICK"
assert_eq 1 "$CLI_RC" "drill of a backup whose database is unhealthy"
grep -q "healthcheck says it is unhealthy" "$TMP/err" || { cat "$TMP/err" >&2; die "the failure does not name the healthcheck"; }
assert_no_leftovers "after drills checked by a healthcheck"
echo "ok drill"
