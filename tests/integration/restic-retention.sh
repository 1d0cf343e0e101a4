#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Retention in a restic repository (issue 16), three backups of two volumes of one small stack
# into a local repository: the first as the window runs it (in lifeboat-cli, the password
# through a pipe: on no command line, in no environment), the second by `lifeboat-cli backup`,
# the third by `schedule run` of a schedule with --keep-last 2, whose retention forgets every
# snapshot of the first. Then `prune --to REPO --keep-last 1`: a wrong password is one sentence
# and removes nothing; --dry-run (and --json) lists the second and changes nothing; the real
# prune forgets the second's snapshots and no other, `restic prune` has run (nothing left to
# free), `restic check` passes, the history shows both as pruned (once each), and the newest
# restores byte-faithfully, the window's way too.
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
# counts: "ID=N ..." for each backup ID in the repository, N its snapshots (one restic run)
counts () {
  restic_ snapshots --json | python3 -c '
import collections, json, sys
c = collections.Counter(t.split("=", 1)[1] for s in (json.load(sys.stdin) or [])
                        for t in (s.get("tags") or []) if t.startswith("lifeboat-backup="))
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))'
}

restic_ init >/dev/null
DRIVER=${LIFEBOAT_JOB_DRIVER:-$LIFEBOAT_BUILD_DIR/tests/job-driver}
[ -x "$DRIVER" ] || die "no job-driver at $DRIVER (built with the tests)"

# window_way WHAT ARGS...: job-driver ARGS (a job run as the window runs it: in its worker,
# lifeboat-cli --job-worker, the password kept in memory, as the Secret Service's, handed over through a
# pipe), which must succeed in lifeboat-cli; the password on no command line and in no
# environment meanwhile
window_way () {
  local what=$1 rc=0; shift
  with_secret_watch "$TMP/pw" "$TMP/pw-seen" \
    env JOB_DRIVER_PASSWORD_FILE="$TMP/pw" timeout --kill-after=10 120 "$DRIVER" "$LIFEBOAT_TEST_DOCKER_HOST" "$@" \
    >"$TMP/driver.out" 2>"$TMP/driver.err" </dev/null || rc=$?
  [ "$rc" = 0 ] || die "the window's $what: $(cat "$TMP/driver.out" "$TMP/driver.err")"
  grep -q "^in_worker=1 outcome=1 " "$TMP/driver.out" || die "$what not run in lifeboat-cli: $(cat "$TMP/driver.out")"
  [ ! -s "$TMP/pw-seen" ] || die "$what: the password appeared on a command line or in an environment: $(sort -u "$TMP/pw-seen")"
}

# --- 1: the window's way ---
window_way "backup into $REPO" "$P" "$REPO" "$VOLS"
grep -q " folder=$REPO#$P-" "$TMP/driver.out" || die "the window's backup: $(cat "$TMP/driver.out")"
B=$(sed -n 's/.* folder=//p' "$TMP/driver.out")
IDS=("${B##*#}")

# --- 2: lifeboat-cli backup ---
cli_ok "$TMP/backup.out" "$TMP/backup.err" backup "$P" --to "$REPO" --volumes "$VOLS" --password-file "$TMP/pw"
B=$(tail -n 1 "$TMP/backup.out")
[[ $B == "$REPO#$P-"* ]] || die "backup 2: last line is not $REPO#…: '$B'"
IDS+=("${B##*#}")

# --- 3: a schedule's run into the repository, whose retention (keep the last 2) forgets the
# first backup ---
# shellcheck disable=SC2086
mutate_volumes "$P" cvat_db cvat_data
fingerprint_all "$P" "$TMP/before-3"
cli_ok "$TMP/sched.out" "$TMP/sched.err" schedule add "$P" --to "$REPO" --every daily --volumes "$VOLS" --keep-last 2
SID=$(sed -n 's/^Schedule \([0-9a-f-]*\): .*/\1/p' "$TMP/sched.out")
[ -n "$SID" ] || die "schedule add: $(cat "$TMP/sched.out")"
cli_ok "$TMP/run.out" "$TMP/run.err" schedule run "$SID" --password-file "$TMP/pw"
B=$(REPO="$REPO" python3 - "$TMP/run.out" <<'PY'
import json, os, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert r["ok"], r
assert r["folder"].startswith(os.environ["REPO"] + "#"), r
assert r["pruned"] == 1, r
assert r["bytes"] > 0, r
print(r["folder"])
PY
) || die "schedule run: $(cat "$TMP/run.out" "$TMP/run.err")"
IDS+=("${B##*#}")
log "backups: ${IDS[*]}"
# three snapshots a backup (two volumes, the manifest); none left of the first
two="${IDS[1]}=3 ${IDS[2]}=3"
assert_eq "$two" "$(counts)" "snapshots after the schedule's retention"

