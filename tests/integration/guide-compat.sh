#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Compatibility with CVAT's backup guide, both ways, both layouts:
#  1. a Lifeboat backup restored with the guide's own commands (ubuntu image, GNU tar,
#     tar -xvf --strip 4 / --strip 3) gives identical trees;
#  2. archives made with the guide's own backup commands (tar -czvf /backup/KEY.tar.gz
#     /mount/path) are verified by lifeboat-cli verify (the window's Verify runs the same
#     engine function) and restored by lifeboat-cli restore to identical trees.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

begin_test
UBUNTU=${LIFEBOAT_TEST_UBUNTU_IMAGE:-ubuntu:latest}

# key|container the guide uses|mount path  (the guide's table, plus the volumes it leaves out)
volumes_of () {
  case $1 in
    current) cat <<'EOF'
cvat_db|cvat_db|/var/lib/postgresql/data
cvat_data|cvat_server|/home/django/data
cvat_keys|cvat_server|/home/django/keys
cvat_logs|cvat_server|/home/django/logs
cvat_events_db|cvat_clickhouse|/var/lib/clickhouse
cvat_inmem_db|cvat_redis_inmem|/data
EOF
    ;;
    seed) cat <<'EOF'
cvat_db|cvat_db|/var/lib/postgresql/data
cvat_data|cvat_server|/home/django/data
cvat_keys|cvat_server|/home/django/keys
cvat_logs|cvat_server|/home/django/logs
cvat_events|cvat_elasticsearch|/usr/share/elasticsearch/data
EOF
    ;;
  esac
}

stop_all () {
  local ids
  ids=$(dk ps -q --filter "label=com.docker.compose.project=$1")
  # shellcheck disable=SC2086
  [ -z "$ids" ] || dk stop $ids >/dev/null
}

lifeboat_to_guide () {
  local layout=$1 P dest key ctr path strip
  P=$(test_project "g1$layout")
  log "guide-compat: Lifeboat backup -> guide restore ($layout)"
  stack_up "$layout" "$P"
  fingerprint_all "$P" "$TMP/l2g-$layout.before" --no-root
  dest=$TMP/l2g-$layout
  mkdir -p "$dest"
  cli_backup "$P" "$dest"

  # The guide: "docker compose stop", then one docker run per volume, from the backup folder.
  stop_all "$P"
  # shellcheck disable=SC2046
  empty_volumes $(volumes_of "$layout" | cut -d'|' -f1 | sed "s/^/${P}_/")
  while IFS='|' read -r key ctr path; do
    strip=$(($(tr -cd / <<<"$path" | wc -c)))
    (cd "$BACKUP" && dk run --rm --name temp_backup --volumes-from "$ctr" -v "$(pwd):/backup" "$UBUNTU" \
       bash -c "cd $path && tar -xvf /backup/$key.tar.gz --strip $strip" >/dev/null) \
      || die "the guide's restore of $key.tar.gz (--strip $strip) failed"
  done < <(volumes_of "$layout")
  fingerprint_all "$P" "$TMP/l2g-$layout.after" --no-root
  local keys
  keys=$(volumes_of "$layout" | cut -d'|' -f1)
  # shellcheck disable=SC2086
  assert_same_fingerprints "$TMP/l2g-$layout.before" "$TMP/l2g-$layout.after" \
    "the guide's restore of a Lifeboat backup ($layout)" $keys
  "$LIFEBOAT_HARNESS_DIR/remove-cvat-stack" "$P"
}

guide_to_lifeboat () {
  local layout=$1 P dir key ctr path
  P=$(test_project "g2$layout")
  log "guide-compat: guide backup -> Lifeboat restore ($layout)"
  stack_up "$layout" "$P"
  fingerprint_all "$P" "$TMP/g2l-$layout.before"
  dir=$TMP/g2l-$layout/backup
  mkdir -p "$dir"
  stop_all "$P"
  while IFS='|' read -r key ctr path; do
    (cd "$dir/.." && dk run --rm --name temp_backup --volumes-from "$ctr" -v "$(pwd)/backup:/backup" "$UBUNTU" \
       tar -czvf "/backup/$key.tar.gz" "$path" >/dev/null 2>&1) \
      || die "the guide's backup of $key failed"
  done < <(volumes_of "$layout")
  # shellcheck disable=SC2046
  dk start $(dk ps -aq --filter "label=com.docker.compose.project=$P") >/dev/null
  tar -tzf "$dir/cvat_db.tar.gz" | grep -x 'var/lib/postgresql/data/PG_VERSION' >/dev/null || die "test bug: unexpected guide archive layout"

  # verify accepts the guide's folder (no lifeboat.json): every archive read to its end, as the
  # window's Verify does; a damaged copy of one archive fails and is named
  cli_ok "$TMP/verify.out" "$TMP/verify.err" verify "$dir"
  grep -q "no lifeboat.json" "$TMP/verify.out" || { cat "$TMP/verify.out" >&2; die "verify of the guide's folder does not say it has no manifest"; }
  [ "$(grep -c '^ok ' "$TMP/verify.out")" = "$(volumes_of "$layout" | wc -l)" ] \
    || { cat "$TMP/verify.out" >&2; die "verify of the guide's folder did not check every archive"; }
  mkdir -p "$TMP/g2l-$layout/damaged"
  cp "$dir"/*.tar.gz "$TMP/g2l-$layout/damaged/"
  truncate -s -100 "$TMP/g2l-$layout/damaged/cvat_keys.tar.gz"
  run_cli "$TMP/verify.out" "$TMP/verify.err" verify "$TMP/g2l-$layout/damaged"
  assert_eq 1 "$CLI_RC" "verify of a guide folder with a truncated archive: exit status"
  grep -q "cvat_keys.tar.gz" "$TMP/verify.out" || { cat "$TMP/verify.out" "$TMP/verify.err" >&2; die "verify does not name the truncated archive"; }

  local keys
  keys=$(volumes_of "$layout" | cut -d'|' -f1)
  # shellcheck disable=SC2086
  mutate_volumes "$P" $keys
  cli_ok "$TMP/restore.out" "$TMP/restore.err" restore "$dir" --project "$P" --yes
  fingerprint_all "$P" "$TMP/g2l-$layout.after"
  # shellcheck disable=SC2086
  assert_same_fingerprints "$TMP/g2l-$layout.before" "$TMP/g2l-$layout.after" \
    "Lifeboat's restore of the guide's archives ($layout)" $keys
  # The volume the guide's archives do not hold is left as it was.
  if [ "$layout" = current ]; then
    assert_same_fingerprints "$TMP/g2l-$layout.before" "$TMP/g2l-$layout.after" "a volume not in the backup changed" cvat_cache_db
  fi
  "$LIFEBOAT_HARNESS_DIR/remove-cvat-stack" "$P"
}

lifeboat_to_guide current
lifeboat_to_guide seed
guide_to_lifeboat current
guide_to_lifeboat seed
echo "guide-compat: ok"
