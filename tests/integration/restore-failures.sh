#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Restores that must fail leave the volumes exactly as they were:
#  - a truncated archive (with the manifest's checksum stale, and with it patched so that the
#    extraction itself hits the truncation);
#  - hostile archives: "../" entries, absolute paths, a symlink leading out and a file written
#    through it, a device node;
#  - a checksum mismatch against the manifest (also: verify exits 1);
#  - a different CVAT version: refused quoting the guide's warning, accepted with --ignore-version;
#  - only where it may: --project naming no project, a manifest naming another project's volume,
#    an archive whose layout is not its manifest's, an archive without entries over data (unless
#    --allow-empty), an archive changed in place between its check and its writing.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

begin_test
P=$(test_project fail)
stack_up current "$P"
dest=$TMP/backups
mkdir -p "$dest"
fingerprint_all "$P" "$TMP/orig"
cli_backup "$P" "$dest"
GOOD=$BACKUP
cli_ok "$TMP/out" "$TMP/err" verify "$GOOD"

# The state every failed restore must leave: the volumes changed a little after the backup
# (so that a restore that wrongly went through would be seen), containers running.
mutate_volumes "$P" cvat_db cvat_data cvat_keys
fingerprint_all "$P" "$TMP/now"
containers_state "$P" >"$TMP/state.now"

# variant NAME: a copy of the good backup to damage.
variant () {
  local d
  d=$TMP/variants/$1/$(basename "$GOOD")
  mkdir -p "$(dirname "$d")"
  cp -a "$GOOD" "$d"
  echo "$d"
}

# must_fail WHAT ARGS...: restore exits 1 with one sentence, nothing changed, containers as before.
must_fail () {
  local what=$1; shift
  run_cli "$TMP/fail.out" "$TMP/fail.err" restore "$@"
  if [ "$CLI_RC" != 1 ]; then
    cat "$TMP/fail.err" >&2
    die "$what: restore exited $CLI_RC, wanted 1"
  fi
  [ -s "$TMP/fail.err" ] || die "$what: restore failed without a word on stderr"
  fingerprint_all "$P" "$TMP/after-fail"
  assert_same_fingerprints "$TMP/now" "$TMP/after-fail" "$what: a failed restore changed a volume"
  containers_state "$P" >"$TMP/state.after-fail"
  assert_eq "$(cat "$TMP/state.now")" "$(cat "$TMP/state.after-fail")" "$what: container states after a failed restore"
  log "restore-failures: $what refused ($(tail -n 1 "$TMP/fail.err"))"
}

# --- truncated archive, manifest checksum stale ---
B=$(variant truncated)
size=$(stat -c %s "$B/cvat_data.tar.gz")
truncate -s $((size / 2)) "$B/cvat_data.tar.gz"
must_fail "truncated cvat_data.tar.gz" "$B" --yes

# --- truncated archive, manifest patched: the extraction itself must hit the end, and the
# volumes already emptied or half-written must be put back ---
B=$(variant truncated-patched)
size=$(stat -c %s "$B/cvat_data.tar.gz")
truncate -s $((size / 2)) "$B/cvat_data.tar.gz"
"$LIFEBOAT_HARNESS_DIR/manifest-tool" patch "$B" cvat_data.tar.gz >/dev/null
must_fail "truncated cvat_data.tar.gz (manifest matching it)" "$B" --yes

# --- corrupted archive: one byte changed, same length ---
B=$(variant corrupted)
size=$(stat -c %s "$B/cvat_keys.tar.gz")
# XOR, not a fixed byte: the byte there may already have had that value (the keys are random)
orig=$(od -An -tu1 -j $((size / 2)) -N1 "$B/cvat_keys.tar.gz" | tr -d ' ')
printf "\\$(printf '%03o' $((orig ^ 0x5a)))" | dd of="$B/cvat_keys.tar.gz" bs=1 seek=$((size / 2)) conv=notrunc status=none
cmp -s "$GOOD/cvat_keys.tar.gz" "$B/cvat_keys.tar.gz" && die "test bug: the corrupted archive is unchanged"
run_cli "$TMP/out" "$TMP/err" verify "$B"
assert_eq 1 "$CLI_RC" "verify of a corrupted archive: exit status"
grep -q cvat_keys "$TMP/err" "$TMP/out" || die "verify does not name the corrupted archive: $(cat "$TMP/err")"
must_fail "one byte changed in cvat_keys.tar.gz" "$B" --yes

