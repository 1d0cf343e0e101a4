#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Retention in a restic repository (issue 16): three backups of one small stack into a local
# repository (the first as the window runs it, in lifeboat-cli with the password through a
# pipe: on no command line, in no environment), then `lifeboat-cli prune --to REPO --keep-last 2`. A wrong password: one sentence,
# no snapshot gone. --dry-run (and --json) lists the oldest backup for removal and changes
# nothing. The real prune forgets every snapshot of the oldest backup (its volumes' and its
# manifest's) and no other, `restic prune` has run (no unreferenced data left), `restic check`
# passes, the history shows the backup as pruned, the newest stays under the tightest policy,
# and the newest restores byte-faithfully.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

begin_test
command -v restic >/dev/null || skip_or_fail "restic not installed (apt-get install restic)"

P=$(test_project rr)
stack_up --data-mb 1 current "$P"
export RESTIC_CACHE_DIR=$TMP/restic-cache

printf 'lbt-%s-retention\n' "$RANDOM$$" >"$TMP/pw"
chmod 600 "$TMP/pw"
printf 'wrong\n' >"$TMP/bad-pw"
REPO=$TMP/repo
# two volumes (the database's and the media's) keep the restic runs few
VOLS=cvat_db,cvat_data

restic_ () {
  RESTIC_PASSWORD_FILE=$TMP/pw restic -r "$REPO" "$@"
}
# n_snapshots [restic snapshots options]: how many snapshots match
n_snapshots () {
  restic_ snapshots --json "$@" | python3 -c 'import json,sys; print(len(json.load(sys.stdin) or []))'
}

restic_ init >/dev/null
DRIVER=${LIFEBOAT_JOB_DRIVER:-$LIFEBOAT_BUILD_DIR/tests/job-driver}
[ -x "$DRIVER" ] || die "no job-driver at $DRIVER (built with the tests)"
IDS=()
for i in 1 2 3; do
  if [ "$i" = 3 ]; then
    # shellcheck disable=SC2046
    mutate_volumes "$P" cvat_db cvat_data
    fingerprint_all "$P" "$TMP/before-3"
  fi
  if [ "$i" = 1 ]; then
    # the first as the window runs it: in lifeboat-cli --job-events, the password (kept in
    # memory, as the Secret Service's) handed over through a pipe, on no command line and in no
    # environment while the backup runs
    ( for _ in $(seq 1 400); do
        grep -laF -f "$TMP/pw" /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null >>"$TMP/pw-seen" || true
        [ -e "$TMP/pw-stop" ] && break
        sleep 0.05
      done ) &
    sampler=$!
    on_exit "touch '$TMP/pw-stop'; kill $sampler 2>/dev/null || true"
    rc=0
    JOB_DRIVER_PASSWORD_FILE=$TMP/pw timeout --kill-after=10 120 "$DRIVER" "$LIFEBOAT_TEST_DOCKER_HOST" "$P" "$REPO" "$VOLS" \
      >"$TMP/driver.out" 2>"$TMP/driver.err" </dev/null || rc=$?
    touch "$TMP/pw-stop"
    wait "$sampler" || true
    [ "$rc" = 0 ] || die "the window's backup into $REPO: $(cat "$TMP/driver.out" "$TMP/driver.err")"
    grep -q "^in_worker=1 outcome=[0-9]* folder=$REPO#$P-" "$TMP/driver.out" || die "not run in lifeboat-cli: $(cat "$TMP/driver.out")"
    if [ -s "$TMP/pw-seen" ]; then
      die "the password appeared on a command line or in an environment: $(sort -u "$TMP/pw-seen")"
    fi
    B=$(sed -n 's/.* folder=//p' "$TMP/driver.out")
  else
    cli_ok "$TMP/backup.out" "$TMP/backup.err" backup "$P" --to "$REPO" --volumes "$VOLS" --password-file "$TMP/pw"
    B=$(tail -n 1 "$TMP/backup.out")
  fi
  [[ $B == "$REPO#$P-"* ]] || die "backup $i: last line is not $REPO#…: '$B'"
  IDS+=("${B##*#}")
  # one backup ID per second
  [ "$i" = 3 ] || sleep 1.1
done
log "backups: ${IDS[*]}"
per_backup=$(n_snapshots --tag "lifeboat-backup=${IDS[0]}")
assert_eq 3 "$per_backup" "snapshots of one backup (two volumes, the manifest)"
total=$(n_snapshots)
assert_eq $((3 * per_backup)) "$total" "snapshots of three backups"

