#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# lifeboat-cli against the real test engine: projects (text and --json) list the project's
# containers with their state and volumes with their size; usage errors exit 2; an
# unreachable engine exits 1 with one sentence on stderr; hosts lists the engine.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

begin_test
P=$(test_project basics)
stack_up current "$P"
# One container stopped: its state must show as such.
dk stop cvat_worker_import >/dev/null

# --- projects, text ---
run_cli "$TMP/out" "$TMP/err" projects
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "projects exited $CLI_RC"; }
for want in "$P" cvat_server cvat_db cvat_clickhouse cvat_worker_import running; do
  grep -q -- "$want" "$TMP/out" || { cat "$TMP/out" >&2; die "projects output does not mention $want"; }
done
grep -Eqi 'exited|stopped' "$TMP/out" || { cat "$TMP/out" >&2; die "projects output shows no stopped container"; }
grep -q cvat_data "$TMP/out" || { cat "$TMP/out" >&2; die "projects output does not list volume cvat_data"; }

# --- projects, JSON ---
run_cli "$TMP/out.json" "$TMP/err" --json projects
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "--json projects exited $CLI_RC"; }
P=$P python3 - "$TMP/out.json" <<'PY'
import json, os, sys
P = os.environ["P"]
doc = json.load(open(sys.argv[1]))

def dicts(x):
    if isinstance(x, dict):
        yield x
        for v in x.values():
            yield from dicts(v)
    elif isinstance(x, list):
        for v in x:
            yield from dicts(v)

def strings(x):
    if isinstance(x, dict):
        for v in x.values():
            yield from strings(v)
    elif isinstance(x, list):
        for v in x:
            yield from strings(v)
    elif isinstance(x, str):
        yield x

projects = [d for d in dicts(doc) if d.get("name") == P or d.get("project") == P]
if not projects:
    sys.exit("--json projects: no object with name %r" % P)
proj = projects[0]
# Containers: an object naming cvat_server whose values say running; cvat_worker_import not.
def state_of(name):
    for d in dicts(proj):
        if name in [v for v in d.values() if isinstance(v, str)]:
            vals = " ".join(str(v).lower() for v in d.values() if not isinstance(v, (dict, list)))
            return vals
    sys.exit("--json projects: container %s not listed" % name)
for name in ("cvat_db", "cvat_server", "cvat_clickhouse", "cvat_redis_inmem", "cvat_redis_ondisk"):
    s = state_of(name)
    if "running" not in s and "true" not in s:
        sys.exit("--json projects: %s is not shown running: %s" % (name, s))
s = state_of("cvat_worker_import")
if "running" in s.replace("running_before", ""):
    sys.exit("--json projects: stopped cvat_worker_import shown running: %s" % s)
# Volumes: the data volume has its size (>= the 4 MiB video the fixture wrote).
vol = [d for d in dicts(proj) if (P + "_cvat_data") in [v for v in d.values() if isinstance(v, str)]]
if not vol:
    sys.exit("--json projects: volume %s_cvat_data not listed" % P)
sizes = [v for k, v in vol[0].items() if ("size" in k or "bytes" in k) and isinstance(v, int)]
if not sizes or max(sizes) < 4 * 1024 * 1024:
    sys.exit("--json projects: volume cvat_data size missing or too small: %r" % vol[0])
for key in ("cvat_db", "cvat_keys", "cvat_logs", "cvat_events_db", "cvat_inmem_db", "cvat_cache_db"):
    if P + "_" + key not in set(strings(proj)):
        sys.exit("--json projects: volume %s_%s not listed" % (P, key))
PY

# --- usage errors exit 2 ---
for args in "frobnicate" "backup" "restore" "--no-such-option projects" "backup $P"; do
  CLI_RC=0
  # shellcheck disable=SC2086
  timeout 60 "$LIFEBOAT_CLI" --host "$LIFEBOAT_TEST_DOCKER_HOST" $args >"$TMP/out" 2>"$TMP/err" </dev/null || CLI_RC=$?
  assert_eq 2 "$CLI_RC" "exit status of usage error 'lifeboat-cli $args'"
  [ -s "$TMP/err" ] || die "usage error '$args' printed nothing on stderr"