# --- checksum mismatch alone: a valid archive with the same entries, compressed anew, so that
# only the manifest's SHA-256 can tell ---
B=$(variant checksum)
gzip -dc "$GOOD/cvat_logs.tar.gz" | gzip -1 -n >"$B/cvat_logs.tar.gz"
cmp -s "$GOOD/cvat_logs.tar.gz" "$B/cvat_logs.tar.gz" && die "test bug: recompressed archive is identical"
run_cli "$TMP/out" "$TMP/err" verify "$B"
assert_eq 1 "$CLI_RC" "verify of an archive whose SHA-256 differs from the manifest: exit status"
must_fail "SHA-256 mismatch of cvat_logs.tar.gz" "$B" --yes
grep -Eqi 'sha-?256|checksum' "$TMP/fail.err" || die "the refusal does not say the checksum differs: $(cat "$TMP/fail.err")"

# --- hostile archives, each alone in cvat_db.tar.gz with a matching manifest ---
host_marker=lifeboat-hostile-$$
hostile () {
  local name=$1 kind=$2 B
  B=$(variant "hostile-$name")
  python3 - "$B/cvat_db.tar.gz" "$kind" "$host_marker" <<'PY'
import io, sys, tarfile, time
out, kind, marker = sys.argv[1], sys.argv[2], sys.argv[3]
base = "var/lib/postgresql/data/"
def add(t, name, data=b"pwned\n", type_=tarfile.REGTYPE, linkname="", mode=0o600):
    ti = tarfile.TarInfo(name)
    ti.type, ti.linkname, ti.mode, ti.mtime = type_, linkname, mode, int(time.time())
    ti.uid = ti.gid = 70
    if type_ == tarfile.REGTYPE:
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    else:
        t.addfile(ti)
with tarfile.open(out, "w:gz", format=tarfile.GNU_FORMAT) as t:
    add(t, base, type_=tarfile.DIRTYPE, mode=0o700)
    add(t, base + "PG_VERSION", b"15\n")
    if kind == "dotdot":
        add(t, base + "../../../../../../etc/" + marker)
        add(t, "../../etc/" + marker + "-2")
    elif kind == "absolute":
        add(t, "/etc/" + marker)
        add(t, "/" + base + marker)
    elif kind == "symlink":
        add(t, base + "escape", type_=tarfile.SYMTYPE, linkname="../../../../../../etc")
        add(t, base + "escape/" + marker)
    elif kind == "symlink-abs":
        add(t, base + "escape", type_=tarfile.SYMTYPE, linkname="/etc")
        add(t, base + "escape/" + marker)
    elif kind == "hardlink":
        add(t, base + "passwd-link", type_=tarfile.LNKTYPE, linkname="etc/passwd")
    elif kind == "hardlink-symlink":
        add(t, base + "escape", type_=tarfile.SYMTYPE, linkname="../../../../../../etc")
        add(t, base + "passwd-link", type_=tarfile.LNKTYPE, linkname=base + "escape/passwd")
    elif kind == "hardlink-dotdot":
        add(t, base + "passwd-link", type_=tarfile.LNKTYPE, linkname=base + "../../../../etc/passwd")
    elif kind == "device":
        ti = tarfile.TarInfo(base + "evil-device")
        ti.type, ti.devmajor, ti.devminor, ti.mode = tarfile.CHRTYPE, 1, 1, 0o666
        t.addfile(ti)
    add(t, base + "after-the-bad-entry", b"must not be written\n")
PY
  chmod 0600 "$B/cvat_db.tar.gz"
  "$LIFEBOAT_HARNESS_DIR/manifest-tool" patch "$B" cvat_db.tar.gz >/dev/null
  must_fail "hostile archive ($name)" "$B" --yes --volumes cvat_db
  for p in "/etc/$host_marker" "/etc/$host_marker-2" "/$host_marker"; do
    [ ! -e "$p" ] || die "hostile archive ($name) wrote $p on the host"
  done
}
hostile dotdot dotdot
hostile absolute absolute
hostile symlink-out symlink
hostile symlink-absolute symlink-abs
hostile hardlink-out hardlink
hostile hardlink-through-symlink hardlink-symlink
hostile hardlink-dotdot hardlink-dotdot
hostile device device
# Nothing landed in the engine's own files either.
if find "$LIFEBOAT_TEST_WORK" -name "$host_marker*" 2>/dev/null | grep -q .; then
  die "a hostile entry was written below the engine's data root: $(find "$LIFEBOAT_TEST_WORK" -name "$host_marker*")"
