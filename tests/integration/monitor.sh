#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The background monitor (lifeboat-cli monitor) under a private session bus with a real dunst,
# no window, minutes lasting a second ($LIFEBOAT_MINUTE_SECONDS=1):
#   1. two schedules of one project, both due at once, run one after the other (their backups'
#      times in the history never overlap), each a backup in the history and a "Backed up"
#      notification in dunst; a schedule of a project that does not exist sends a failure
#      notification with the CLI's one sentence, whose action opens Lifeboat on that job;
#   2. runs missed while the monitor was stopped (three intervals) run once when it starts again;
#   3. a schedule's retention (--keep-last 1) prunes after its good run.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

# a private bus and display for dunst: run this script again under them
if [ -z "${LIFEBOAT_MONITOR_TEST_INNER:-}" ]; then
  command -v xvfb-run >/dev/null || skip_or_fail "xvfb-run is missing (package xvfb)"
  command -v dbus-run-session >/dev/null || skip_or_fail "dbus-run-session is missing (package dbus)"
  command -v dunst >/dev/null || skip_or_fail "dunst is missing (package dunst)"
  export LIFEBOAT_MONITOR_TEST_INNER=1
  exec xvfb-run -a dbus-run-session -- "$0" "$@"
fi

begin_test
P=$(test_project monitor)
stack_up current "$P"
export LIFEBOAT_MINUTE_SECONDS=1
INTERVAL=8

# dunst, logging every notification it gets (appname, summary, body) to a file
NOTES=$TMP/notifications.log
: >"$NOTES"
cat >"$TMP/log-note" <<SH
#!/bin/sh
printf '%s|%s|%s\n' "\$1" "\$2" "\$3" >>"$NOTES"
SH
chmod +x "$TMP/log-note"
cat >"$TMP/dunstrc" <<INI
[log]
    appname = "*"
    script = $TMP/log-note
INI
dunst -config "$TMP/dunstrc" >"$TMP/dunst.log" 2>&1 &
DUNST=$!
on_exit "kill $DUNST 2>/dev/null; wait $DUNST 2>/dev/null"
wait_until 15 dunstctl count displayed || die "dunst does not answer dunstctl"

MONITOR=
start_monitor () {
  "$LIFEBOAT_CLI" monitor >>"$TMP/monitor.log" 2>&1 &
  MONITOR=$!
  on_exit "kill $MONITOR 2>/dev/null; wait $MONITOR 2>/dev/null"
}
stop_monitor () {
  kill -TERM "$MONITOR"
  wait "$MONITOR" 2>/dev/null || true
  # its last run (a separate process) may still be finishing
  wait_until 60 sh -c "! pgrep -f '^$LIFEBOAT_CLI schedule run' >/dev/null" ||
    die "a schedule run does not end"
}
runs_of () {   # runs_of PROJECT-OR-ID: the number of runs the schedule's state counts
  cli --json schedule list | python3 -c "
import json, sys
print(sum(s.get('runs', 0) for s in json.load(sys.stdin) if s['id'] == '$1'))"
}
schedule_id () {
  sed -n 's/^Schedule \([0-9a-f-]*\): .*/\1/p' "$1"
}

cli_ok "$TMP/s1" "$TMP/err" schedule add "$P" --to "$TMP/b" --every-minutes "$INTERVAL" --volumes cvat_keys \
  --keep-last 1
cli_ok "$TMP/s2" "$TMP/err" schedule add "$P" --to "$TMP/b" --every-minutes "$INTERVAL" --volumes cvat_keys,cvat_logs
cli_ok "$TMP/s3" "$TMP/err" schedule add "nothere$P" --to "$TMP/b" --every-minutes "$INTERVAL"
S1=$(schedule_id "$TMP/s1"); S2=$(schedule_id "$TMP/s2"); S3=$(schedule_id "$TMP/s3")
[ -n "$S1" ] && [ -n "$S2" ] && [ -n "$S3" ] || die "schedule add printed no ids"

# what a notification's action opens: `lifeboat --job ID`, recorded here in place of the window
# (the window's own --job is tested in test-window.c)
mkdir -p "$TMP/bin"
cat >"$TMP/bin/lifeboat" <<SH
#!/bin/sh
printf '%s\n' "\$*" >>"$TMP/opened"
SH
chmod +x "$TMP/bin/lifeboat"
export PATH=$TMP/bin:$PATH

