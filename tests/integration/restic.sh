#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Backups into restic repositories (issue 16), with Debian's restic: a local repository, an SFTP
# repository on the loopback sshd, a rest: repository served by `rclone serve restic` on
# 127.0.0.1. For each: backup (the last line names REPO#ID, the snapshots carry the tags, the
# containers run as before) → damage the volumes → restore → byte-faithful volumes. On the local
# one also: verify, export to a guide folder of .tar.gz, the README's plain restic commands, a
# second backup that adds little (deduplication), the password never on a command line, a wrong
# password (one sentence, nothing changed), a repository locked by another restic, a full
# repository disk; and the SFTP server going away in the middle of a backup.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

begin_test
command -v restic >/dev/null || skip_or_fail "restic not installed (apt-get install restic)"
command -v rclone >/dev/null || skip_or_fail "rclone not installed (apt-get install rclone)"

P=$(test_project rs)
stack_up current "$P"
containers_state "$P" >"$TMP/state.before"
keys=$(volume_keys "$P" | grep -v cvat_cache_db)

PW="lbt-$RANDOM-correct-horse-$$"
printf '%s\n' "$PW" >"$TMP/pw"
chmod 600 "$TMP/pw"
printf 'wrong\n' >"$TMP/bad-pw"

# restic_ REPO ARGS...: the plain restic, with the test's password
restic_ () {
  local repo=$1; shift
  RESTIC_PASSWORD_FILE=$TMP/pw restic -r "$repo" "$@"
}

