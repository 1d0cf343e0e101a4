#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# lifeboat-cli schedule add|list|remove, and --system: the service + timer pair it writes
# passes systemd-analyze verify (OnCalendar, Persistent=true, runs as this user), for daily,
# weekly and hourly schedules and a project name with a %; --crontab prints a crontab line;
# remove deletes the schedule and its units. Needs the engine (a schedule records its ID).
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

begin_test
command -v systemd-analyze >/dev/null || skip_or_fail "systemd-analyze is missing (package systemd)"
U=$TMP/units

cli_ok "$TMP/out" "$TMP/err" schedule add cvat --to "$TMP/b" --every daily --at 02:30 \
  --keep-last 3 --keep-daily 7 --drill-every 4 --system --unit-dir "$U"
cli_ok "$TMP/out" "$TMP/err" schedule add 'odd%name' --to "$TMP/b" --every weekly --day sun \
  --at 04:05 --system --unit-dir "$U"
cli_ok "$TMP/out" "$TMP/err" schedule add other --to "$TMP/b" --every hourly --at :20 --system \
  --unit-dir "$U"

assert_eq 3 "$(ls "$U"/*.timer | wc -l)" "timers written"
assert_eq 3 "$(ls "$U"/*.service | wc -l)" "services written"
grep -q '^OnCalendar=\*-\*-\* 02:30:00$' "$U"/*.timer || die "no daily OnCalendar"
grep -q '^OnCalendar=Sun \*-\*-\* 04:05:00$' "$U"/*.timer || die "no weekly OnCalendar"
grep -q '^OnCalendar=\*-\*-\* \*:20:00$' "$U"/*.timer || die "no hourly OnCalendar"
[ "$(grep -c '^Persistent=true$' "$U"/*.timer | awk -F: '{s+=$2} END {print s}')" = 3 ] ||
  die "not every timer is Persistent=true"
grep -q "^User=$(id -un)\$" "$U"/*.service || die "the service does not run as $(id -un)"
grep -q 'odd%%name' "$U"/*.service || die "a % in the project name is not escaped"

# the units as systemd reads them
if ! systemd-analyze verify "$U"/*.timer "$U"/*.service >"$TMP/verify" 2>&1; then
  cat "$TMP/verify" >&2
  die "systemd-analyze verify rejects the units"
fi
# and it is a real check: a broken copy fails
mkdir "$TMP/broken"
for f in "$U"/*.timer; do sed 's/^OnCalendar=.*/OnCalendar=someday/' "$f" >"$TMP/broken/$(basename "$f")"; done
if systemd-analyze verify "$TMP/broken"/*.timer >/dev/null 2>&1; then
  die "systemd-analyze verify accepts a broken timer: the check proves nothing"
fi

# the service's command runs the schedule (usage checked, not the backup: the project is fake)
ID=$(cli --json schedule list | python3 -c 'import json,sys; print([s["id"] for s in json.load(sys.stdin) if s["project"]=="cvat"][0])')
EXEC=$(sed -n 's/^ExecStart=//p' "$U/lifeboat-schedule-$ID.service")
case $EXEC in *" schedule run $ID") ;; *) die "ExecStart does not run schedule $ID: $EXEC" ;; esac

# list
cli_ok "$TMP/list" "$TMP/err" schedule list
grep -q 'daily at 02:30' "$TMP/list" || { cat "$TMP/list" >&2; die "list does not show the daily schedule"; }
grep -q 'last 3, daily 7, drill every 4' "$TMP/list" || { cat "$TMP/list" >&2; die "list does not show the retention"; }
cli --json schedule list | python3 -c '
import json, sys
l = json.load(sys.stdin)
assert len(l) == 3, l
assert all(s.get("engine_id") for s in l), "a schedule without the engine ID"
'

# crontab
cli_ok "$TMP/cron" "$TMP/err" schedule add cron-one --to "$TMP/b" --every weekly --day mon --at 01:02 \
  --system --crontab
grep -Eq '^2 1 \* \* 1 .* schedule run [0-9a-f-]+$' "$TMP/cron" || { cat "$TMP/cron" >&2; die "no crontab line"; }

# usage errors
run_cli "$TMP/out" "$TMP/err" schedule add cvat --to "$TMP/b" --every sometimes
assert_eq 2 "$CLI_RC" "--every sometimes"
run_cli "$TMP/out" "$TMP/err" schedule add cvat --to "$TMP/b" --at 25:00
assert_eq 2 "$CLI_RC" "--at 25:00"

# remove: the schedule and its units
cli_ok "$TMP/out" "$TMP/err" schedule remove "$ID" --unit-dir "$U"
[ ! -e "$U/lifeboat-schedule-$ID.timer" ] || die "remove left the timer"
[ ! -e "$U/lifeboat-schedule-$ID.service" ] || die "remove left the service"
cli --json schedule list | python3 -c "
import json, sys
assert '$ID' not in [s['id'] for s in json.load(sys.stdin)]"
run_cli "$TMP/out" "$TMP/err" schedule remove "$ID"
assert_eq 1 "$CLI_RC" "removing a schedule twice"
echo "ok schedule-system"
