#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A real PostgreSQL 15 in cvat_db (data directory initdb'd in the volume): rows written, backup,
# table dropped, restore, the server starts again on the restored files and the rows are back;
# then restores killed with kill -9 mid-write and after writing: after the next command's
# recovery the server starts and holds the previous rows, then the backup's.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

begin_test
P=$(test_project pg)
stack_up --real-postgres current "$P"

psql_ () {
  dk exec -u postgres cvat_db psql -h /tmp -U postgres -d postgres -v ON_ERROR_STOP=1 -Atc "$1"
}
pg_ready () {
  [ "$(running_state cvat_db)" = true ] && dk exec -u postgres cvat_db pg_isready -h /tmp -U postgres
}

psql_ "CREATE TABLE lifeboat_test (id integer PRIMARY KEY, name text NOT NULL, payload bytea)" >/dev/null
psql_ "INSERT INTO lifeboat_test SELECT i, 'row ' || i || ' Ünïcødé', sha256(i::text::bytea) FROM generate_series(1, 5000) AS i" >/dev/null
psql_ "CREATE INDEX lifeboat_test_name ON lifeboat_test (name)" >/dev/null
want=$(psql_ "SELECT count(*) || ' ' || md5(string_agg(id || name || encode(payload, 'hex'), ',' ORDER BY id)) FROM lifeboat_test")
log "postgres: wrote $want"

dest=$TMP/backups
mkdir -p "$dest"
cli_backup "$P" "$dest" --volumes cvat_db
[ -f "$BACKUP/cvat_db.tar.gz" ] || die "no cvat_db.tar.gz in $BACKUP"
# The database was stopped for the backup: its files are consistent without WAL replay.
tar -tzf "$BACKUP/cvat_db.tar.gz" | grep -x 'var/lib/postgresql/data/postmaster.pid' >/dev/null \
  && die "cvat_db.tar.gz holds postmaster.pid: PostgreSQL was not stopped during the backup"
wait_until 60 pg_ready || die "PostgreSQL did not come back after the backup"
got=$(psql_ "SELECT count(*) || ' ' || md5(string_agg(id || name || encode(payload, 'hex'), ',' ORDER BY id)) FROM lifeboat_test")
assert_eq "$want" "$got" "rows right after the backup"

psql_ "DROP TABLE lifeboat_test" >/dev/null
psql_ "CREATE TABLE written_after_backup (x int)" >/dev/null
[ "$(psql_ "SELECT count(*) FROM pg_tables WHERE tablename = 'lifeboat_test'")" = 0 ] || die "test bug: table not dropped"

cli_ok "$TMP/out" "$TMP/err" restore "$BACKUP" --yes
wait_until 60 pg_ready || { dk logs --tail 30 cvat_db >&2 || true; die "PostgreSQL did not start on the restored data"; }
got=$(psql_ "SELECT count(*) || ' ' || md5(string_agg(id || name || encode(payload, 'hex'), ',' ORDER BY id)) FROM lifeboat_test")
assert_eq "$want" "$got" "rows after the restore"
assert_eq 0 "$(psql_ "SELECT count(*) FROM pg_tables WHERE tablename = 'written_after_backup'")" \
  "a table created after the backup survived the restore"
# The server's own check of the restored cluster: no complaints in its log.
if dk logs cvat_db 2>&1 | grep -E 'PANIC|FATAL:  (could not|invalid)'; then
  die "PostgreSQL logged errors after the restore"
fi
# --- kill -9 in the middle of a restore, then one more command: the database starts and holds
# its rows — the previous ones before every volume was written, the backup's after ---
count_md5="SELECT count(*) || ' ' || md5(string_agg(id || name || encode(payload, 'hex'), ',' ORDER BY id)) FROM lifeboat_test"
psql_ "INSERT INTO lifeboat_test SELECT i, 'later ' || i, sha256(i::text::bytea) FROM generate_series(5001, 6000) AS i" >/dev/null
before=$(psql_ "$count_md5")
[ "$before" != "$want" ] || die "test bug: the rows did not change"

killed_restore () {   # killed_restore STEP
  rm -f "$TMP/pause"
  LIFEBOAT_TEST_PAUSE_AT=$1 LIFEBOAT_TEST_PAUSE_FILE=$TMP/pause \
    "$LIFEBOAT_CLI" --host "$LIFEBOAT_TEST_DOCKER_HOST" restore "$BACKUP" --yes >"$TMP/k.out" \
    2>"$TMP/k.err" </dev/null &
  local job=$!
  wait_until 120 test -s "$TMP/pause" || { kill -9 "$job"; cat "$TMP/k.err" >&2; die "the restore did not reach $1"; }
  kill -9 "$job"
  wait "$job" 2>/dev/null || true
  rm -f "$TMP/pause"
  cli_ok "$TMP/out" "$TMP/err" projects
  wait_until 60 pg_ready || { dk logs --tail 30 cvat_db >&2 || true; die "PostgreSQL did not start after a restore killed at $1 and its recovery"; }
}

killed_restore volume-written
assert_eq "$before" "$(psql_ "$count_md5")" "rows after a restore killed mid-write and rolled back"
killed_restore starting
assert_eq "$want" "$(psql_ "$count_md5")" "rows after a restore killed once written and rolled forward"
if dk logs cvat_db 2>&1 | grep -E 'PANIC|FATAL:  (could not|invalid)'; then
  die "PostgreSQL logged errors after the recoveries"
fi
echo "postgres: ok"