# backup_to REPO [ARGS...]: a backup that must succeed; sets BACKUP (REPO#ID) and ID
backup_to () {
  local repo=$1; shift
  run_cli "$TMP/backup.out" "$TMP/backup.err" backup "$P" --to "$repo" --password-file "$TMP/pw" "$@"
  if [ "$CLI_RC" != 0 ]; then
    cat "$TMP/backup.err" >&2
    die "backup $P --to $repo exited $CLI_RC"
  fi
  BACKUP=$(tail -n 1 "$TMP/backup.out")
  ID=${BACKUP##*#}
  [[ $BACKUP == "$repo#$P-"* ]] || die "backup's last line is not $repo#$P-…: '$BACKUP'"
  [[ $ID =~ ^$P-[0-9]{8}-[0-9]{6}$ ]] || die "backup id $ID is not $P-YYYYMMDD-HHMMSS"
}

# the backup's snapshots in REPO: one per volume (/<key>.tar) and its manifest, with their tags
check_snapshots () {
  local repo=$1
  restic_ "$repo" snapshots --json --tag "lifeboat-backup=$ID" >"$TMP/snapshots.json"
  KEYS="$keys" ID="$ID" P="$P" python3 - "$TMP/snapshots.json" <<'PY' || die "snapshots of $ID in $repo"
import json, os, sys
snaps = json.load(open(sys.argv[1]))
keys = os.environ["KEYS"].split()
paths = sorted(p for s in snaps for p in s["paths"])
want = sorted(["/%s.tar" % k for k in keys] + ["/lifeboat.json"])
if paths != want:
    sys.exit("snapshot paths %r, wanted %r" % (paths, want))
for s in snaps:
    tags = set(s.get("tags") or [])
    for t in ("lifeboat", "lifeboat-backup=" + os.environ["ID"], "lifeboat-project=" + os.environ["P"]):
        if t not in tags:
            sys.exit("snapshot %s lacks tag %s: %r" % (s["paths"], t, sorted(tags)))
m = [s for s in snaps if s["paths"] == ["/lifeboat.json"]][0]
tags = set(m["tags"])
if "lifeboat-manifest" not in tags or "lifeboat-app=cvat:v2.22.0" not in tags \
   or not any(t.startswith("lifeboat-engine=") and len(t) > 20 for t in tags):
    sys.exit("manifest snapshot tags %r" % sorted(tags))
PY
}

roundtrip () {
  local name=$1 repo=$2
  log "restic: $name repository $repo"
  fingerprint_all "$P" "$TMP/$name.before"
  backup_to "$repo"
  check_snapshots "$repo"
  containers_state "$P" >"$TMP/state.after"
  assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.after")" "$name: container states after the backup"
  fingerprint_all "$P" "$TMP/$name.after-backup"
  assert_same_fingerprints "$TMP/$name.before" "$TMP/$name.after-backup" "$name: the backup changed a volume"

  # shellcheck disable=SC2086
  mutate_volumes "$P" $keys
  cli_ok "$TMP/restore.out" "$TMP/restore.err" restore "$BACKUP" --yes --password-file "$TMP/pw"
  fingerprint_all "$P" "$TMP/$name.restored"
  assert_same_fingerprints "$TMP/$name.before" "$TMP/$name.restored" "$name: restore from $BACKUP"
  containers_state "$P" >"$TMP/state.restored"
  assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.restored")" "$name: container states after the restore"
}

# ---- local ---------------------------------------------------------------------------------
LOCAL=$TMP/repo
# the password is on no command line and in no environment while the backup runs
with_secret_watch "$TMP/pw" "$TMP/pw-seen" roundtrip local "local:$LOCAL"
if [ -s "$TMP/pw-seen" ]; then
  for f in $(cat "$TMP/pw-seen"); do tr '\0' ' ' <"$f" 2>/dev/null || true; echo; done >&2
  die "the password appeared on a command line or in an environment: $(cat "$TMP/pw-seen")"
fi
grep -q "Created a new restic repository" "$TMP/backup.err" || die "the new repository was not announced"
[ -f "$LOCAL/config" ] || die "no repository at $LOCAL"
# nothing in the clear: the volumes' secret key is not readable in the repository's files
if grep -rqF "$(dk run --rm -v "${P}_cvat_keys:/k" "$LIFEBOAT_TEST_BUSYBOX_IMAGE" cat /k/secret_key.py | head -c 40)" "$LOCAL"; then
  die "the Django secret key is readable in the repository"
fi

# verify: restic check, then every tar stream against the manifest; the plain path spelling too
cli_ok "$TMP/verify.out" "$TMP/verify.err" verify "$LOCAL#$ID" --password-file "$TMP/pw"
grep -q "restic check" "$TMP/verify.out" || die "verify did not run restic check"
grep -q "is whole" "$TMP/verify.out" || die "verify did not check the tar streams"
[ "$(grep -c '^ok .*\.tar (' "$TMP/verify.out")" = "$(wc -w <<<"$keys")" ] || die "verify: not every volume: $(cat "$TMP/verify.out")"

# export: a guide folder of .tar.gz that Lifeboat verifies and the guide's tar reads
cli_ok "$TMP/export.out" "$TMP/export.err" export "$LOCAL#$ID" --to "$TMP/exported" --password-file "$TMP/pw"
EXPORTED=$(tail -n 1 "$TMP/export.out")
assert_eq "$TMP/exported/$ID" "$EXPORTED" "export's folder"
assert_file_mode 700 "$EXPORTED"
want=$(for k in $keys; do echo "$k.tar.gz"; done; echo lifeboat.json)
assert_eq "$(sort <<<"$want")" "$(ls -A "$EXPORTED" | sort)" "files in the exported folder"
for f in "$EXPORTED"/*; do assert_file_mode 600 "$f"; done
# shellcheck disable=SC2086
"$LIFEBOAT_HARNESS_DIR/manifest-tool" check "$EXPORTED" $keys >/dev/null
cli_ok "$TMP/verify2.out" "$TMP/verify2.err" verify "$EXPORTED"
tar -tvzf "$EXPORTED/cvat_db.tar.gz" --numeric-owner | grep -E " 70/70 .* var/lib/postgresql/data/PG_VERSION\$" >/dev/null \
  || die "exported cvat_db.tar.gz: no var/lib/postgresql/data/PG_VERSION owned 70/70"

# the README's commands, without Lifeboat
restic_ "$LOCAL" snapshots --tag "lifeboat-backup=$ID" >/dev/null
restic_ "$LOCAL" dump --tag "lifeboat-backup=$ID" --path /cvat_db.tar latest /cvat_db.tar | gzip >"$TMP/plain-cvat_db.tar.gz"
mkdir -p "$TMP/plain"
tar -xzf "$TMP/plain-cvat_db.tar.gz" -C "$TMP/plain" --strip 4
[ -f "$TMP/plain/PG_VERSION" ] || die "the README's restic dump | tar --strip 4 gave no PG_VERSION"
restic_ "$LOCAL" dump --tag "lifeboat-backup=$ID" --path /lifeboat.json latest /lifeboat.json | python3 -c '
import json, sys
m = json.load(sys.stdin)
assert m["restic"]["snapshots"], "no snapshots named in the stored manifest"
assert all(v["compression"] == "none" and v["archive"].endswith(".tar") for v in m["volumes"]), m["volumes"]
' || die "the stored manifest"

# a second backup after a small change adds little: restic deduplicates the tar streams. That
# shows only in a stream of many of restic's chunks (0.5 to 8 MiB, 1.5 MiB on average; the 4 MB
# stream alone is two to four, and the one a change falls in is a third of it or more): a
# 24 MiB file joins cvat_data for a baseline backup, then one line of a file changes
dk run --rm --network none -v "${P}_cvat_data:/d" "$LIFEBOAT_TEST_BUSYBOX_IMAGE" \
  sh -c 'head -c 25165824 /dev/urandom > /d/data/dedup.bin' >/dev/null
FIRST=$ID
sleep 1
backup_to "$LOCAL"
BASE=$ID
dk run --rm --network none -v "${P}_cvat_data:/d" "$LIFEBOAT_TEST_BUSYBOX_IMAGE" \
  sh -c 'echo one more line >> /d/data/tasks/1/task.json' >/dev/null 2>&1 || true
sleep 1
backup_to "$LOCAL"
[ "$ID" != "$BASE" ] && [ "$BASE" != "$FIRST" ] || die "the second backup has the first's id"
restic_ "$LOCAL" dump --tag "lifeboat-backup=$ID" --path /lifeboat.json latest /lifeboat.json | python3 -c '
import json, sys
m = json.load(sys.stdin)
added = m["restic"]["data_added"]["cvat_data.tar"]
total = [v["tar_bytes"] for v in m["volumes"] if v["key"] == "cvat_data"][0]
print("second backup: cvat_data added %d of %d bytes" % (added, total), file=sys.stderr)
assert added < total / 3, "cvat_data: %d of %d bytes added again" % (added, total)
' || die "the second backup did not deduplicate"
dk run --rm --network none -v "${P}_cvat_data:/d" "$LIFEBOAT_TEST_BUSYBOX_IMAGE" rm /d/data/dedup.bin
cli_ok "$TMP/history.out" "$TMP/history.err" history "$P"
grep -qF "local:$LOCAL#$FIRST" "$TMP/history.out" || { cat "$TMP/history.out" >&2; die "the history does not name the backup as REPO#ID"; }
# the history finds the repository's backups from its location alone (a new journal, as after
# a reinstall): the repository is a history source like a folder
mkdir -p "$TMP/xdg2/lifeboat"
cp "$XDG_DATA_HOME/lifeboat/locations" "$TMP/xdg2/lifeboat/"
grep -qxF "local:$LOCAL" "$TMP/xdg2/lifeboat/locations" || die "the repository is not a remembered location"
XDG_DATA_HOME=$TMP/xdg2 cli_ok "$TMP/history2.out" "$TMP/history2.err" history "$P" --password-file "$TMP/pw"
grep -qF "local:$LOCAL#$FIRST" "$TMP/history2.out" || { cat "$TMP/history2.out" >&2; die "the history did not find the repository's backup"; }
grep -qF "local:$LOCAL#$ID" "$TMP/history2.out" || { cat "$TMP/history2.out" >&2; die "the history did not find the repository's second backup"; }

# wrong password: one sentence, nothing changed (no snapshot, containers and volumes as they were)
n_before=$(restic_ "$LOCAL" snapshots --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
fingerprint_all "$P" "$TMP/before-wrong"
run_cli "$TMP/wrong.out" "$TMP/wrong.err" backup "$P" --to "$LOCAL" --password-file "$TMP/bad-pw"
assert_eq 1 "$CLI_RC" "backup with a wrong password: exit status"
assert_eq 1 "$(wc -l <"$TMP/wrong.err")" "backup with a wrong password: lines on stderr"
grep -q "password of the restic repository $LOCAL is wrong" "$TMP/wrong.err" || die "wrong password: $(cat "$TMP/wrong.err")"
run_cli "$TMP/wrong.out" "$TMP/wrong2.err" restore "$LOCAL#$ID" --yes --password-file "$TMP/bad-pw"
assert_eq 1 "$CLI_RC" "restore with a wrong password: exit status"
assert_eq 1 "$(wc -l <"$TMP/wrong2.err")" "restore with a wrong password: lines on stderr"
grep -q "is wrong. Nothing was changed." "$TMP/wrong2.err" || die "wrong password: $(cat "$TMP/wrong2.err")"
assert_eq "$n_before" "$(restic_ "$LOCAL" snapshots --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" "snapshots after a wrong password"
containers_state "$P" >"$TMP/state.wrong"
assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.wrong")" "container states after a wrong password"
fingerprint_all "$P" "$TMP/after-wrong"
assert_same_fingerprints "$TMP/before-wrong" "$TMP/after-wrong" "a wrong password changed a volume"

# locked by another restic (a backup that holds its lock while its stdin stays open): verify's
# restic check says so in one sentence; the lock is restic's, left alone
mkfifo "$TMP/hold"
RESTIC_PASSWORD_FILE=$TMP/pw restic -r "$LOCAL" backup --stdin --stdin-filename held <"$TMP/hold" >/dev/null 2>&1 &
holder=$!
exec 9>"$TMP/hold"
on_exit "exec 9>&- 2>/dev/null || true; kill $holder 2>/dev/null || true"
wait_until 20 sh -c "ls '$LOCAL/locks' | grep -q ." || die "the other restic took no lock"
run_cli "$TMP/locked.out" "$TMP/locked.err" verify "$LOCAL#$ID" --password-file "$TMP/pw"
exec 9>&-
wait "$holder" || true
assert_eq 1 "$CLI_RC" "verify of a locked repository: exit status"
assert_eq 1 "$(wc -l <"$TMP/locked.err")" "verify of a locked repository: lines on stderr"
grep -q "is in use by another restic" "$TMP/locked.err" || die "locked: $(cat "$TMP/locked.err")"
log "locked: $(cat "$TMP/locked.err")"

# a full repository disk: one sentence, no complete backup recorded, the containers run again
small=$TMP/small
mkdir -p "$small"
mount -t tmpfs -o size=3m tmpfs "$small" || skip_or_fail "cannot mount a small tmpfs (needs root)"
on_exit "umount '$small' 2>/dev/null || true"
run_cli "$TMP/full.out" "$TMP/full.err" backup "$P" --to "local:$small/repo" --password-file "$TMP/pw"
assert_eq 1 "$CLI_RC" "backup into a full repository disk: exit status"
grep -q "The disk of the restic repository local:$small/repo is full" "$TMP/full.err" || die "full disk: $(cat "$TMP/full.err")"
grep -q "No backup was written" "$TMP/full.err" || die "full disk: $(cat "$TMP/full.err")"
[ "$(grep -c 'lifeboat-cli:' "$TMP/full.err")" = 1 ] || die "full disk: more than one error line"
log "full disk: $(grep lifeboat-cli: "$TMP/full.err")"
containers_state "$P" >"$TMP/state.full"
assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.full")" "container states after a full disk"
if RESTIC_PASSWORD_FILE=$TMP/pw restic -r "$small/repo" snapshots --json --tag lifeboat-manifest 2>/dev/null | grep -q lifeboat-backup; then
  die "a backup that failed on a full disk is recorded as complete"
fi
umount "$small"

# ---- rest: through rclone serve restic on 127.0.0.1 -------------------------------------------
mkdir -p "$TMP/rest-data"
port=
for _ in $(seq 1 20); do
  port=$((20000 + RANDOM % 30000))
  ss -Hltn "sport = :$port" | grep -q . || break
done
rclone serve restic --addr "127.0.0.1:$port" "$TMP/rest-data" >"$TMP/rclone.log" 2>&1 &
rclone_pid=$!
on_exit "kill $rclone_pid 2>/dev/null || true; wait $rclone_pid 2>/dev/null || true"
wait_until 20 sh -c "ss -Hltn 'sport = :$port' | grep -q ." || { cat "$TMP/rclone.log" >&2; die "rclone serve restic did not start"; }
roundtrip rest "rest:http://127.0.0.1:$port/"
kill "$rclone_pid"; wait "$rclone_pid" 2>/dev/null || true

# ---- sftp: through the loopback sshd -----------------------------------------------------------
. "$LIFEBOAT_HARNESS_DIR/sshd-lib.sh"
sshd_start "$TMP/sshd"
sshd_trust
# restic runs `ssh`; the test's ssh reads the test's config, as a user's reads ~/.ssh/config
mkdir -p "$TMP/bin"
printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$SSH_CONFIG" >"$TMP/bin/ssh"
chmod +x "$TMP/bin/ssh"
export PATH=$TMP/bin:$PATH
roundtrip sftp "sftp:lbt-sshd:$TMP/sftp-repo"

# the SFTP server goes away in the middle of a backup: one sentence, the containers run again,
# nothing recorded as a complete backup
dk run --rm --network none -v "${P}_cvat_data:/d" "$LIFEBOAT_TEST_BUSYBOX_IMAGE" \
  sh -c 'head -c 150000000 /dev/urandom > /d/big.bin' >/dev/null
packs_before=$(find "$TMP/sftp-repo/data" -type f | wc -l)
run_cli_bg () {
  "$LIFEBOAT_CLI" --host "$LIFEBOAT_TEST_DOCKER_HOST" backup "$P" --to "sftp:lbt-sshd:$TMP/sftp-repo" \
    --password-file "$TMP/pw" >"$TMP/cut.out" 2>"$TMP/cut.err"
}
run_cli_bg &
cli_pid=$!
on_exit "kill $cli_pid 2>/dev/null || true"
# as soon as the backup has written a new pack into the repository, every SSH session ends
wait_until 60 sh -c "[ \$(find '$TMP/sftp-repo/data' -type f | wc -l) -gt $packs_before ]" \
  || die "the backup wrote nothing through SFTP"
kill -0 "$cli_pid" 2>/dev/null || die "the backup ended before the SFTP server could go away"
# the test's own sshd and its sessions (its children and theirs), by pid
sessions=$(ps -o pid= --ppid "$SSHD_PID" || true)
for pid in $sessions; do sessions="$sessions $(ps -o pid= --ppid "$pid" || true)"; done
sshd_stop
for pid in $sessions; do kill "$pid" 2>/dev/null || true; done
rc=0
wait "$cli_pid" || rc=$?
assert_eq 1 "$rc" "backup when the SFTP server went away: exit status"
grep -q "The connection to the restic repository sftp:lbt-sshd:$TMP/sftp-repo was lost" "$TMP/cut.err" \
  || { cat "$TMP/cut.err" >&2; die "SFTP server gone: not the sentence"; }
[ "$(grep -c 'lifeboat-cli:' "$TMP/cut.err")" = 1 ] || { cat "$TMP/cut.err" >&2; die "SFTP server gone: more than one error line"; }
grep -q "No backup was written" "$TMP/cut.err" || die "SFTP server gone: $(cat "$TMP/cut.err")"
log "SFTP server gone: $(grep lifeboat-cli: "$TMP/cut.err")"
containers_state "$P" >"$TMP/state.cut"
assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.cut")" "container states after the SFTP server went away"
n_complete=$(RESTIC_PASSWORD_FILE=$TMP/pw restic -r "$TMP/sftp-repo" snapshots --json --tag lifeboat-manifest \
  | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
assert_eq 1 "$n_complete" "complete backups in the SFTP repository after the cut"

# a cancelled backup (SIGINT) into the local repository: the containers run again, no complete
# backup, and the volume snapshots it had written are forgotten
n_manifests=$(restic_ "$LOCAL" snapshots --json --tag lifeboat-manifest | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
packs_before=$(find "$LOCAL/data" -type f | wc -l)
"$LIFEBOAT_CLI" --host "$LIFEBOAT_TEST_DOCKER_HOST" backup "$P" --to "$LOCAL" --password-file "$TMP/pw" \
  >"$TMP/cancel.out" 2>"$TMP/cancel.err" &
cli_pid=$!
on_exit "kill $cli_pid 2>/dev/null || true"
wait_until 60 sh -c "[ \$(find '$LOCAL/data' -type f | wc -l) -gt $packs_before ]" \
  || die "the backup wrote nothing into the local repository"
kill -0 "$cli_pid" 2>/dev/null || die "the backup ended before it could be cancelled"
kill -INT "$cli_pid"
rc=0
wait "$cli_pid" || rc=$?
assert_eq 1 "$rc" "cancelled backup: exit status"
grep -qi "cancel" "$TMP/cancel.err" || { cat "$TMP/cancel.err" >&2; die "cancelled backup: not said"; }
log "cancelled: $(grep lifeboat-cli: "$TMP/cancel.err")"
containers_state "$P" >"$TMP/state.cancel"
assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.cancel")" "container states after a cancelled backup"
assert_eq "$n_manifests" "$(restic_ "$LOCAL" snapshots --json --tag lifeboat-manifest | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
  "complete backups after a cancelled one"
cancelled_id=$(restic_ "$LOCAL" snapshots --json | python3 -c '
import json, sys
ids = {t for s in json.load(sys.stdin) for t in (s.get("tags") or []) if t.startswith("lifeboat-backup=")}
print(len(ids))')
restic_ "$LOCAL" snapshots --json --tag lifeboat-manifest | python3 -c '
import json, sys
print(len({t for s in json.load(sys.stdin) for t in s["tags"] if t.startswith("lifeboat-backup=")}))' >"$TMP/n-complete-ids"
assert_eq "$(cat "$TMP/n-complete-ids")" "$cancelled_id" "backup ids with snapshots but no manifest after a cancel"

# ---- a real PostgreSQL starts on what a restore from a repository wrote ------------------------
# (the containers' names are fixed, as CVAT's: one stack at a time)
"$LIFEBOAT_HARNESS_DIR/remove-cvat-stack" "$P" >/dev/null 2>&1
Q=$(test_project rspg)
stack_up --real-postgres current "$Q"
psql_ () {
  dk exec -u postgres cvat_db psql -h /tmp -U postgres -d postgres -v ON_ERROR_STOP=1 -Atc "$1"
}
pg_ready () {
  [ "$(running_state cvat_db)" = true ] && dk exec -u postgres cvat_db pg_isready -h /tmp -U postgres
}
rows="SELECT count(*) || ' ' || md5(string_agg(id || name, ',' ORDER BY id)) FROM lifeboat_test"
wait_until 60 pg_ready || die "PostgreSQL did not start"
psql_ "CREATE TABLE lifeboat_test (id integer PRIMARY KEY, name text NOT NULL)" >/dev/null
psql_ "INSERT INTO lifeboat_test SELECT i, 'row ' || i FROM generate_series(1, 3000) AS i" >/dev/null
want=$(psql_ "$rows")
run_cli "$TMP/pg.out" "$TMP/pg.err" backup "$Q" --to "$LOCAL" --volumes cvat_db --password-file "$TMP/pw"
[ "$CLI_RC" = 0 ] || { cat "$TMP/pg.err" >&2; die "backup of the PostgreSQL stack failed"; }
PGBACKUP=$(tail -n 1 "$TMP/pg.out")
wait_until 60 pg_ready || die "PostgreSQL did not come back after the backup"
psql_ "DROP TABLE lifeboat_test" >/dev/null
cli_ok "$TMP/pg.out" "$TMP/pg.err" restore "$PGBACKUP" --yes --password-file "$TMP/pw"
wait_until 60 pg_ready || { dk logs --tail 30 cvat_db >&2 || true; die "PostgreSQL did not start on the restored data"; }
assert_eq "$want" "$(psql_ "$rows")" "rows after a restore from $PGBACKUP"

echo "restic: ok"