# --- a wrong password: one sentence, nothing removed ---
run_cli "$TMP/wrong.out" "$TMP/wrong.err" prune "$P" --to "$REPO" --keep-last 1 --password-file "$TMP/bad-pw"
assert_eq 1 "$CLI_RC" "prune with a wrong password: exit status"
assert_eq 1 "$(wc -l <"$TMP/wrong.err")" "prune with a wrong password: lines on stderr"
grep -q "password of the restic repository $REPO is wrong" "$TMP/wrong.err" || die "wrong password: $(cat "$TMP/wrong.err")"

# --- dry run: the older would go, nothing changes ---
cli_ok "$TMP/dry.out" "$TMP/dry.err" prune "$P" --to "$REPO" --keep-last 1 --dry-run --password-file "$TMP/pw"
assert_eq "remove  $REPO#${IDS[1]}" "$(awk '$1 == "remove" {print $1 "  " $NF}' "$TMP/dry.out")" "--dry-run lists the older backup"
grep -q "^keep .*#${IDS[2]} " "$TMP/dry.out" || die "--dry-run does not keep the newest: $(cat "$TMP/dry.out")"
cli_ok "$TMP/dry.json" "$TMP/dry.err" --json prune "$P" --to "$REPO" --keep-last 1 --dry-run --password-file "$TMP/pw"
REPO="$REPO" I1="${IDS[1]}" python3 - "$TMP/dry.json" <<'PY' || die "prune --dry-run --json: $(cat "$TMP/dry.json")"
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["dry_run"] is True, d
gone = [b["folder"] for b in d["backups"] if not b["keep"]]
assert gone == [os.environ["REPO"] + "#" + os.environ["I1"]], gone
assert len(d["backups"]) == 2, d
PY
assert_eq "$two" "$(counts)" "snapshots after a wrong password and --dry-run"

# --- the prune: every snapshot of the older backup, no other; then restic prune ---
cli_ok "$TMP/prune.out" "$TMP/prune.err" prune "$P" --to "$REPO" --keep-last 1 --password-file "$TMP/pw"
grep -q "^removed .*#${IDS[1]}\$" "$TMP/prune.out" || die "prune: $(cat "$TMP/prune.out")"
assert_eq "${IDS[2]}=3" "$(counts)" "snapshots after the prune"
restic_ check >"$TMP/check.out" 2>&1 || { cat "$TMP/check.out" >&2; die "restic check after the prune"; }
# restic prune ran: nothing is left to remove
restic_ prune --dry-run >"$TMP/prune-dry.out" 2>&1 || die "restic prune --dry-run: $(cat "$TMP/prune-dry.out")"
grep -Eq "^total prune: +0 blobs" "$TMP/prune-dry.out" \
  || die "restic prune did not run after the forget: $(cat "$TMP/prune-dry.out")"

# the history: the pruned backups show as pruned, each once
cli_ok "$TMP/hist.json" "$TMP/hist.err" --json history "$P" --password-file "$TMP/pw"
I0="${IDS[0]}" I1="${IDS[1]}" I2="${IDS[2]}" python3 - "$TMP/hist.json" <<'PY' || die "history after the prune"
import json, os, sys
h = json.load(open(sys.argv[1]))
by = {}
for e in h:
    if e.get("kind", "backup") == "backup":
        by.setdefault(e.get("folder", "").rsplit("#", 1)[-1], []).append(e.get("outcome"))
assert by.get(os.environ["I0"]) == ["pruned"], ("first", by)
assert by.get(os.environ["I1"]) == ["pruned"], ("second", by)
assert by.get(os.environ["I2"]) == ["succeeded"], ("newest", by)
PY

# the newest restores byte-faithfully after the prune (into emptied volumes), the window's way
empty_volumes "${P}_cvat_db" "${P}_cvat_data"
window_way "restore from $REPO#${IDS[2]}" --restore "$REPO#${IDS[2]}"
fingerprint_all "$P" "$TMP/restored"
assert_same_fingerprints "$TMP/before-3" "$TMP/restored" "restore of the newest after the prune" \
  cvat_db cvat_data

log "restic-retention: ok"
