#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# LifeboatSshTunnel against a real sshd on 127.0.0.1 and the test engine: the live cases of
# tests/test-hosts (an unknown host key is refused with its fingerprint and accepted once;
# the tunnel serves the engine API from a private socket, is shared per URI, notices that
# ssh was killed, starts it again on the next request, and closes when dropped).
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"
. "$LIFEBOAT_HARNESS_DIR/sshd-lib.sh"

load_env
bin=${LIFEBOAT_BUILD_DIR:?LIFEBOAT_BUILD_DIR unset}/tests/test-hosts
[ -x "$bin" ] || die "test-hosts not built: $bin"
case $LIFEBOAT_TEST_DOCKER_HOST in
  unix://*) ;;
  *) skip_or_fail "the test engine is not a unix socket: $LIFEBOAT_TEST_DOCKER_HOST" ;;
esac
TMP=$(make_tmpdir)
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

# Nothing left behind by the tunnels: no ssh still connected to our sshd.
if pgrep -f -- "-p $SSHD_PORT .*127.0.0.1" >/dev/null 2>&1; then
  die "an ssh to port $SSHD_PORT is still running: $(pgrep -af -- "-p $SSHD_PORT")"
fi
echo "ssh-tunnel: ok"
