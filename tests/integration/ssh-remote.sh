#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# lifeboat-cli --host ssh://root@127.0.0.1:PORT/<test engine socket>, through a real sshd:
# an unknown or changed host key, a wrong user key, a missing remote socket, a user who may not
# use the socket and a closed port each fail with their own sentence (exit 1); with the key trusted, `projects` lists the fixture project, and a backup
# and a restore of a CVAT-shaped stack over SSH bring back the same volume trees. No tunnel
# (ssh process, socket) outlives the CLI.
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
chmod 0711 "$TMP"   # sshd reads authorized_keys as nobody too
sshd_start "$TMP/sshd"
ENGINE_SOCK=${LIFEBOAT_TEST_DOCKER_HOST#unix://}
SSH_URI="ssh://root@127.0.0.1:$SSHD_PORT$ENGINE_SOCK"

# ssh_cli OUT ERR ARGS...: lifeboat-cli --host $SSH_URI, status in CLI_RC
ssh_cli () {
  local out=$1 err=$2; shift 2
  run_bounded "${LIFEBOAT_CLI_TIMEOUT:-300}" "$out" "$err" "$LIFEBOAT_CLI" --host "${HOST_URI:-$SSH_URI}" "$@"
}

no_tunnel_left () {
  local left
  left=$(find "$XDG_RUNTIME_DIR" -name 'ssh-*.sock' 2>/dev/null || true)
  [ -z "$left" ] || die "tunnel sockets left behind: $left"
  if pgrep -f -- "$XDG_RUNTIME_DIR/lifeboat/ssh-" >/dev/null 2>&1; then
    die "an ssh tunnel outlived lifeboat-cli: $(pgrep -af -- "$XDG_RUNTIME_DIR/lifeboat/ssh-")"
  fi
}

expect_failure () {
  local what=$1 pattern=$2
  [ "$CLI_RC" = 1 ] || { cat "$TMP/err" >&2; die "$what: exit $CLI_RC, wanted 1"; }
  grep -Eq -- "$pattern" "$TMP/err" || { cat "$TMP/err" >&2; die "$what: stderr does not say /$pattern/"; }
  log "$what: $(tail -n 1 "$TMP/err")"
  no_tunnel_left
}

P=$(test_project sshremote)
stack_up current "$P"
containers_state "$P" >"$TMP/state.before"

# --- unknown host key: refused, with the server's fingerprint ---------------------------------
fp=$(ssh-keygen -lf "$SSHD_DIR/host_key.pub" | awk '{print $2}')
ssh_cli "$TMP/out" "$TMP/err" projects
expect_failure "unknown host key" "not known"
grep -qF -- "$fp" "$TMP/err" || { cat "$TMP/err" >&2; die "the unknown-host-key message does not show the fingerprint $fp"; }
HOST_URI="ssh://lbt-sshd$ENGINE_SOCK" ssh_cli "$TMP/out" "$TMP/err" projects
expect_failure "unknown host key (alias)" "not known"
grep -qF -- "$fp" "$TMP/err" || { cat "$TMP/err" >&2; die "through the alias, the unknown-host-key message does not show the fingerprint $fp"; }
[ ! -s "$SSH_KNOWN_HOSTS" ] || die "known_hosts was written without being asked: $(cat "$SSH_KNOWN_HOSTS")"

# --- changed host key: refused -----------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -f "$TMP/impostor" >/dev/null
echo "[127.0.0.1]:$SSHD_PORT $(awk '{print $1" "$2}' "$TMP/impostor.pub")" >"$SSH_KNOWN_HOSTS"
ssh_cli "$TMP/out" "$TMP/err" projects
expect_failure "changed host key" "has changed"
: >"$SSH_KNOWN_HOSTS"

# --- accepting the key once, with the fingerprint the user compared ---------------------------
ssh_cli "$TMP/out" "$TMP/err" projects
grep -qF -- "lifeboat-cli hosts trust $SSH_URI $fp" "$TMP/err" \
  || { cat "$TMP/err" >&2; die "the unknown-host-key message does not give the command that accepts it"; }
ssh_cli "$TMP/out" "$TMP/err" hosts trust "$SSH_URI" "SHA256:AAAAnotTheServersKeyAAAAAAAAAAAAAAAAAAAAAAA"
[ "$CLI_RC" = 1 ] || { cat "$TMP/err" >&2; die "hosts trust with a wrong fingerprint exited $CLI_RC, not 1"; }
log "trust with a wrong fingerprint: $(tail -n 1 "$TMP/err")"
[ ! -s "$SSH_KNOWN_HOSTS" ] || die "a wrong fingerprint was written to known_hosts"
ssh_cli "$TMP/out" "$TMP/err" hosts trust "$SSH_URI" "$fp"
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "hosts trust with the server's fingerprint exited $CLI_RC"; }
[ -s "$SSH_KNOWN_HOSTS" ] || die "hosts trust did not write known_hosts"
ssh_cli "$TMP/out" "$TMP/err" projects
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "projects after trusting the host key exited $CLI_RC"; }