# --- 1. both due together, one at a time; notifications ---
start_monitor
wait_until 90 sh -c "[ \$(grep -c '|Backed up $P|' '$NOTES') -ge 2 ]" ||
  { cat "$TMP/monitor.log" "$NOTES" >&2; die "no two 'Backed up' notifications reached dunst"; }
wait_until 30 grep -q "|Scheduled backup of nothere$P failed|" "$NOTES" ||
  { cat "$TMP/monitor.log" "$NOTES" >&2; die "no failure notification reached dunst"; }
# its action (the failure stays on screen, first as the most urgent) opens Lifeboat on that job
dunstctl action 0
wait_until 15 test -s "$TMP/opened" || { cat "$TMP/monitor.log" >&2; die "the failure notification's action opened nothing"; }
cli --json history "nothere$P" | python3 -c '
import json, sys
failed = ["--job=" + e["id"] for e in json.load(sys.stdin) if e["outcome"] == "failed"]
opened = open(sys.argv[1]).readline().strip()
assert opened in failed, "the action opened %r, not one of the failed runs %r" % (opened, failed)' "$TMP/opened"
stop_monitor

grep "|Backed up $P|" "$NOTES" | head -n 1 | grep -Eq '\|[0-9.]+ (bytes|[kMGT]B) in [0-9]+ (s|min|h)[^|]*, ' ||
  { cat "$NOTES" >&2; die "the completion notification does not say how big and how long"; }
grep "|Scheduled backup of nothere$P failed|" "$NOTES" | grep -qi "nothere$P" ||
  { cat "$NOTES" >&2; die "the failure notification does not carry the CLI's sentence"; }
[ "$(runs_of "$S1")" -ge 1 ] && [ "$(runs_of "$S2")" -ge 1 ] || die "not both schedules ran"

cli --json history "$P" >"$TMP/h1.json"
python3 - "$TMP/h1.json" <<'PY'
import datetime, json, sys
h = [e for e in json.load(open(sys.argv[1])) if e["kind"] == "backup"]
ok = [e for e in h if e["outcome"] in ("succeeded", "pruned")]   # pruned: done, then removed
if len(ok) < 2:
    sys.exit("history: %d good scheduled backups, want 2+: %r" % (len(ok), h))
iv = []
for e in ok:
    s = datetime.datetime.fromisoformat(e["started"].replace("Z", "+00:00")).timestamp()
    iv.append((s, s + e["seconds"]))
iv.sort()
for a, b in zip(iv, iv[1:]):
    if b[0] < a[1] - 0.05:
        sys.exit("two scheduled backups of one project overlapped: %r %r" % (a, b))
print("history: %d scheduled backups, none overlapping" % len(ok))
PY
[ "$(grep -c "Running schedule" "$TMP/monitor.log")" -ge 2 ] || die "the monitor log shows no runs"

# --- 2. missed while stopped: once ---
cli_ok "$TMP/out" "$TMP/err" schedule remove "$S2"
cli_ok "$TMP/out" "$TMP/err" schedule remove "$S3"
R=$(runs_of "$S1")
sleep $((INTERVAL * 3 + 2))   # three slots pass with no monitor
start_monitor
wait_until 20 sh -c "[ \$(cd / && '$LIFEBOAT_CLI' --json schedule list | python3 -c \"import json,sys; print([s['runs'] for s in json.load(sys.stdin) if s['id']=='$S1'][0])\") -gt $R ]" ||
  { cat "$TMP/monitor.log" >&2; die "the missed run did not run when the monitor started again"; }
sleep $((INTERVAL / 2 + 1))
assert_eq $((R + 1)) "$(runs_of "$S1")" "runs after three missed slots (anacron: once)"
stop_monitor

# S1 keeps the last one: after its run only its own backup is left in the destination, the
# others show as pruned in the history
assert_eq 1 "$(ls -d "$TMP/b/$P"-* | grep -vc partial)" "backups of $P left by --keep-last 1"
cli --json history "$P" | python3 -c '
import json, sys
h = json.load(sys.stdin)
n = sum(1 for e in h if e["outcome"] == "pruned")
assert n >= 2, "history shows %d pruned backups, want 2+" % n'
echo "ok monitor"
