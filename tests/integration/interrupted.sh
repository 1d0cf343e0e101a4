#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Jobs ended at every step by something other than their own cancel (CONTRACTS.md §5), on one
# stack whose containers all have `restart: always`, as CVAT's compose file sets:
# - kill -9 of a restore at each journal step, and of a backup at each of its steps;
# - SIGHUP (a closed terminal or SSH session) of a restore and of a backup at one step of each
#   kind of state a cancel puts back, with a second job on the project refused at each;
# - an engine restart (dockerd stopped and started again) mid-restore, as its containers start,
#   after its safety copy, mid-backup, as a backup stops its containers and before its rename,
#   and an engine restart together with the client's death after every volume was written;
# - a second restore and a backup while a restore holds the project.
# After each, one more Lifeboat command (`projects`) runs, then: every container that ran runs
# again with its restart policy back; every volume holds exactly its old or its new contents
# (tree fingerprints with owners and modes), the one the step implies; no hidden folder, helper
# container, lock or journal is left, nor a .partial folder; the history tells what happened.
# The job stops at a step through the test switch LIFEBOAT_TEST_PAUSE_AT (lifeboat-job-lock.c).
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

begin_test
P=$(test_project intr)
stack_up current "$P"
export LIFEBOAT_SETTLE_SECONDS=1
names=$(dk ps -a --filter "label=com.docker.compose.project=$P" --format '{{.Names}}' | sort)
# shellcheck disable=SC2086
dk update --restart always $names >/dev/null
containers_state "$P" >"$TMP/state.want"
grep -q '=running$' "$TMP/state.want" || die "test bug: no running container"
keys=$(volume_keys "$P")

# ---- two backups with different contents ------------------------------------------------------
# under umask 000 every folder Lifeboat creates is 0700 and every file 0600 (CONTRACTS §5)
(
  umask 000
  cli_backup "$P" "$TMP/new-parent/backups"
  echo "$BACKUP" >"$TMP/A.path"
)
A=$(cat "$TMP/A.path")
for d in "$TMP/new-parent" "$TMP/new-parent/backups" "$A" "$XDG_DATA_HOME/lifeboat"; do
  assert_file_mode 700 "$d"
