#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `lifeboat-cli hosts` finds the engines a user has configured, and each can be used by name:
# DOCKER_HOST pointing at the test engine; a docker context made by the real `docker context
# create` (and made current with `docker context use`, in a private DOCKER_CONFIG); a saved
# SSH host (hosts.ini) reaching the test engine through a real sshd. Without --host the
# default order is DOCKER_HOST (also ssh://), then the current context.
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
export DOCKER_CONFIG=$TMP/docker-config
mkdir -p "$DOCKER_CONFIG"
DOCKER=${LIFEBOAT_TEST_DOCKER:-/usr/bin/docker}

P=$(test_project sshhosts)
stack_up current "$P"

# plain_cli OUT ERR ARGS...: lifeboat-cli without --host (the default applies)
plain_cli () {
  local out=$1 err=$2; shift 2
  CLI_RC=0
  timeout --kill-after=10 "${LIFEBOAT_CLI_TIMEOUT:-300}" "$LIFEBOAT_CLI" "$@" >"$out" 2>"$err" </dev/null || CLI_RC=$?
}

# host_entry JSON URI KIND NAME: the hosts --json entry, as "default reachable", or fail
host_entry () {
  python3 - "$@" <<'PY'
import json, sys
doc, uri, kind, name = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
for h in doc:
    if h.get("uri") == uri and h.get("kind") == kind and h.get("name") == name:
        print("%s %s" % (str(h.get("default")).lower(), str(h.get("reachable")).lower()))
        sys.exit(0)
sys.exit("hosts --json has no %s entry %s for %s: %s" % (kind, name, uri, json.dumps(doc, indent=1)))
PY
}

# --- DOCKER_HOST ---------------------------------------------------------------------------------
DOCKER_HOST=$LIFEBOAT_TEST_DOCKER_HOST plain_cli "$TMP/hosts.json" "$TMP/err" --json hosts
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "hosts exited $CLI_RC"; }
got=$(host_entry "$TMP/hosts.json" "$LIFEBOAT_TEST_DOCKER_HOST" docker-host "$LIFEBOAT_TEST_DOCKER_HOST")
assert_eq "true true" "$got" "DOCKER_HOST entry (default reachable)"
DOCKER_HOST=$LIFEBOAT_TEST_DOCKER_HOST plain_cli "$TMP/out" "$TMP/err" projects
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "projects with DOCKER_HOST exited $CLI_RC"; }
grep -q -- "$P" "$TMP/out" || { cat "$TMP/out" >&2; die "projects with DOCKER_HOST does not list $P"; }

# --- a docker context, made by docker itself ---------------------------------------------------
"$DOCKER" context create lbtctx --description "lifeboat test engine" \
  --docker "host=$LIFEBOAT_TEST_DOCKER_HOST" >/dev/null
plain_cli "$TMP/hosts.json" "$TMP/err" --json hosts
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "hosts exited $CLI_RC"; }
got=$(host_entry "$TMP/hosts.json" "$LIFEBOAT_TEST_DOCKER_HOST" context lbtctx)
assert_eq "false true" "$got" "context entry before it is current (default reachable)"
plain_cli "$TMP/hosts.txt" "$TMP/err" hosts
grep -q "lbtctx" "$TMP/hosts.txt" || { cat "$TMP/hosts.txt" >&2; die "hosts (text) does not list lbtctx"; }

plain_cli "$TMP/out" "$TMP/err" --host lbtctx projects
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "--host lbtctx projects exited $CLI_RC"; }
grep -q -- "$P" "$TMP/out" || { cat "$TMP/out" >&2; die "--host lbtctx projects does not list $P"; }

# current context: the default without --host
"$DOCKER" context use lbtctx >/dev/null
plain_cli "$TMP/hosts.json" "$TMP/err" --json hosts
got=$(host_entry "$TMP/hosts.json" "$LIFEBOAT_TEST_DOCKER_HOST" context lbtctx)
assert_eq "true true" "$got" "current context entry (default reachable)"
plain_cli "$TMP/out" "$TMP/err" projects
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "projects via the current context exited $CLI_RC"; }
grep -q -- "$P" "$TMP/out" || { cat "$TMP/out" >&2; die "projects via the current context does not list $P"; }

# DOCKER_HOST still wins over the current context: an engine that is not there fails
DOCKER_HOST=unix://$TMP/nothing-here.sock plain_cli "$TMP/out" "$TMP/err" projects
[ "$CLI_RC" = 1 ] || { cat "$TMP/err" >&2; die "projects with a dead DOCKER_HOST exited $CLI_RC, wanted 1"; }
grep -q "nothing-here.sock" "$TMP/err" || { cat "$TMP/err" >&2; die "the error does not name DOCKER_HOST's socket"; }

# an unknown name is a clear error
plain_cli "$TMP/out" "$TMP/err" --host no-such-context projects
[ "$CLI_RC" != 0 ] || die "--host no-such-context succeeded"
grep -q "no-such-context" "$TMP/err" || { cat "$TMP/err" >&2; die "the error does not name no-such-context"; }
"$DOCKER" context use default >/dev/null

# --- a saved SSH host ------------------------------------------------------------------------------
sshd_start "$TMP/sshd"
sshd_trust
SSH_URI="ssh://root@127.0.0.1:$SSHD_PORT${LIFEBOAT_TEST_DOCKER_HOST#unix://}"
mkdir -p "$XDG_CONFIG_HOME/lifeboat"
cat >"$XDG_CONFIG_HOME/lifeboat/hosts.ini" <<EOF2
[host lbt-remote]
uri=$SSH_URI
description=the test engine over SSH
EOF2
plain_cli "$TMP/hosts.json" "$TMP/err" --json hosts
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "hosts exited $CLI_RC"; }
got=$(host_entry "$TMP/hosts.json" "$SSH_URI" saved lbt-remote)
log "saved host entry: $got"
plain_cli "$TMP/out" "$TMP/err" --host lbt-remote projects
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "--host lbt-remote projects exited $CLI_RC"; }
grep -q -- "$P" "$TMP/out" || { cat "$TMP/out" >&2; die "--host lbt-remote projects does not list $P"; }

# DOCKER_HOST=ssh://... is followed through the tunnel too
DOCKER_HOST=$SSH_URI plain_cli "$TMP/out" "$TMP/err" projects
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "projects with DOCKER_HOST=$SSH_URI exited $CLI_RC"; }
grep -q -- "$P" "$TMP/out" || { cat "$TMP/out" >&2; die "projects with DOCKER_HOST=ssh:// does not list $P"; }

echo "ssh-hosts: ok"
