#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Podman instead of Docker, reached over SSH: Debian's podman serves the Docker-compatible API
# (`podman system service --time=0 unix://...`, as root, with its own storage in the test's
# temp dir); a CVAT-shaped stack is made on it with the harness tools, and lifeboat-cli lists
# it over ssh://. Podman 4.3's archive API does not keep file owners, so Lifeboat refuses to
# back up from or restore into it, with a clear sentence, changing nothing: that is checked.
# When podman cannot serve its API here, the test says exactly why and exits 77.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"
. "$LIFEBOAT_HARNESS_DIR/sshd-lib.sh"

# Podman is optional on a machine (tools/deps may not list it), and this test reports what
# Podman here cannot do: those cases skip (77) with the reason even where LIFEBOAT_REQUIRE_ENGINE=1
# forbids skipping for a missing Docker engine.
podman_skip () {
  echo "SKIP: $*" >&2
  exit 77
}

# Podman 4.3 with runc here sometimes refuses to start a container right after it was stopped
# ("runc create failed: container with given ID already exists": conmon's clean-up of the
# stopped container races the new start). That is Podman's, not Lifeboat's; say so.
podman_start_race () {
  if grep -q 'container with given ID already exists' "$1"; then
    podman_skip "Podman $(podman --version | awk '{print $3}') with runc could not start a container again right after stopping it (\"container with given ID already exists\": conmon's clean-up raced the start); Lifeboat reported it in one sentence"
  fi
}

begin_test
if ! command -v podman >/dev/null 2>&1; then
  policy=$(apt-cache policy podman 2>/dev/null | sed -n 's/^ *Candidate: *//p' || true)
  podman_skip "podman is not installed (Debian candidate: ${policy:-unknown}; apt-get install podman)"
fi
[ "$(id -u)" = 0 ] || skip_or_fail "the Podman test runs podman as root (uid is $(id -u))"
export XDG_RUNTIME_DIR=$TMP/run
mkdir -m 0700 "$XDG_RUNTIME_DIR"

# The images the harness tools use, from the test engine (no registry).
BB=${LIFEBOAT_TEST_BUSYBOX_IMAGE:-lifeboat-test/busybox:latest}
dk save "$BB" >"$TMP/busybox.tar"

PMDIR=$TMP/pm
mkdir -p "$PMDIR"
# This sandbox refuses to raise RLIMIT_NPROC/NOFILE to podman's defaults for root (runc:
# "error setting rlimit type 6: operation not permitted"); ask for modest limits instead.
cat >"$PMDIR/containers.conf" <<EOF2
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
EOF2
export CONTAINERS_CONF=$PMDIR/containers.conf
PM=(podman --root "$PMDIR/root" --runroot "$PMDIR/runroot" --storage-driver overlay
    --cgroup-manager cgroupfs --events-backend file)
PM_SOCK=$PMDIR/podman.sock

"${PM[@]}" system service --time=0 "unix://$PM_SOCK" >"$PMDIR/service.log" 2>&1 &
PM_PID=$!

# At exit: stop the service, remove every container, volume and image of this private
# storage, wait (bounded) until none of its overlay mounts is left, then remove it.
pm_mounted () {
  findmnt -rn -o TARGET | grep -q -- "^$PMDIR/"
}
pm_cleanup () {
  kill "$PM_PID" 2>/dev/null || true
  wait "$PM_PID" 2>/dev/null || true
  timeout 60 "${PM[@]}" rm -a -f -t 0 >/dev/null 2>&1 || true
  timeout 60 "${PM[@]}" system reset --force >/dev/null 2>&1 || true
  if ! wait_until 20 eval '! pm_mounted'; then
    findmnt -rn -o TARGET | grep -- "^$PMDIR/" | sort -r | while read -r m; do umount "$m" || true; done
  fi
  rm -rf "$PMDIR" || echo "warning: could not remove $PMDIR" >&2
}
on_exit pm_cleanup

