#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The SSH tunnel dies mid-backup (its ssh process is killed, as when the network drops): the
# backup fails with exit 1, leaves no .partial folder and nothing that looks like a backup, and
# the containers it stopped run again (the tunnel starts ssh again for the clean-up). And when
# lifeboat-cli itself is killed with SIGKILL, its ssh ends with it.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"
. "$LIFEBOAT_HARNESS_DIR/sshd-lib.sh"

begin_test
case $LIFEBOAT_TEST_DOCKER_HOST in
  unix://*) ;;
  *) skip_or_fail "the test engine is not a unix socket: $LIFEBOAT_TEST_DOCKER_HOST" ;;
esac
export XDG_RUNTIME_DIR=$TMP/run
mkdir -m 0700 "$XDG_RUNTIME_DIR"
sshd_start "$TMP/sshd"
sshd_trust
SSH_URI="ssh://root@127.0.0.1:$SSHD_PORT${LIFEBOAT_TEST_DOCKER_HOST#unix://}"

P=$(test_project sshkill)
# A big incompressible volume so that the backup is still running when ssh is killed.
stack_up --data-mb "${LIFEBOAT_TEST_SSH_KILL_MB:-512}" current "$P"
containers_state "$P" >"$TMP/state.before"
grep -q '=running$' "$TMP/state.before" || die "test bug: no running container in $P"

partial_has_data () {
  local p
  p=$(compgen -G "$1/*.partial" | head -n 1) || return 1
  [ -n "$p" ] && [ "$(du -sk "$p" | cut -f1)" -gt 1024 ]
}

dest=$TMP/backups
mkdir -p "$dest"
"$LIFEBOAT_CLI" --host "$SSH_URI" backup "$P" --to "$dest" >"$TMP/out" 2>"$TMP/err" </dev/null &
pid=$!
on_exit "kill -KILL $pid 2>/dev/null || true"

if ! wait_until 120 partial_has_data "$dest"; then
  cat "$TMP/err" >&2
  die "no .partial folder with data appeared in 120 s"
fi
# The tunnel's ssh is a child of lifeboat-cli.
ssh_pid=$(pgrep -P "$pid" -x ssh | head -n 1 || true)
[ -n "$ssh_pid" ] || die "lifeboat-cli ($pid) has no ssh child"
kill -0 "$pid" 2>/dev/null || die "the backup finished before ssh could be killed; raise LIFEBOAT_TEST_SSH_KILL_MB"
kill -KILL "$ssh_pid"
log "killed ssh $ssh_pid of lifeboat-cli $pid"

deadline=$((SECONDS + 120))
while kill -0 "$pid" 2>/dev/null; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    kill -KILL "$pid" 2>/dev/null || true
    cat "$TMP/err" >&2
    die "lifeboat-cli did not exit within 120 s of ssh being killed"
  fi
  sleep 0.2
done
rc=0
wait "$pid" || rc=$?
cat "$TMP/err" >&2
[ "$rc" = 1 ] || die "the backup whose tunnel died exited $rc, wanted 1"
if [ -s "$TMP/out" ]; then
  die "the failed backup printed a result on stdout: $(cat "$TMP/out")"
fi
if compgen -G "$dest/*.partial" >/dev/null; then
  die "a .partial folder was left: $(ls -A "$dest")"
fi
left=$(ls -A "$dest")
[ -z "$left" ] || die "the failed backup left $left in $dest"

containers_state "$P" >"$TMP/state.after"
assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.after")" "container states after the tunnel died mid-backup"

# No helper container, no ssh, no tunnel socket left behind.
extra=$(dk ps -a --format '{{.Names}} {{.Label "com.docker.compose.project"}}' | awk '$2 == ""' || true)
[ -z "$extra" ] || die "containers left behind: $extra"
if pgrep -f -- "$XDG_RUNTIME_DIR/lifeboat/ssh-" >/dev/null 2>&1; then
  die "an ssh tunnel outlived lifeboat-cli: $(pgrep -af -- "$XDG_RUNTIME_DIR/lifeboat/ssh-")"
fi
left=$(find "$XDG_RUNTIME_DIR" -name 'ssh-*.sock')
[ -z "$left" ] || die "tunnel sockets left behind: $left"
# lifeboat-cli itself killed hard (SIGKILL: no clean-up can run): its ssh must not live on,
# connected to the server, once its parent is gone.
dest2=$TMP/backups-2
mkdir -p "$dest2"
"$LIFEBOAT_CLI" --host "$SSH_URI" backup "$P" --to "$dest2" >"$TMP/out2" 2>"$TMP/err2" </dev/null &
pid=$!
on_exit "kill -KILL $pid 2>/dev/null || true"
if ! wait_until 120 partial_has_data "$dest2"; then
  cat "$TMP/err2" >&2
  die "second backup: no .partial folder with data appeared in 120 s"
fi
ssh_pid=$(pgrep -P "$pid" -x ssh | head -n 1 || true)
[ -n "$ssh_pid" ] || die "second backup: lifeboat-cli ($pid) has no ssh child"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
ssh_gone () { ! kill -0 "$ssh_pid" 2>/dev/null; }
if ! wait_until 10 ssh_gone; then
  kill "$ssh_pid" 2>/dev/null || true
  die "ssh $ssh_pid outlived its killed lifeboat-cli"
fi
log "ssh $ssh_pid ended with its killed parent"

echo "ssh-kill: ok"
