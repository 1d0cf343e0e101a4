#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Restores that must fail leave the volumes exactly as they were:
#  - a truncated archive (with the manifest's checksum stale, and with it patched so that the
#    extraction itself hits the truncation);
#  - hostile archives: "../" entries, absolute paths, a symlink leading out and a file written
#    through it, a device node;
#  - a checksum mismatch against the manifest (also: verify exits 1);
#  - a different CVAT version: refused quoting the guide's warning, accepted with --ignore-version.
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

echo "restore-failures: ok"