ping_podman () {
  curl -sf --unix-socket "$PM_SOCK" http://d/_ping | grep -q OK
}
if ! wait_until 30 ping_podman; then
  podman_skip "podman system service did not answer on $PM_SOCK within 30 s: $(tail -n 3 "$PMDIR/service.log" | tr '\n' ' ')"
fi
kind=$(curl -sf --unix-socket "$PM_SOCK" http://d/version | python3 -c 'import json,sys; print(" ".join(c["Name"] for c in json.load(sys.stdin)["Components"]))')
log "podman API answers: components $kind"
if ! "${PM[@]}" load -i "$TMP/busybox.tar" >"$PMDIR/load.log" 2>&1; then
  podman_skip "podman cannot load the test image: $(tail -n 2 "$PMDIR/load.log" | tr '\n' ' ')"
fi
if ! out=$(timeout 60 "${PM[@]}" run --rm --network none "$BB" echo podman-runs 2>&1); then
  podman_skip "podman cannot run a container here: $out"
fi

# From here on, the harness tools (make-cvat-stack, fingerprint) work on Podman.
export LIFEBOAT_TEST_DOCKER_HOST=unix://$PM_SOCK
P=$(test_project sshpodman)
stack_up current "$P"
containers_state "$P" >"$TMP/state.before"
grep -q '=running$' "$TMP/state.before" || die "no running container in the Podman stack"

sshd_start "$TMP/sshd"
sshd_trust
SSH_URI="ssh://root@127.0.0.1:$SSHD_PORT$PM_SOCK"
ssh_cli () {
  local out=$1 err=$2; shift 2
  run_bounded "${LIFEBOAT_CLI_TIMEOUT:-300}" "$out" "$err" "$LIFEBOAT_CLI" --host "$SSH_URI" "$@"
}

ssh_cli "$TMP/hosts.out" "$TMP/err" projects
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "projects on Podman over SSH exited $CLI_RC"; }
grep -q -- "$P" "$TMP/hosts.out" || { cat "$TMP/hosts.out" >&2; die "projects on Podman does not list $P"; }

# Podman 4.3's archive API does not keep owners: GET reports PostgreSQL's uid 70 as 0 (and the
# volume root as 0:0), PUT writes files as root. A backup or restore through it would be wrong
# without a word, so Lifeboat refuses both with one clear sentence and changes nothing.
fingerprint_all "$P" "$TMP/before"
dest=$TMP/backups
mkdir -p "$dest"
ssh_cli "$TMP/backup.out" "$TMP/backup.err" backup "$P" --to "$dest"
[ "$CLI_RC" = 1 ] || { cat "$TMP/backup.err" >&2; die "backup on Podman exited $CLI_RC, not 1"; }
grep -q "cannot back up from a Podman engine" "$TMP/backup.err" \
  || die "backup on Podman did not say why it refused: $(cat "$TMP/backup.err")"
log "Podman backup refused: $(tail -n 1 "$TMP/backup.err")"
left=$(ls -A "$dest")
[ -z "$left" ] || die "the refused backup on Podman left $left"

mkdir -p "$TMP/guide-backup"
printf 'x\n' >"$TMP/x" && tar -czf "$TMP/guide-backup/cvat_keys.tar.gz" -C "$TMP" x
ssh_cli "$TMP/restore.out" "$TMP/restore.err" restore "$TMP/guide-backup" --project "$P" --yes
[ "$CLI_RC" = 1 ] || { cat "$TMP/restore.err" >&2; die "restore into Podman exited $CLI_RC, not 1"; }
grep -q "cannot restore into a Podman engine" "$TMP/restore.err" \
  || die "restore into Podman did not say why it refused: $(cat "$TMP/restore.err")"
log "Podman restore refused: $(tail -n 1 "$TMP/restore.err")"

fingerprint_all "$P" "$TMP/after"
assert_same_fingerprints "$TMP/before" "$TMP/after" "a refused job on Podman changed a volume"
containers_state "$P" >"$TMP/state.after"
assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.after")" "container states after the refused jobs on Podman"
echo "ssh-podman: ok"