# --- wrong user key ----------------------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -f "$TMP/wrong_key" >/dev/null
sed "s#IdentityFile .*#IdentityFile $TMP/wrong_key#" "$SSH_CONFIG" >"$TMP/wrong_config"
LIFEBOAT_SSH_OPTIONS="-F $TMP/wrong_config" ssh_cli "$TMP/out" "$TMP/err" projects
expect_failure "wrong key" "login to 127.0.0.1:$SSHD_PORT was refused.*Permission denied"

# --- missing remote socket ---------------------------------------------------------------------
HOST_URI="ssh://root@127.0.0.1:$SSHD_PORT$TMP/no/such/docker.sock" ssh_cli "$TMP/out" "$TMP/err" projects
expect_failure "missing remote socket" "no engine socket $TMP/no/such/docker.sock"

# --- a user who may not use the engine socket (not root, not in the docker group) ------------
HOST_URI="ssh://nobody@127.0.0.1:$SSHD_PORT$ENGINE_SOCK" ssh_cli "$TMP/out" "$TMP/err" projects
expect_failure "user without access" "$ENGINE_SOCK.*docker group"

# --- nothing listening -------------------------------------------------------------------------
HOST_URI="ssh://root@127.0.0.1:1$ENGINE_SOCK" ssh_cli "$TMP/out" "$TMP/err" projects
expect_failure "connection refused" "127.0.0.1:1 refused the SSH connection.*Connection refused"

# --- an alias of ~/.ssh/config (HostName, Port, User from there) ------------------------------
HOST_URI="ssh://lbt-sshd$ENGINE_SOCK" ssh_cli "$TMP/out" "$TMP/err" projects
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "projects through the ssh alias lbt-sshd exited $CLI_RC"; }
grep -q -- "$P" "$TMP/out" || { cat "$TMP/out" >&2; die "projects through the alias does not list $P"; }
no_tunnel_left

# --- projects over SSH -------------------------------------------------------------------------
ssh_cli "$TMP/out" "$TMP/err" projects
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "projects over SSH exited $CLI_RC"; }
for want in "$P" cvat_server cvat_db cvat_data running; do
  grep -q -- "$want" "$TMP/out" || { cat "$TMP/out" >&2; die "projects over SSH does not mention $want"; }
done
no_tunnel_left

# --- backup, damage, restore, all over SSH ----------------------------------------------------
fingerprint_all "$P" "$TMP/before"
dest=$TMP/backups
mkdir -p "$dest"
ssh_cli "$TMP/backup.out" "$TMP/backup.err" backup "$P" --to "$dest"
[ "$CLI_RC" = 0 ] || { cat "$TMP/backup.err" >&2; die "backup over SSH exited $CLI_RC"; }
BACKUP=$(tail -n 1 "$TMP/backup.out")
[ -d "$BACKUP" ] && [ -s "$BACKUP/lifeboat.json" ] || die "backup over SSH made no backup folder: '$BACKUP'"
[ -s "$BACKUP/cvat_db.tar.gz" ] || die "no cvat_db.tar.gz in $BACKUP"
no_tunnel_left
containers_state "$P" >"$TMP/state.after-backup"
assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.after-backup")" "container states after the backup over SSH"