fi

# --- only where it may: a project that does not exist, another project's volume ---
run_cli "$TMP/out" "$TMP/err" restore "$GOOD" --yes --project "${P}nosuch"
assert_eq 1 "$CLI_RC" "restore into a project that does not exist: exit status"
grep -q 'no compose project' "$TMP/err" || die "restore into a missing project: $(cat "$TMP/err")"
assert_eq "" "$(dk volume ls -q --filter "label=com.docker.compose.project=${P}nosuch")" \
  "restore into a missing project created volumes"

edit_manifest () {   # edit_manifest FOLDER ARCHIVE FIELD=VALUE...
  python3 - "$@" <<'PY'
import json, sys
folder, archive = sys.argv[1], sys.argv[2]
path = folder + "/lifeboat.json"
m = json.load(open(path))
def walk(x):
    if isinstance(x, dict):
        if x.get("archive") == archive:
            for kv in sys.argv[3:]:
                k, v = kv.split("=", 1)
                x[k] = v
            return True
        return any(walk(v) for v in x.values())
    if isinstance(x, list):
        return any(walk(v) for v in x)
    return False
assert walk(m), "no entry for " + archive
json.dump(m, open(path, "w"))
PY
}
foreign=${P}other_vol
dk volume create --label "com.docker.compose.project=${P}other" --label com.docker.compose.volume=vol "$foreign" >/dev/null
on_exit "dk volume rm -f '$foreign' >/dev/null 2>&1"
dk run --rm --network none -v "$foreign:/v" "$LIFEBOAT_TEST_BUSYBOX_IMAGE" sh -c 'echo theirs > /v/file'
B=$(variant foreign)
edit_manifest "$B" cvat_keys.tar.gz key=stolen "name=$foreign"
must_fail "a manifest pointing at another project's volume" "$B" --yes
grep -q "belongs to project" "$TMP/fail.err" || die "foreign volume: $(cat "$TMP/fail.err")"
assert_eq theirs "$(dk run --rm --network none -v "$foreign:/v" "$LIFEBOAT_TEST_BUSYBOX_IMAGE" cat /v/file)" \
  "the other project's volume was changed"

# --- an archive whose layout is not the one its manifest declares ---
B=$(variant layout)
edit_manifest "$B" cvat_keys.tar.gz archive_root=home/django/data
must_fail "an archive whose layout differs from its manifest" "$B" --yes --volumes cvat_keys
grep -q "layout" "$TMP/fail.err" || die "layout: $(cat "$TMP/fail.err")"

# --- an archive without entries does not empty a volume that holds data ---
B=$(variant empty)
python3 - "$B/cvat_keys.tar.gz" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    ti = tarfile.TarInfo("home/django/keys")
    ti.type, ti.mode = tarfile.DIRTYPE, 0o700
    t.addfile(ti)
