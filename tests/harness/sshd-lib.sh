# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
#
# A private OpenSSH server on 127.0.0.1 for the SSH tests. Source after lib.sh:
#   . "$LIFEBOAT_HARNESS_DIR/sshd-lib.sh"
#   sshd_start DIR       generates a host key and a user key in DIR, writes DIR/sshd_config
#                        (own port, root login with the key only (any user may log in with
#                        it; the folders above DIR must let them traverse), stream-local forwarding,
#                        StreamLocalBindUnlink, the sftp subsystem), starts /usr/sbin/sshd -D in the background,
#                        waits until it accepts connections, and registers its stop (by pid)
#                        with on_exit. Sets:
#                          SSHD_PORT, SSHD_PID, SSHD_DIR, SSHD_LOG
#                          SSH_CONFIG     DIR/ssh_config: IdentityFile, IdentitiesOnly,
#                                         UserKnownHostsFile DIR/known_hosts, and the
#                                         alias "lbt-sshd" (HostName 127.0.0.1, Port, User root)
#                          SSH_KNOWN_HOSTS  DIR/known_hosts (empty: the host key is unknown)
#                          LIFEBOAT_SSH_OPTIONS="-F DIR/ssh_config" (exported)
#   sshd_trust           puts the server's host key into $SSH_KNOWN_HOSTS
#   sshd_stop            stops the server (also done at exit)
# Skips (exit 77) when not root or when sshd is not installed.

sshd_start () {
  local dir=$1 port tries=0
  [ "$(id -u)" = 0 ] || skip_or_fail "the SSH tests start sshd as root (uid is $(id -u))"
  [ -x /usr/sbin/sshd ] || skip_or_fail "sshd not installed (apt-get install openssh-server)"
  command -v ssh >/dev/null || skip_or_fail "ssh not installed (apt-get install openssh-client)"
  mkdir -p "$dir" /run/sshd
  chmod 0755 /run/sshd
  # 0711: sshd reads authorized_keys as the user logging in (the tests also log in as
  # nobody); the secrets in here (host_key, user_key) stay 0600
  chmod 0711 "$dir"
  SSHD_DIR=$dir
  ssh-keygen -q -t ed25519 -N '' -C lifeboat-test-host -f "$dir/host_key" >/dev/null
  ssh-keygen -q -t ed25519 -N '' -C lifeboat-test-user -f "$dir/user_key" >/dev/null
  cp "$dir/user_key.pub" "$dir/authorized_keys"
  chmod 0644 "$dir/authorized_keys"
  : >"$dir/known_hosts"
  SSH_KNOWN_HOSTS=$dir/known_hosts
  SSHD_LOG=$dir/sshd.log

  while :; do
    tries=$((tries + 1))
    [ "$tries" -le 20 ] || die "no free port for sshd after 20 tries"
    port=$((20000 + RANDOM % 30000))
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
      continue
    fi
    cat >"$dir/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowStreamLocalForwarding yes
StreamLocalBindUnlink yes
X11Forwarding no
# restic's sftp: repositories (tests/integration/restic.sh)
Subsystem sftp internal-sftp
PrintMotd no
LogLevel VERBOSE
EOF
    /usr/sbin/sshd -t -f "$dir/sshd_config" || die "sshd rejects $dir/sshd_config"
    /usr/sbin/sshd -D -e -f "$dir/sshd_config" >"$SSHD_LOG" 2>&1 &
    SSHD_PID=$!
    if wait_until 10 sshd_listening "$port"; then
      break
    fi
    kill "$SSHD_PID" 2>/dev/null || true
    wait "$SSHD_PID" 2>/dev/null || true
    if ! grep -q 'Address already in use' "$SSHD_LOG"; then
      cat "$SSHD_LOG" >&2
      die "sshd did not start on port $port"
    fi
  done
  SSHD_PORT=$port
  on_exit "sshd_stop"

  cat >"$dir/ssh_config" <<EOF
# an alias, as users write them in ~/.ssh/config
Host lbt-sshd
  HostName 127.0.0.1
  Port $SSHD_PORT
  User root

Host *
  IdentityFile $dir/user_key
  IdentitiesOnly yes
  UserKnownHostsFile $dir/known_hosts
  GlobalKnownHostsFile /dev/null
  PasswordAuthentication no
  KbdInteractiveAuthentication no
  ConnectTimeout 10
EOF
  SSH_CONFIG=$dir/ssh_config
  LIFEBOAT_SSH_OPTIONS="-F $dir/ssh_config"
  export LIFEBOAT_SSH_OPTIONS
  log "sshd pid $SSHD_PID on 127.0.0.1:$SSHD_PORT (config $dir/sshd_config)"
}

sshd_listening () {
  ss -Hltn "sport = :$1" | grep -q .
}

sshd_trust () {
  local line
  line=$(awk '{print $1" "$2}' "$SSHD_DIR/host_key.pub")
  echo "[127.0.0.1]:$SSHD_PORT $line" >>"$SSH_KNOWN_HOSTS"
}

sshd_stop () {
  if [ -n "${SSHD_PID:-}" ]; then
    kill "$SSHD_PID" 2>/dev/null || true
    wait "$SSHD_PID" 2>/dev/null || true
    SSHD_PID=
  fi
}

# run_bounded SECONDS OUT ERR CMD...: runs CMD with stdout/stderr to OUT/ERR and stdin from
# /dev/null; sets CLI_RC (124 on timeout). On timeout it first prints the threads' stacks of
# the hung process (when gdb is installed) so that a hang can be understood from the log.
run_bounded () {
  local limit=$1 out=$2 err=$3 pid deadline; shift 3
  CLI_RC=0
  "$@" >"$out" 2>"$err" </dev/null &
  pid=$!
  deadline=$((SECONDS + limit))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "TIMEOUT after $limit s: $*" >&2
    if command -v gdb >/dev/null 2>&1; then
      timeout 60 gdb -p "$pid" -batch -ex 'thread apply all bt' 2>/dev/null | grep -E '^(#|Thread)' >&2 || true
    fi
    pgrep -a -P "$pid" >&2 || true
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    CLI_RC=124
    return 0
  fi
  wait "$pid" || CLI_RC=$?
}
