#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Space before stopping (issue 14): a backup whose estimate does not fit the destination's free
# space is refused before any container stops: one sentence that says how much it needs and how
# much is free, no folder left, and every container still running, never stopped (their
# StartedAt is unchanged). The same backup onto a disk large enough runs. History per engine:
# `history PROJECT` lists this engine's jobs only, with the engine named; --all-engines lists a
# job recorded on another engine too; restoring a backup of another engine says so first.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

begin_test
P=$(test_project space)
stack_up --data-mb 8 current "$P"
containers_state "$P" >"$TMP/state.before"
started_at () {
  dk ps -a --filter "label=com.docker.compose.project=$1" --format '{{.Names}}' | sort \
    | while read -r c; do echo "$c $(dk inspect -f '{{.State.StartedAt}}' "$c")"; done
}
started_at "$P" >"$TMP/started.before"
grep -q "=running" "$TMP/state.before" || die "the test stack has no running container"

small=$TMP/small-disk
mkdir -p "$small"
mount -t tmpfs -o size=4m tmpfs "$small" || skip_or_fail "cannot mount a small tmpfs (needs root)"
on_exit "umount '$small' 2>/dev/null || true"

run_cli "$TMP/backup.out" "$TMP/backup.err" backup "$P" --to "$small/backups"
[ "$CLI_RC" = 1 ] || die "backup onto a too small disk exited $CLI_RC, not 1: $(cat "$TMP/backup.err")"
last=$(tail -n 1 "$TMP/backup.err")
log "space-check: refused: $last"
echo "$last" | grep -q "not enough space for the backup: it needs about .*, but .* has only .* free" \
  || die "the refusal does not say what is needed and what is free: $last"
echo "$last" | grep -q "the containers were not touched" \
  || die "the refusal does not say that the containers were not touched: $last"
[ "$(grep -c "^lifeboat-cli:" "$TMP/backup.err")" = 1 ] || die "not one error: $(cat "$TMP/backup.err")"
left=$(find "$small" -mindepth 1 -maxdepth 2 -not -name backups)
[ -z "$left" ] || die "the refused backup left $left"
containers_state "$P" >"$TMP/state.after"
assert_eq "$(cat "$TMP/state.before")" "$(cat "$TMP/state.after")" "container states after the refusal"
started_at "$P" >"$TMP/started.after"
assert_eq "$(cat "$TMP/started.before")" "$(cat "$TMP/started.after")" \
  "containers were stopped and started again although the backup was refused"
grep -q '"outcome":"failed"' "$XDG_DATA_HOME/lifeboat/history.jsonl" \
  || die "the refused backup is not in the history"

# The same backup onto a disk that is large enough runs.
umount "$small"
mount -t tmpfs -o size=64m tmpfs "$small"
cli_backup "$P" "$small/backups"
log "space-check: backup onto 64 MB: $BACKUP"
# a second one now estimates from the first one's ratio and still fits
cli_backup "$P" "$small/backups"
second=$BACKUP

# History per engine
cli_ok "$TMP/history.out" "$TMP/history.err" history "$P"
grep -q "engine: .* (" "$TMP/history.out" || die "history does not name the engine: $(cat "$TMP/history.out")"
n_here=$(grep -c "^[0-9].* backup " "$TMP/history.out" || true)
[ "$n_here" = 3 ] || die "history $P lists $n_here backups, not 3: $(cat "$TMP/history.out")"
printf '%s\n' "{\"id\":\"00000000-0000-4000-8000-000000000001\",\"kind\":\"backup\",\"outcome\":\"succeeded\",\"started\":\"2026-01-01T00:00:00Z\",\"seconds\":1,\"engine\":\"elsewhere\",\"engine_id\":\"OTHER:ENGINE:ID\",\"project\":\"$P\",\"volumes\":[\"cvat_db\"],\"bytes\":1000}" \
  >>"$XDG_DATA_HOME/lifeboat/history.jsonl"
cli_ok "$TMP/history2.out" "$TMP/history2.err" history "$P"
if grep -q "elsewhere" "$TMP/history2.out"; then
  die "history $P lists a job of another engine: $(cat "$TMP/history2.out")"
fi
cli_ok "$TMP/history3.out" "$TMP/history3.err" history --all-engines "$P"
grep -q "engine: elsewhere (OTHER:ENGINE" "$TMP/history3.out" \
  || die "history --all-engines does not list the other engine's job: $(cat "$TMP/history3.out")"
# the other engine's backup is restorable here, but the restore says so first
cp -a "$second" "$TMP/copy"
sed -i 's/"id" *: *"[^"]*"/"id":"OTHER:ENGINE:ID"/' "$TMP/copy/lifeboat.json"
grep -q OTHER:ENGINE:ID "$TMP/copy/lifeboat.json" || die "could not rewrite the copy's engine ID"

run_cli "$TMP/restore.out" "$TMP/restore.err" restore "$TMP/copy" --yes
[ "$CLI_RC" = 0 ] || die "restore of the other engine's backup exited $CLI_RC: $(cat "$TMP/restore.err")"
grep -q "taken on another engine, .* (ID OTHER:ENGINE" "$TMP/restore.err" \
  || die "the restore does not say that the backup is of another engine: $(cat "$TMP/restore.err")"
first_progress=$(grep -n "Stopping\|Restoring\|Volume " "$TMP/restore.err" | head -n 1 | cut -d: -f1)
warn_line=$(grep -n "another engine" "$TMP/restore.err" | head -n 1 | cut -d: -f1)
[ -z "$first_progress" ] || [ "$warn_line" -lt "$first_progress" ] \
  || die "the other-engine warning came after the restore began"

echo "space-check: ok"