PY
chmod 0600 "$B/cvat_keys.tar.gz"
"$LIFEBOAT_HARNESS_DIR/manifest-tool" patch "$B" cvat_keys.tar.gz >/dev/null
must_fail "an archive without entries over a volume with data" "$B" --yes --volumes cvat_keys
grep -q "allow-empty" "$TMP/fail.err" || die "empty archive: $(cat "$TMP/fail.err")"
EMPTY=$B

# --- an archive changed between its check and its writing ---
B=$(variant swapped)
rm -f "$TMP/pause"
LIFEBOAT_TEST_PAUSE_AT=stopping LIFEBOAT_TEST_PAUSE_FILE=$TMP/pause \
  "$LIFEBOAT_CLI" --host "$LIFEBOAT_TEST_DOCKER_HOST" restore "$B" --yes >"$TMP/swap.out" \
  2>"$TMP/swap.err" </dev/null &
job=$!
wait_until 120 test -s "$TMP/pause" || { kill -9 "$job"; cat "$TMP/swap.err" >&2; die "the swap test's restore did not reach its stop"; }
# another well-formed archive renamed over the checked one: what would be written is not what
# was checked
python3 - "$B/cvat_keys.tar.gz.new" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    data = b"SECRET_KEY = 'swapped after the check'\n"
    ti = tarfile.TarInfo("home/django/keys/secret_key.py")
    ti.size = len(data)
    t.addfile(ti, io.BytesIO(data))
PY
mv "$B/cvat_keys.tar.gz.new" "$B/cvat_keys.tar.gz"
rm -f "$TMP/pause"
rc=0; wait "$job" || rc=$?
assert_eq 1 "$rc" "an archive changed after the check: exit status"
grep -q "changed after it was checked" "$TMP/swap.err" || die "swapped archive: $(cat "$TMP/swap.err")"
fingerprint_all "$P" "$TMP/after-fail"
assert_same_fingerprints "$TMP/now" "$TMP/after-fail" "an archive changed after the check: a volume changed"
containers_state "$P" >"$TMP/state.after-fail"
assert_eq "$(cat "$TMP/state.now")" "$(cat "$TMP/state.after-fail")" "an archive changed after the check: container states"

# --- a different CVAT version ---
"$LIFEBOAT_HARNESS_DIR/remove-cvat-stack" --containers-only "$P"
"$LIFEBOAT_HARNESS_DIR/make-cvat-stack" --cvat-version v2.23.0 current "$P"
containers_state "$P" >"$TMP/state.now"
run_cli "$TMP/out" "$TMP/err" restore "$GOOD" --yes
assert_eq 1 "$CLI_RC" "restore into another CVAT version: exit status"
grep -qi 'same CVAT version' "$TMP/err" || die "the refusal does not quote the guide's warning: $(cat "$TMP/err")"
grep -q 'v2.22.0' "$TMP/err" && grep -q 'v2.23.0' "$TMP/err" || die "the refusal does not name both versions: $(cat "$TMP/err")"
fingerprint_all "$P" "$TMP/after-fail"
assert_same_fingerprints "$TMP/now" "$TMP/after-fail" "refused version: a volume changed"

cli_ok "$TMP/out" "$TMP/err" restore "$GOOD" --yes --ignore-version
fingerprint_all "$P" "$TMP/restored"
assert_same_fingerprints "$TMP/orig" "$TMP/restored" "restore with --ignore-version"
containers_state "$P" >"$TMP/state.restored"
assert_eq "$(cat "$TMP/state.now")" "$(cat "$TMP/state.restored")" "container states after restore"

# --- explicitly asked, an empty archive empties the volume ---
cli_ok "$TMP/out" "$TMP/err" restore "$EMPTY" --yes --volumes cvat_keys --allow-empty --ignore-version
assert_eq "" "$(dk run --rm --network none -v "${P}_cvat_keys:/v" "$LIFEBOAT_TEST_BUSYBOX_IMAGE" ls -A /v)" \
  "--allow-empty: the volume is empty"

echo "restore-failures: ok"
