#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# lifeboat-cli prune on a folder of fake backups (manifests only, dates spread over months):
# --dry-run lists what the policy removes; a real prune removes exactly that list and nothing
# else (another project's backup, a .partial folder, a safety copy stay); the history shows the
# removed ones as "pruned"; the newest backup stays even under the tightest policy; a usage
# error exits 2. Needs no engine.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

require_cli
make_tmpdir TMP
export XDG_DATA_HOME=$TMP/xdg-data XDG_CONFIG_HOME=$TMP/xdg-config XDG_STATE_HOME=$TMP/xdg-state
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"
export TZ=UTC
D=$TMP/backups

# 40 backups of "p": every 5 days from 2026-01-02, two on the newest day; one of "other"; a
# .partial; and a safety copy of p (in the safety folder, which a destination never holds, and
# one recorded in the history as a safety backup in D itself).
python3 - "$D" "$XDG_DATA_HOME" <<'PY'
import datetime, json, os, sys
d, data = sys.argv[1], sys.argv[2]
def make(folder, project, created):
    os.makedirs(folder, mode=0o700)
    json.dump({"format": 1, "created": created, "project": {"name": project},
               "volumes": [{"key": "data", "archive": "data.tar.gz", "archive_bytes": 1}]},
              open(os.path.join(folder, "lifeboat.json"), "w"))
    open(os.path.join(folder, "data.tar.gz"), "w").write("x")
t = datetime.datetime(2026, 1, 2, 3, 0, 0)
for i in range(40):
    make(os.path.join(d, "p-%s" % t.strftime("%Y%m%d-%H%M%S")), "p", t.strftime("%Y-%m-%dT%H:%M:%SZ"))
    last = t
    t += datetime.timedelta(days=5)
newest = last + datetime.timedelta(hours=8)
make(os.path.join(d, "p-%s" % newest.strftime("%Y%m%d-%H%M%S")), "p", newest.strftime("%Y-%m-%dT%H:%M:%SZ"))
make(os.path.join(d, "other-20200101-000000"), "other", "2020-01-01T00:00:00Z")
os.makedirs(os.path.join(d, "p-20200101-000000.partial"))
make(os.path.join(d, "p-20191231-000000"), "p", "2019-12-31T00:00:00Z")
hist = os.path.join(data, "lifeboat")
os.makedirs(hist, exist_ok=True)
with open(os.path.join(hist, "history.jsonl"), "a") as f:
    f.write(json.dumps({"id": "safety-1", "kind": "safety-backup", "outcome": "succeeded",
                        "project": "p", "folder": os.path.join(d, "p-20191231-000000"),
                        "started": "2019-12-31T00:00:00Z"}) + "\n")
print("newest", newest)
PY

# --- usage errors ---
run_cli () {
  local out=$1 err=$2; shift 2
  CLI_RC=0
  timeout --kill-after=10 120 "$LIFEBOAT_CLI" "$@" >"$out" 2>"$err" </dev/null || CLI_RC=$?
}
run_cli "$TMP/out" "$TMP/err" prune p --to "$D"
assert_eq 2 "$CLI_RC" "prune without a --keep-… option"

