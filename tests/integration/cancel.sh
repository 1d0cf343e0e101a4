#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A backup interrupted mid-stream (SIGINT, then SIGTERM, then — run for the window in its
# worker, lifeboat-cli --job-worker — the window going away: the end of its stdin) exits non-zero, leaves no .partial
# folder and nothing that looks like a backup, and starts the containers it stopped again.
# A restore interrupted while it writes into a volume puts the volume back as it was.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

begin_test
P=$(test_project cancel)
# A big incompressible volume so the backup takes a while.
stack_up --data-mb "${LIFEBOAT_TEST_CANCEL_MB:-512}" current "$P"
containers_state "$P" >"$TMP/state.before"
fingerprint_all "$P" "$TMP/before"

partial_has_data () {
  local p
  p=$(compgen -G "$1/*.partial" | head -n 1) || return 1
  [ -n "$p" ] && [ "$(du -sk "$p" | cut -f1)" -gt 1024 ]
}

interrupt () {
  local sig=$1 dest=$TMP/backups-$1 pid rc=0 holder= reader=
  mkdir -p "$dest"
  if [ "$sig" = WINDOW ]; then
    # the window's ends of the pipes, as when it crashes: a process holding stdin's FIFO open
    # and one reading stdout's, both killed at once; the next state line then meets a closed
    # pipe (SIGPIPE must not end the job before it has put things back)
    # pipes, as when it crashes. The job reaches the worker as the window sends it
    # (lifeboat-job-worker.h): one line of settings on its stdin
    mkfifo "$TMP/window.in" "$TMP/window.out"
    { printf '{"protocol":1,"host":"%s","host_name":"test engine","job":{"kind":"backup","project":"%s","destination":"%s","compression":"gzip","stop":true,"restart":true}}\n' \
        "$LIFEBOAT_TEST_DOCKER_HOST" "$P" "$dest"
      exec sleep 600; } >"$TMP/window.in" &
    holder=$!
    cat "$TMP/window.out" >"$TMP/$sig.out" &
    reader=$!
    "$LIFEBOAT_CLI" --job-worker >"$TMP/window.out" 2>"$TMP/$sig.err" <"$TMP/window.in" &
  else
    "$LIFEBOAT_CLI" --host "$LIFEBOAT_TEST_DOCKER_HOST" backup "$P" --to "$dest" \
      >"$TMP/$sig.out" 2>"$TMP/$sig.err" </dev/null &
  fi
  pid=$!
  if ! wait_until 120 partial_has_data "$dest"; then
    kill -KILL "$pid" 2>/dev/null || true
    cat "$TMP/$sig.err" >&2
    die "SIG$sig: no .partial folder with data appeared in 120 s"
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    die "SIG$sig: the backup finished before it could be interrupted; raise LIFEBOAT_TEST_CANCEL_MB"
  fi
  if [ "$sig" = WINDOW ]; then
    kill "$reader" "$holder"
    wait "$reader" "$holder" 2>/dev/null || true
  else
    kill -"$sig" "$pid"
  fi
  # Bounded wait for it to clean up and exit.
  local deadline=$((SECONDS + 90))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill -KILL "$pid" 2>/dev/null || true
      die "SIG$sig: lifeboat-cli did not exit within 90 s of the signal"
    fi
    sleep 0.2
  done
  wait "$pid" || rc=$?
  [ "$rc" != 0 ] || die "SIG$sig: the interrupted backup exited 0"
  log "cancel: SIG$sig -> exit $rc; stderr: $(tail -n 1 "$TMP/$sig.err")"
  if [ "$sig" = WINDOW ]; then
    # it said what it was doing while the window read it; with no window left to record the
    # job, the job recorded itself in the history
    grep -q '"phase":4' "$TMP/$sig.out" ||
      die "WINDOW: no state line of the transfer reached the window: $(head -c 300 "$TMP/$sig.out")"
    "$LIFEBOAT_CLI" history "$P" >"$TMP/history.txt"
    grep -q "backup  *cancelled  *$P" "$TMP/history.txt" ||
      die "WINDOW: the cancelled backup is not in the history: $(cat "$TMP/history.txt")"
  fi
  if compgen -G "$dest/*.partial" >/dev/null; then
    die "SIG$sig: a .partial folder was left: $(ls -A "$dest")"
  fi
  local left
  left=$(ls -A "$dest")
  [ -z "$left" ] || die "SIG$sig: the interrupted backup left $left in $dest"
  # The containers the backup stopped run again (bounded wait: they are started on the way out).
  containers_state "$P" >"$TMP/state.after"
  assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.after")" "SIG$sig: container states after the interrupted backup"
  # No helper container left behind.
  local extra
  extra=$(dk ps -a --format '{{.Names}} {{.Label "com.docker.compose.project"}}' | awk '$2 == ""' || true)
  [ -z "$extra" ] || die "SIG$sig: containers left behind: $extra"
}

interrupt INT
interrupt TERM
interrupt WINDOW
fingerprint_all "$P" "$TMP/after"
assert_same_fingerprints "$TMP/before" "$TMP/after" "an interrupted backup changed a volume"

# --- a restore interrupted while it writes into the volume puts the volume back ---
mkdir -p "$TMP/full"
cli_backup "$P" "$TMP/full" --volumes cvat_data
FULL=$BACKUP
mutate_volumes "$P" cvat_data
fingerprint_all "$P" "$TMP/before-restore"
containers_state "$P" >"$TMP/state.before-restore"

writing () { grep -Eq '^Volume [0-9]+ of [0-9]+' "$1"; }
"$LIFEBOAT_CLI" --host "$LIFEBOAT_TEST_DOCKER_HOST" restore "$FULL" --yes \
  >"$TMP/restore.out" 2>"$TMP/restore.err" </dev/null &
pid=$!
if ! wait_until 180 writing "$TMP/restore.err"; then
  kill -KILL "$pid" 2>/dev/null || true
  cat "$TMP/restore.err" >&2
  die "restore: it did not start writing within 180 s"
fi
sleep 1
kill -0 "$pid" 2>/dev/null || die "restore: it finished before it could be interrupted; raise LIFEBOAT_TEST_CANCEL_MB"
kill -INT "$pid"
deadline=$((SECONDS + 180))
while kill -0 "$pid" 2>/dev/null; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    kill -KILL "$pid" 2>/dev/null || true
    die "restore: lifeboat-cli did not exit within 180 s of SIGINT"
  fi
  sleep 0.2
done
rc=0
wait "$pid" || rc=$?
[ "$rc" != 0 ] || die "restore: the interrupted restore exited 0"
log "cancel: restore SIGINT -> exit $rc; stderr: $(tail -n 1 "$TMP/restore.err")"
fingerprint_all "$P" "$TMP/after-restore"
assert_same_fingerprints "$TMP/before-restore" "$TMP/after-restore" "an interrupted restore did not put the volumes back"
containers_state "$P" >"$TMP/state.after-restore"
assert_eq "$(cat "$TMP/state.before-restore")" "$(cat "$TMP/state.after-restore")" "container states after the interrupted restore"
extra=$(dk ps -a --format '{{.Names}} {{.Label "com.docker.compose.project"}}' | awk '$2 == ""' || true)
[ -z "$extra" ] || die "restore: containers left behind: $extra"
echo "cancel: ok"