# --- a wrong password: one sentence, nothing removed ---
run_cli "$TMP/wrong.out" "$TMP/wrong.err" prune "$P" --to "$REPO" --keep-last 1 --password-file "$TMP/bad-pw"
assert_eq 1 "$CLI_RC" "prune with a wrong password: exit status"
assert_eq 1 "$(wc -l <"$TMP/wrong.err")" "prune with a wrong password: lines on stderr"
grep -q "password of the restic repository $REPO is wrong" "$TMP/wrong.err" || die "wrong password: $(cat "$TMP/wrong.err")"
assert_eq "$total" "$(n_snapshots)" "snapshots after a prune with a wrong password"

# --- dry run: the oldest would go, nothing changes ---
cli_ok "$TMP/dry.out" "$TMP/dry.err" prune "$P" --to "$REPO" --keep-last 2 --dry-run --password-file "$TMP/pw"
assert_eq "remove  $REPO#${IDS[0]}" "$(awk '$1 == "remove" {print $1 "  " $NF}' "$TMP/dry.out")" "--dry-run lists the oldest backup"
assert_eq 2 "$(grep -c '^keep ' "$TMP/dry.out")" "--dry-run keeps two: $(cat "$TMP/dry.out")"
cli_ok "$TMP/dry.json" "$TMP/dry.err" --json prune "$P" --to "$REPO" --keep-last 2 --dry-run --password-file "$TMP/pw"
REPO="$REPO" I0="${IDS[0]}" python3 - "$TMP/dry.json" <<'PY' || die "prune --dry-run --json: $(cat "$TMP/dry.json")"
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["dry_run"] is True, d
gone = [b["folder"] for b in d["backups"] if not b["keep"]]
assert gone == [os.environ["REPO"] + "#" + os.environ["I0"]], gone
assert len(d["backups"]) == 3, d
PY
assert_eq "$total" "$(n_snapshots)" "snapshots after --dry-run"

# --- the prune: every snapshot of the oldest backup, no other; then restic prune ---
cli_ok "$TMP/prune.out" "$TMP/prune.err" prune "$P" --to "$REPO" --keep-last 2 --password-file "$TMP/pw"
grep -q "^removed .*#${IDS[0]}\$" "$TMP/prune.out" || die "prune: $(cat "$TMP/prune.out")"
assert_eq 0 "$(n_snapshots --tag "lifeboat-backup=${IDS[0]}")" "snapshots of the pruned backup"
assert_eq "$per_backup" "$(n_snapshots --tag "lifeboat-backup=${IDS[1]}")" "snapshots of the second backup"
assert_eq "$per_backup" "$(n_snapshots --tag "lifeboat-backup=${IDS[2]}")" "snapshots of the newest backup"
restic_ check >"$TMP/check.out" 2>&1 || { cat "$TMP/check.out" >&2; die "restic check after the prune"; }
# restic prune ran: nothing is left to remove
restic_ prune --dry-run >"$TMP/prune-dry.out" 2>&1 || die "restic prune --dry-run: $(cat "$TMP/prune-dry.out")"
grep -Eq "^total prune: +0 blobs" "$TMP/prune-dry.out" \
  || die "restic prune did not run after the forget: $(cat "$TMP/prune-dry.out")"

# the history: the pruned backup shows as pruned
cli_ok "$TMP/hist.json" "$TMP/hist.err" --json history "$P" --password-file "$TMP/pw"
I0="${IDS[0]}" I2="${IDS[2]}" python3 - "$TMP/hist.json" <<'PY' || die "history after the prune"
import json, os, sys
h = json.load(open(sys.argv[1]))
by = {}
for e in h:
    by.setdefault(e.get("folder", "").rsplit("#", 1)[-1], []).append(e.get("outcome"))
assert by.get(os.environ["I0"]) == ["pruned"], ("oldest", by)
assert by.get(os.environ["I2"]) == ["succeeded"], ("newest", by)
PY

# never the newest: the tightest policy keeps it (dry run)
cli_ok "$TMP/tight.out" "$TMP/tight.err" prune "$P" --to "$REPO" --keep-monthly 1 --dry-run --password-file "$TMP/pw"
grep -q "^keep .*#${IDS[2]} " "$TMP/tight.out" || die "the newest is not kept: $(cat "$TMP/tight.out")"

# the newest restores byte-faithfully after the prune (into emptied volumes)
empty_volumes "${P}_cvat_db" "${P}_cvat_data"
cli_ok "$TMP/restore.out" "$TMP/restore.err" restore "$REPO#${IDS[2]}" --yes --password-file "$TMP/pw"
fingerprint_all "$P" "$TMP/restored"
assert_same_fingerprints "$TMP/before-3" "$TMP/restored" "restore of the newest after the prune" \
  cvat_db cvat_data

log "restic-retention: ok"