ssh_cli "$TMP/out" "$TMP/err" verify "$BACKUP"
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "verify exited $CLI_RC"; }

# the volumes in the backup (the rebuildable cache is left out by default)
keys=$(cd "$BACKUP" && ls -- *.tar.gz | sed 's/\.tar\.gz$//' | sort)
[ "$(wc -w <<<"$keys")" -ge 5 ] || die "the backup over SSH holds only: $keys"
# shellcheck disable=SC2086
mutate_volumes "$P" $keys
fingerprint_all "$P" "$TMP/damaged"
for k in $keys; do
  if cmp -s "$TMP/before/$k.fp" "$TMP/damaged/$k.fp"; then
    die "test bug: mutating $k changed nothing"
  fi
done

ssh_cli "$TMP/restore.out" "$TMP/restore.err" restore "$BACKUP" --yes
[ "$CLI_RC" = 0 ] || { cat "$TMP/restore.err" >&2; die "restore over SSH exited $CLI_RC"; }
fingerprint_all "$P" "$TMP/restored"
# shellcheck disable=SC2086
assert_same_fingerprints "$TMP/before" "$TMP/restored" "restore over SSH did not bring back the backed-up tree" $keys
containers_state "$P" >"$TMP/state.restored"
assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.restored")" "container states after the restore over SSH"
no_tunnel_left

# --- a backup run the way the window runs it: in lifeboat-cli, which reaches the engine through
# an SSH tunnel of its own (the window's tunnel would go with the window, and with it the way
# to put back what a restore moved aside) ---
DRIVER=${LIFEBOAT_JOB_DRIVER:-$LIFEBOAT_BUILD_DIR/tests/job-driver}
[ -x "$DRIVER" ] || die "no job-driver at $DRIVER (built with the tests)"
cat >"$TMP/ssh-wrap" <<'WRAP'
#!/bin/sh
# who started this ssh: the program opening the tunnel
cat "/proc/$PPID/comm" >>"$SSH_CALLERS"
exec ssh "$@"
WRAP
chmod +x "$TMP/ssh-wrap"
export SSH_CALLERS=$TMP/ssh-callers
mkdir -p "$TMP/window-dest"
LIFEBOAT_SSH=$TMP/ssh-wrap run_bounded 300 "$TMP/drv.out" "$TMP/drv.err" \
  "$DRIVER" "$SSH_URI" "$P" "$TMP/window-dest"
[ "$CLI_RC" = 0 ] || { cat "$TMP/drv.out" "$TMP/drv.err" >&2; die "the window's way of backing up over SSH exited $CLI_RC"; }
grep -q '^in_worker=1 outcome=1 ' "$TMP/drv.out" ||
  die "the backup did not run in lifeboat-cli: $(cat "$TMP/drv.out")"
folder=$(sed -n 's/.* folder=//p' "$TMP/drv.out")
[ -s "$folder/lifeboat.json" ] || die "no complete backup at $folder"
grep -qx 'job-driver' "$SSH_CALLERS" || die "the window's own tunnel was not opened: $(cat "$SSH_CALLERS")"
grep -qx 'lifeboat-cli' "$SSH_CALLERS" ||
  die "lifeboat-cli did not open a tunnel of its own: ssh started by $(tr '\n' ' ' <"$SSH_CALLERS")"
containers_state "$P" >"$TMP/state.after-window"
assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.after-window")" "container states after the window's backup over SSH"
no_tunnel_left

echo "ssh-remote: ok"