done

# --- unreachable engine: exit 1, one sentence on stderr ---
CLI_RC=0
timeout 60 "$LIFEBOAT_CLI" --host unix:///nonexistent.sock projects >"$TMP/out" 2>"$TMP/err" </dev/null || CLI_RC=$?
assert_eq 1 "$CLI_RC" "exit status with an unreachable engine"
lines=$(grep -c . "$TMP/err" || true)
assert_eq 1 "$lines" "stderr lines with an unreachable engine ($(cat "$TMP/err"))"
grep -q nonexistent.sock "$TMP/err" || die "the error does not name the socket: $(cat "$TMP/err")"
[ ! -s "$TMP/out" ] || die "unreachable engine: something on stdout: $(cat "$TMP/out")"

# --- hosts: finds the engine named by DOCKER_HOST ---
CLI_RC=0
DOCKER_HOST=$LIFEBOAT_TEST_DOCKER_HOST timeout 60 "$LIFEBOAT_CLI" hosts >"$TMP/out" 2>"$TMP/err" </dev/null || CLI_RC=$?
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "hosts exited $CLI_RC"; }
grep -qF "${LIFEBOAT_TEST_DOCKER_HOST#unix://}" "$TMP/out" || { cat "$TMP/out" >&2; die "hosts does not list DOCKER_HOST"; }
CLI_RC=0
DOCKER_HOST=$LIFEBOAT_TEST_DOCKER_HOST timeout 60 "$LIFEBOAT_CLI" --json hosts >"$TMP/out" 2>"$TMP/err" </dev/null || CLI_RC=$?
[ "$CLI_RC" = 0 ] || { cat "$TMP/err" >&2; die "--json hosts exited $CLI_RC"; }
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/out" || die "--json hosts is not JSON"
grep -qF "${LIFEBOAT_TEST_DOCKER_HOST#unix://}" "$TMP/out" || die "--json hosts does not list DOCKER_HOST"

# DOCKER_HOST is used without --host.
CLI_RC=0
DOCKER_HOST=$LIFEBOAT_TEST_DOCKER_HOST timeout 60 "$LIFEBOAT_CLI" projects >"$TMP/out" 2>"$TMP/err" </dev/null || CLI_RC=$?
[ "$CLI_RC" = 0 ] && grep -q "$P" "$TMP/out" || die "projects through DOCKER_HOST failed ($CLI_RC): $(cat "$TMP/err")"

# Saved engines: add, listed by name, usable as --host NAME, removed; removing twice fails.
"$LIFEBOAT_CLI" hosts add testengine "$LIFEBOAT_TEST_DOCKER_HOST" >/dev/null || die "hosts add failed"
"$LIFEBOAT_CLI" --json hosts >"$TMP/out" 2>/dev/null || die "hosts after add failed"
python3 -c 'import json,sys; h=[x for x in json.load(open(sys.argv[1])) if x["name"]=="testengine"]; sys.exit(0 if h and h[0]["kind"]=="saved" and h[0]["reachable"] else 1)' "$TMP/out" \
  || die "the saved engine is not listed as reachable: $(cat "$TMP/out")"
"$LIFEBOAT_CLI" --host testengine projects | grep -q "$P" || die "--host NAME of a saved engine does not work"
"$LIFEBOAT_CLI" hosts remove testengine >/dev/null || die "hosts remove failed"
CLI_RC=0
"$LIFEBOAT_CLI" hosts remove testengine >/dev/null 2>"$TMP/err" || CLI_RC=$?
[ "$CLI_RC" = 1 ] || die "removing an unknown saved engine exited $CLI_RC, not 1"
CLI_RC=0
"$LIFEBOAT_CLI" hosts frobnicate >/dev/null 2>&1 || CLI_RC=$?
[ "$CLI_RC" = 2 ] || die "an unknown hosts command exited $CLI_RC, not 2"

echo "cli-basics: ok"