done
for f in "$A"/* "$XDG_DATA_HOME/lifeboat/history.jsonl"; do
  assert_file_mode 600 "$f"
done
fingerprint_all "$P" "$TMP/fp-A"
# shellcheck disable=SC2086
mutate_volumes "$P" $keys
cli_backup "$P" "$TMP/new-parent/backups"
B=$BACKUP
fingerprint_all "$P" "$TMP/fp-B"
# the rebuildable cache is left out of backups by default: a restore never changes it
cp "$TMP/fp-B/cvat_cache_db.fp" "$TMP/fp-A/cvat_cache_db.fp"
cmp -s "$TMP/fp-A/cvat_db.fp" "$TMP/fp-B/cvat_db.fp" && die "test bug: A and B are the same"
current=B
interrupted=0

other () { if [ "$1" = A ]; then echo B; else echo A; fi; }
backup_of () { if [ "$1" = A ]; then echo "$A"; else echo "$B"; fi; }

history_count () {
  cli --json history "$P" | python3 -c "
import json, sys
print(sum(1 for e in json.load(sys.stdin) if e.get('outcome') == sys.argv[1]))" "$1"
}

# check_clean WHAT CONTENTS: the state after an interruption and one more command
check_clean () {
  local what=$1 want=$2 n
  containers_state "$P" >"$TMP/state.got"
  assert_same_fingerprint "$TMP/state.want" "$TMP/state.got" "$what: containers that ran run again"
  fingerprint_all "$P" "$TMP/fp-got"
  assert_same_fingerprints "$TMP/fp-$want" "$TMP/fp-got" "$what: contents $want"
  for n in $names; do
    assert_eq always "$(dk inspect -f '{{.HostConfig.RestartPolicy.Name}}' "$n")" \
      "$what: restart policy of $n put back"
  done
  assert_eq "" "$(dk ps -aq --filter label=io.github.lifeboat.helper)" "$what: helper containers left"
  assert_eq "" "$(dk ps -aq --filter label=io.github.lifeboat.lock)" "$what: a lock left"
  assert_eq "" "$(dk volume ls -q --filter label=io.github.lifeboat.journal)" "$what: a journal left"
  assert_eq "" "$(find "$TMP" -maxdepth 3 -name '*.partial')" "$what: a .partial folder left"
}

# pause_run STEP ARGS...: lifeboat-cli ARGS in the background, stopped at STEP; sets JOB
pause_run () {
  local step=$1; shift
  rm -f "$TMP/pause"
  LIFEBOAT_TEST_PAUSE_AT=$step LIFEBOAT_TEST_PAUSE_FILE=$TMP/pause \
    "$LIFEBOAT_CLI" --host "$LIFEBOAT_TEST_DOCKER_HOST" "$@" >"$TMP/job.out" 2>"$TMP/job.err" \
    </dev/null &
  JOB=$!
  if ! wait_until 120 test -s "$TMP/pause"; then
    cat "$TMP/job.err" >&2
    kill -9 "$JOB" 2>/dev/null || true
    die "the job did not reach step $step"
  fi
}

# one more Lifeboat command: it recovers whatever was left
one_more () {
  cli_ok "$TMP/projects.out" "$TMP/projects.err" projects
}

# ---- kill -9 of a restore at every step -------------------------------------------------------
# before "written-all" the previous contents come back; from it on, the new ones stay
for step in begin policies stopping aside writing volume-written written-all starting \
            safety-done removing-aside aside-removed policies-restored; do
  target=$(other "$current")
  pause_run "$step" restore "$(backup_of "$target")" --yes
  kill -9 "$JOB"
  wait "$JOB" 2>/dev/null || true
  rm -f "$TMP/pause"
  one_more
  case $step in
    begin|policies|stopping|aside|writing|volume-written) want=$current ;;
    *) want=$target ;;
  esac
  check_clean "restore killed at $step" "$want"
  current=$want
  interrupted=$((interrupted + 1))
  assert_eq "$interrupted" "$(history_count interrupted)" "restore killed at $step: the history records it"
  log "restore killed at $step: recovered to $want ($(head -c 200 "$TMP/projects.err" | tr '\n' ' '))"
done

# ---- kill -9 of a backup at every step --------------------------------------------------------
dest=$TMP/backups-killed
for step in begin policies stopping partial volume-read before-rename; do
  pause_run "$step" backup "$P" --to "$dest"
  kill -9 "$JOB"
  wait "$JOB" 2>/dev/null || true
  rm -f "$TMP/pause"
  one_more
  check_clean "backup killed at $step" "$current"
  assert_eq "" "$(ls -A "$dest" 2>/dev/null)" "backup killed at $step: nothing that looks like a backup"
  interrupted=$((interrupted + 1))
  assert_eq "$interrupted" "$(history_count interrupted)" "backup killed at $step: the history records it"
  log "backup killed at $step: recovered"
done

# ---- SIGHUP (a closed terminal or SSH session), a second job refused there ----------------------
# A hang-up is a cancel: before the safety copy is done the previous contents come back (exit 1,
# said); after it the restore is past its point of no return, finishes and says so (exit 0).
# Meanwhile, at each step, another job on the project is refused and names the holder. One step
# of each kind of state a cancel has to put back (kill -9 above takes every step; the suite's
# time budget does not allow both at every step): nothing changed yet, containers stopped,
# contents aside and half written, all written, containers starting, past the safety copy.
for step in begin stopping writing written-all starting safety-done policies-restored; do
  target=$(other "$current")
  pause_run "$step" restore "$(backup_of "$target")" --yes
  run_cli "$TMP/second.out" "$TMP/second.err" backup "$P" --to "$TMP/second-dest"
  assert_eq 1 "$CLI_RC" "a backup while a restore is at $step: exit status"
  grep -q "busy: a restore by" "$TMP/second.err" ||
    { cat "$TMP/second.err" >&2; die "a backup while a restore is at $step was not refused naming it"; }
  kill -HUP "$JOB"
  rm -f "$TMP/pause"
  rc=0; wait "$JOB" || rc=$?
  one_more
  case $step in
    safety-done|removing-aside|aside-removed|policies-restored) want=$target; want_rc=0 ;;
    *) want=$current; want_rc=1 ;;
  esac
  assert_eq "$want_rc" "$rc" "restore hung up at $step: exit status"
  if [ "$rc" = 1 ] && [ "$step" != begin ]; then
    grep -q "cancelled" "$TMP/job.err" || { cat "$TMP/job.err" >&2; die "restore hung up at $step: not said"; }
  fi
  check_clean "restore hung up at $step" "$want"
  current=$want
done
[ "$(history_count cancelled)" -ge 5 ] || die "the history does not record the cancelled restores"

for step in begin stopping volume-read; do
  pause_run "$step" backup "$P" --to "$dest"
  run_cli "$TMP/second.out" "$TMP/second.err" restore "$(backup_of "$current")" --yes
  assert_eq 1 "$CLI_RC" "a restore while a backup is at $step: exit status"
  grep -q "busy: a backup by" "$TMP/second.err" ||
    { cat "$TMP/second.err" >&2; die "a restore while a backup is at $step was not refused naming it"; }
  kill -HUP "$JOB"
  rm -f "$TMP/pause"
  rc=0; wait "$JOB" || rc=$?
  one_more
  assert_eq 1 "$rc" "backup hung up at $step: exit status"
  grep -q "No backup was written" "$TMP/job.err" ||
    { cat "$TMP/job.err" >&2; die "backup hung up at $step: not said"; }
  check_clean "backup hung up at $step" "$current"
  assert_eq "" "$(ls -A "$dest" 2>/dev/null)" "backup hung up at $step: nothing that looks like a backup"
done

# ---- a second job while a restore holds the project ---------------------------------------------
target=$(other "$current")
pause_run writing restore "$(backup_of "$target")" --yes
run_cli "$TMP/second.out" "$TMP/second.err" restore "$(backup_of "$current")" --yes
assert_eq 1 "$CLI_RC" "a second restore while one runs: exit status"
grep -q "busy: a restore by" "$TMP/second.err" || { cat "$TMP/second.err" >&2; die "a second restore was not refused naming the first"; }
run_cli "$TMP/second.out" "$TMP/second.err" backup "$P" --to "$dest"
assert_eq 1 "$CLI_RC" "a backup while a restore runs: exit status"
grep -q "busy: a restore by" "$TMP/second.err" || { cat "$TMP/second.err" >&2; die "a backup during a restore was not refused"; }
# listing projects meanwhile neither waits nor touches the running job
cli_ok "$TMP/projects.out" "$TMP/projects.err" projects
rm -f "$TMP/pause"
rc=0; wait "$JOB" || rc=$?
[ "$rc" = 0 ] || { cat "$TMP/job.err" >&2; die "the first restore did not finish after the refused ones"; }
check_clean "restore that others waited for" "$target"
current=$target

# ---- engine restarts ------------------------------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
  skip_or_fail "engine restarts need root (dockerd); the rest passed"
fi
W=$LIFEBOAT_TEST_WORK
restart_engine () {
  "$LIFEBOAT_HARNESS_DIR/engine-restart" "$W" >&2
  # restart: always would have started them; the job switched the policies off
  local up
  up=$(dk ps --filter "label=com.docker.compose.project=$P" -q)
  assert_eq "" "$up" "$1: containers started by the engine restart on volumes being changed"
}

target=$(other "$current")
pause_run volume-written restore "$(backup_of "$target")" --yes
restart_engine "restore, engine restarted mid-write"
rm -f "$TMP/pause"
rc=0; wait "$JOB" || rc=$?
one_more
# a dockerd that stops may answer "done" for an archive it unpacked only in part (it unmounts
# the volumes as it shuts down): the job must not trust what it wrote, and rolls back
assert_eq 1 "$rc" "restore, engine restarted mid-write: exit status"
grep -q "put back as they were" "$TMP/job.err" \
  || { cat "$TMP/job.err" >&2; die "restore, engine restarted mid-write: not said that the volumes were put back"; }
check_clean "restore, engine restarted mid-write" "$current"

# a restart while the volumes stream: dockerd finishes the archives it is sending from volumes
# it has unmounted (seen: a well-formed archive with no entry), so the backup must fail
pause_run volume-read backup "$P" --to "$dest"
restart_engine "backup, engine restarted mid-stream"
rm -f "$TMP/pause"
rc=0; wait "$JOB" || rc=$?
one_more
assert_eq 1 "$rc" "backup, engine restarted mid-stream: exit status"
grep -q "No backup was written" "$TMP/job.err" \
  || { cat "$TMP/job.err" >&2; die "backup, engine restarted mid-stream: not the sentence"; }
check_clean "backup, engine restarted mid-stream" "$current"
assert_eq "" "$(ls -A "$dest" 2>/dev/null)" "backup, engine restarted mid-stream: nothing that looks like a backup"

# a restart after the streams, before the folder gets its name: the backup is whole
pause_run before-rename backup "$P" --to "$dest"
restart_engine "backup, engine restarted before the rename"
rm -f "$TMP/pause"
rc=0; wait "$JOB" || rc=$?
one_more
assert_eq 0 "$rc" "backup, engine restarted before the rename: exit status"
check_clean "backup, engine restarted before the rename" "$current"
"$LIFEBOAT_CLI" verify "$(tail -n 1 "$TMP/job.out")" >"$TMP/verify.out" 2>&1 \
  || { cat "$TMP/job.out" "$TMP/verify.out" >&2
       die "backup, engine restarted before the rename: its backup does not verify"; }

# a restart at the other kinds of step: while the containers start on the new contents, once
# the safety copy is done; and a backup's stop. A job may get through (exit 0: the new
# contents) or fail and roll back (the old ones); once the safety copy is done the new contents
# stay either way.
for step in starting safety-done; do
  target=$(other "$current")
  pause_run "$step" restore "$(backup_of "$target")" --yes
  restart_engine "restore, engine restarted at $step"
  rm -f "$TMP/pause"
  rc=0; wait "$JOB" || rc=$?
  one_more
  case $step in
    safety-done) want=$target ;;
    *) if [ "$rc" = 0 ]; then want=$target; else want=$current; fi ;;
  esac
  check_clean "restore, engine restarted at $step (job exit $rc)" "$want"
  current=$want
done
dest=$TMP/backups-restarted
pause_run stopping backup "$P" --to "$dest"
restart_engine "backup, engine restarted while it stops the containers"
rm -f "$TMP/pause"
rc=0; wait "$JOB" || rc=$?
one_more
check_clean "backup, engine restarted while it stops the containers (job exit $rc)" "$current"
if [ "$rc" = 0 ]; then
  "$LIFEBOAT_CLI" verify "$(tail -n 1 "$TMP/job.out")" >"$TMP/verify.out" 2>&1 \
    || { cat "$TMP/job.out" "$TMP/verify.out" >&2; die "backup, engine restarted at stopping: it does not verify"; }
  rm -rf "$dest"
else
  assert_eq "" "$(ls -A "$dest" 2>/dev/null)" "backup, engine restarted at stopping: nothing that looks like a backup"
fi

# the whole server went down after every volume was written: engine and client both gone
target=$(other "$current")
pause_run written-all restore "$(backup_of "$target")" --yes
kill -9 "$JOB"
wait "$JOB" 2>/dev/null || true
rm -f "$TMP/pause"
restart_engine "restore, engine and client gone after writing"
one_more
check_clean "restore, engine and client gone after writing" "$target"
current=$target

echo "interrupted: ok"