# --- dry run ---
POLICY=(--keep-last 2 --keep-daily 3 --keep-weekly 2 --keep-monthly 4)
run_cli "$TMP/dry" "$TMP/err" prune p --to "$D" "${POLICY[@]}" --dry-run
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "prune --dry-run exited $CLI_RC"; }
awk '$1 == "remove" {print $NF}' "$TMP/dry" | sort >"$TMP/would"
awk '$1 == "keep" {print $4}' "$TMP/dry" | sort >"$TMP/kept"
[ -s "$TMP/would" ] || { cat "$TMP/dry" >&2; die "--dry-run lists nothing to remove"; }
ls -d "$D"/* | sort >"$TMP/before"
# a dry run removes nothing
ls -d "$D"/* | sort | diff -u "$TMP/before" - || die "--dry-run changed the folder"

# what restic forget would do with the same dates, computed independently here
python3 - "$D" "$TMP/would" <<'PY'
import datetime, json, os, sys
d = sys.argv[1]
snaps = []
for name in os.listdir(d):
    p = os.path.join(d, name)
    if name.endswith(".partial") or name == "p-20191231-000000":
        continue
    m = json.load(open(os.path.join(p, "lifeboat.json")))
    if m["project"]["name"] != "p":
        continue
    snaps.append((datetime.datetime.strptime(m["created"], "%Y-%m-%dT%H:%M:%SZ"), p))
snaps.sort(reverse=True)
rules = [("last", 2, lambda t, n: n), ("daily", 3, lambda t, n: t.date()),
         ("weekly", 2, lambda t, n: t.isocalendar()[:2]), ("monthly", 4, lambda t, n: (t.year, t.month))]
count = {r[0]: r[1] for r in rules}
lastv = {r[0]: None for r in rules}
remove = []
for n, (t, p) in enumerate(snaps):
    keep = False
    for name, _, f in rules:
        if count[name] > 0 and f(t, n) != lastv[name]:
            keep = True; lastv[name] = f(t, n); count[name] -= 1
    if not keep:
        remove.append(p)
got = [l.strip() for l in open(sys.argv[2]) if l.strip()]
if sorted(remove) != sorted(got):
    sys.exit("dry run lists %d, restic's rules remove %d:\n%s" % (len(got), len(remove),
             "\n".join(sorted(set(remove) ^ set(got)))))
print("dry run matches restic's rules: remove", len(remove), "of", len(snaps))
PY
grep -q "p-20191231-000000" "$TMP/would" && die "the safety copy is listed for removal"
grep -q "other-" "$TMP/would" && die "another project's backup is listed for removal"

# --- the real prune removes exactly that ---
run_cli "$TMP/real" "$TMP/err" prune p --to "$D" "${POLICY[@]}"
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "prune exited $CLI_RC"; }
ls -d "$D"/* | sort >"$TMP/after"
comm -23 "$TMP/before" "$TMP/after" >"$TMP/removed"
diff -u "$TMP/would" "$TMP/removed" || die "the prune removed something else than --dry-run listed"
[ -d "$D/other-20200101-000000" ] || die "another project's backup was removed"
[ -d "$D/p-20200101-000000.partial" ] || die "a .partial folder was removed"
[ -d "$D/p-20191231-000000" ] || die "the safety copy was removed"
ls -d "$D"/*.pruned.partial 2>/dev/null && die "a half-removed folder is left"

# --- the history shows them as pruned, not as errors ---
run_cli "$TMP/hist" "$TMP/err" --json history p
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "history exited $CLI_RC"; }
python3 - "$TMP/hist" "$TMP/removed" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
removed = set(l.strip() for l in open(sys.argv[2]) if l.strip())
pruned = {e["folder"] for e in h if e.get("outcome") == "pruned"}
if pruned != removed:
    sys.exit("history: pruned %d, removed %d" % (len(pruned), len(removed)))
bad = [e for e in h if e.get("outcome") == "failed"]
if bad:
    sys.exit("history shows failures: %r" % bad)
PY
run_cli "$TMP/hist.txt" "$TMP/err" history p
grep -q "pruned" "$TMP/hist.txt" || die "history (text) does not say pruned"

# --- never the newest: the tightest policy keeps it ---
NEWEST=$(ls -d "$D"/p-2026* | sort | tail -n 1)
run_cli "$TMP/out" "$TMP/err" prune p --to "$D" --keep-monthly 1
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "prune --keep-monthly 1 exited $CLI_RC"; }
[ -d "$NEWEST" ] || die "the newest backup was removed"
assert_eq 1 "$(ls -d "$D"/p-2026* | wc -l)" "backups of p left after --keep-monthly 1"

# --- without --to: the destinations the history knows ---
run_cli "$TMP/out" "$TMP/err" prune p --keep-last 1 --dry-run
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "prune without --to exited $CLI_RC"; }
grep -q "$NEWEST" "$TMP/out" || { cat "$TMP/out" >&2; die "prune without --to does not find $D"; }
echo "ok prune"
