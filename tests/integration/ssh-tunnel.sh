#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# LifeboatSshTunnel against a real sshd on 127.0.0.1 and the test engine: the live cases of
# tests/test-hosts (an unknown host key is refused with its fingerprint and accepted once;
# the tunnel serves the engine API from a private socket, is shared per URI, notices that
# ssh was killed, starts it again on the next request, and closes when dropped), and of
# tests/test-ssh (one error code per cause: a wrong key, a changed and an unknown host key,
# no engine socket on the far side, a user who may not use it).
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"
. "$LIFEBOAT_HARNESS_DIR/sshd-lib.sh"

load_env
bin=${LIFEBOAT_BUILD_DIR:?LIFEBOAT_BUILD_DIR unset}/tests/test-hosts
[ -x "$bin" ] || die "test-hosts not built: $bin"
ssh_bin=$LIFEBOAT_BUILD_DIR/tests/test-ssh
[ -x "$ssh_bin" ] || die "test-ssh not built: $ssh_bin"
case $LIFEBOAT_TEST_DOCKER_HOST in
  unix://*) ;;
  *) skip_or_fail "the test engine is not a unix socket: $LIFEBOAT_TEST_DOCKER_HOST" ;;
esac
TMP=$(make_tmpdir)
chmod 0711 "$TMP"   # sshd reads authorized_keys as nobody too
sshd_start "$TMP/sshd"

export LIFEBOAT_TEST_SSH_URI="ssh://root@127.0.0.1:$SSHD_PORT${LIFEBOAT_TEST_DOCKER_HOST#unix://}"
export LIFEBOAT_TEST_SSH_KNOWN_HOSTS=$SSH_KNOWN_HOSTS

for t in /lifeboat/ssh/live/host-key /lifeboat/ssh/live/tunnel; do
  rc=0
  timeout --kill-after=10 120 "$bin" -p "$t" >"$TMP/out" 2>&1 || rc=$?
  grep -v 'GLib-DEBUG' "$TMP/out" >&2 || true
  [ "$rc" = 0 ] || die "$t failed (exit $rc)"
  grep -q "^ok .* $t\$" "$TMP/out" || die "$t did not pass (skipped?)"
done

# One cause each: configurations that differ from the working one in one thing
ENGINE_SOCK=${LIFEBOAT_TEST_DOCKER_HOST#unix://}
ssh-keygen -q -t ed25519 -N '' -f "$TMP/wrong_key" >/dev/null
sed "s#IdentityFile .*#IdentityFile $TMP/wrong_key#" "$SSH_CONFIG" >"$TMP/config.wrong-key"
ssh-keygen -q -t ed25519 -N '' -f "$TMP/impostor" >/dev/null
echo "[127.0.0.1]:$SSHD_PORT $(awk '{print $1" "$2}' "$TMP/impostor.pub")" >"$TMP/known_hosts.changed"
sed "s#UserKnownHostsFile .*#UserKnownHostsFile $TMP/known_hosts.changed#" "$SSH_CONFIG" >"$TMP/config.changed-key"
: >"$TMP/known_hosts.empty"
sed "s#UserKnownHostsFile .*#UserKnownHostsFile $TMP/known_hosts.empty#" "$SSH_CONFIG" >"$TMP/config.unknown-key"
export LIFEBOAT_TEST_SSH_CONFIG=$SSH_CONFIG
export LIFEBOAT_TEST_SSH_CONFIG_WRONG_KEY=$TMP/config.wrong-key
export LIFEBOAT_TEST_SSH_CONFIG_CHANGED_KEY=$TMP/config.changed-key
export LIFEBOAT_TEST_SSH_CONFIG_UNKNOWN_KEY=$TMP/config.unknown-key
LIFEBOAT_TEST_SSH_HOST_FINGERPRINT=$(ssh-keygen -lf "$SSHD_DIR/host_key.pub" | awk '{print $2}')
export LIFEBOAT_TEST_SSH_HOST_FINGERPRINT
# a user with a login shell (the probe of the remote socket runs `test -S` there) who is not
# in the docker group and whose account is not locked (sshd without PAM refuses a "!"
# password field); a temporary system user when the machine has none
shell_user=
while IFS=: read -r name _ uid _ _ _ shell; do
  [ "$uid" -ge 100 ] && [ "$uid" -lt 65534 ] || continue
  grep -qx "$shell" /etc/shells 2>/dev/null || continue
  case $shell in */nologin|*/false|*/sync) continue ;; esac
  id -nG "$name" | grep -qw docker && continue
  case $(getent shadow "$name" | cut -d: -f2) in '!'*) continue ;; esac
  shell_user=$name
  break
done </etc/passwd
if [ -z "$shell_user" ]; then
  shell_user=lbt-ssh-$$
  useradd --system --no-create-home --shell /bin/sh -p '*' "$shell_user" || die "useradd $shell_user failed"
  on_exit "userdel $shell_user"
fi
log "a user without access to the engine socket: $shell_user"
export LIFEBOAT_TEST_SSH_NOBODY_URI="ssh://$shell_user@127.0.0.1:$SSHD_PORT$ENGINE_SOCK"
export LIFEBOAT_TEST_SSH_NO_SOCKET_URI="ssh://root@127.0.0.1:$SSHD_PORT$TMP/no/such/docker.sock"
t=/lifeboat/ssh/live/causes
rc=0
timeout --kill-after=10 300 "$ssh_bin" -p "$t" >"$TMP/out" 2>&1 || rc=$?
grep -v 'GLib-DEBUG' "$TMP/out" >&2 || true
[ "$rc" = 0 ] || die "$t failed (exit $rc)"
grep -q "^ok .* $t\$" "$TMP/out" || die "$t did not pass (skipped?)"

# Nothing left behind by the tunnels: no ssh still connected to our sshd.
if pgrep -f -- "-p $SSHD_PORT .*127.0.0.1" >/dev/null 2>&1; then
  die "an ssh to port $SSHD_PORT is still running: $(pgrep -af -- "-p $SSHD_PORT")"
fi
echo "ssh-tunnel: ok"
