# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
#
# Common functions for the harness and the integration tests.
# Source it:  . "$(dirname "$0")/../harness/lib.sh"
#
# Functions:
#   die MSG...                 print "error: MSG" to stderr, exit 1
#   log MSG...                 print a progress line to stderr
#   skip_or_fail REASON        exit 77 (skip) with REASON, or 1 when LIFEBOAT_REQUIRE_ENGINE=1
#   load_env                   source $LIFEBOAT_TEST_ENV (or $LIFEBOAT_TEST_WORK/env.sh); skip if absent
#   make_tmpdir [VAR]          a new temp dir in $VAR (or printed), removed at exit
#   on_exit CMD                run CMD (a string) at exit, last registered first
#   wait_until SECONDS CMD...  run CMD every 0.2 s until it succeeds, at most SECONDS; 1 on timeout
#   dk ARGS...                 the test engine's docker client (from env.sh)
#   cli ARGS...                lifeboat-cli --host <test engine> ARGS...
#   run_cli OUT ERR ARGS...    like cli, stdout/stderr to files, sets CLI_RC, never fails
#   assert_eq WANT GOT MSG     fail with a diff-style message unless equal
#   assert_file_mode MODE PATH

LIFEBOAT_HARNESS_DIR=${LIFEBOAT_HARNESS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}

die () {
  echo "error: $*" >&2
  exit 1
}

log () {
  echo "[$(date +%H:%M:%S)] $*" >&2
}

skip_or_fail () {
  if [ "${LIFEBOAT_REQUIRE_ENGINE:-0}" = 1 ]; then
    echo "FAIL (LIFEBOAT_REQUIRE_ENGINE=1, may not skip): $*" >&2
    exit 1
  fi
  echo "SKIP: $*" >&2
  exit 77
}

_lifeboat_exit_cmds=()

_lifeboat_run_exit () {
  local rc=$? i d
  for ((i = ${#_lifeboat_exit_cmds[@]} - 1; i >= 0; i--)); do
    eval "${_lifeboat_exit_cmds[i]}" || true
  done
  if [ -f "${_lifeboat_tmp_list:-}" ]; then
    while IFS= read -r d; do
      case $d in */lifeboat-test.*) rm -rf "$d" ;; esac
    done <"$_lifeboat_tmp_list"
    rm -f "$_lifeboat_tmp_list"
  fi
  return $rc
}
trap _lifeboat_run_exit EXIT
# A test killed by meson's timeout or ctrl-c still cleans up (bash runs no EXIT trap on a signal).
trap 'exit 143' TERM
trap 'exit 130' INT

on_exit () {
  _lifeboat_exit_cmds+=("$1")
}

# make_tmpdir [VAR]: a new temp dir, removed when the script exits; in $VAR, or printed when
# called as $(make_tmpdir) (the subshell records it in a list the main shell's exit reads:
# $$ is the main shell's pid in subshells too).
_lifeboat_tmp_list=${TMPDIR:-/tmp}/lifeboat-tmplist.$$
make_tmpdir () {
  local d
  d=$(mktemp -d "${TMPDIR:-/tmp}/lifeboat-test.XXXXXX")
  printf '%s\n' "$d" >>"$_lifeboat_tmp_list"
  if [ $# -ge 1 ]; then
    printf -v "$1" %s "$d"
  else
    echo "$d"
  fi
}

wait_until () {
  local limit=$1; shift
  local deadline=$((SECONDS + limit))
  while ! "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      return 1
    fi
    sleep 0.2
  done
}

load_env () {
  local f=${LIFEBOAT_TEST_ENV:-}
  if [ -z "$f" ] && [ -n "${LIFEBOAT_TEST_WORK:-}" ]; then
    f=$LIFEBOAT_TEST_WORK/env.sh
  fi
  if [ -z "$f" ] || [ ! -r "$f" ]; then
    skip_or_fail "no test engine: LIFEBOAT_TEST_ENV/LIFEBOAT_TEST_WORK unset (start one with tests/harness/engine-up or use tests/run)"
  fi
  # shellcheck disable=SC1090
  . "$f"
  [ -n "${LIFEBOAT_TEST_DOCKER_HOST:-}" ] || skip_or_fail "env.sh $f sets no LIFEBOAT_TEST_DOCKER_HOST"
  if ! dk version >/dev/null 2>&1; then
    skip_or_fail "test engine at $LIFEBOAT_TEST_DOCKER_HOST does not answer"
  fi
}

# For the harness's own tools: load env.sh or die (tools do not skip).
harness_load_env () {
  if [ -z "${LIFEBOAT_TEST_DOCKER_HOST:-}" ]; then
    local f=${LIFEBOAT_TEST_ENV:-${LIFEBOAT_TEST_WORK:+$LIFEBOAT_TEST_WORK/env.sh}}
    [ -n "$f" ] && [ -r "$f" ] || die "no test engine: set LIFEBOAT_TEST_ENV to the env.sh engine-up wrote"
    # shellcheck disable=SC1090
    . "$f"
  fi
}

dk () {
  # shellcheck disable=SC2086
  DOCKER_HOST=$LIFEBOAT_TEST_DOCKER_HOST ${LIFEBOAT_TEST_DOCKER:-/usr/bin/docker} "$@"
}

require_cli () {
  if [ -z "${LIFEBOAT_CLI:-}" ] || [ ! -x "$LIFEBOAT_CLI" ]; then
    if [ -n "${LIFEBOAT_BUILD_DIR:-}" ] && [ -x "$LIFEBOAT_BUILD_DIR/src/cli/lifeboat-cli" ]; then
      LIFEBOAT_CLI=$LIFEBOAT_BUILD_DIR/src/cli/lifeboat-cli
    else
      die "lifeboat-cli not built (LIFEBOAT_CLI=${LIFEBOAT_CLI:-unset})"
    fi
  fi
}

cli () {
  "$LIFEBOAT_CLI" --host "$LIFEBOAT_TEST_DOCKER_HOST" "$@"
}

# run_cli OUTFILE ERRFILE ARGS...: never fails; exit status in CLI_RC.
# Bounded by timeout (LIFEBOAT_CLI_TIMEOUT, default 300 s).
run_cli () {
  local out=$1 err=$2; shift 2
  CLI_RC=0
  timeout --kill-after=10 "${LIFEBOAT_CLI_TIMEOUT:-300}" \
    "$LIFEBOAT_CLI" --host "$LIFEBOAT_TEST_DOCKER_HOST" "$@" >"$out" 2>"$err" </dev/null || CLI_RC=$?
}

assert_eq () {
  local want=$1 got=$2 msg=${3:-values differ}
  if [ "$want" != "$got" ]; then
    echo "ASSERTION FAILED: $msg" >&2
    echo "  wanted: $want" >&2
    echo "  got:    $got" >&2
    exit 1
  fi
}

assert_file_mode () {
  local want=$1 path=$2 got
  got=$(stat -c %a "$path")
  assert_eq "$want" "$got" "mode of $path"
}

# assert_same_file A B MSG: two fingerprint files equal, else print a diff and fail.
assert_same_fingerprint () {
  local a=$1 b=$2 msg=${3:-fingerprints differ}
  if ! cmp -s "$a" "$b"; then
    echo "ASSERTION FAILED: $msg" >&2
    diff -u "$a" "$b" | head -60 >&2 || true
    exit 1
  fi
}

# A test's own project name: short, unique per run.
test_project () {
  echo "lbt$1$$" | tr -cd 'a-z0-9'
}

# ---- for integration tests -------------------------------------------------------------------

# begin_test: engine (or skip), CLI, clean engine, private XDG dirs, $TMP.
begin_test () {
  load_env
  require_cli
  "$LIFEBOAT_HARNESS_DIR/remove-cvat-stack" --all
  make_tmpdir TMP
  export XDG_DATA_HOME=$TMP/xdg-data XDG_CONFIG_HOME=$TMP/xdg-config XDG_STATE_HOME=$TMP/xdg-state
  export XDG_CACHE_HOME=$TMP/xdg-cache
  mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME"
  unset DOCKER_HOST DOCKER_CONTEXT
}

# stack_up [make-cvat-stack options] LAYOUT PROJECT: make a stack, removed at exit.
stack_up () {
  local project=${*: -1}
  on_exit "'$LIFEBOAT_HARNESS_DIR/remove-cvat-stack' '$project' >/dev/null 2>&1"
  "$LIFEBOAT_HARNESS_DIR/make-cvat-stack" "$@"
}

# volume_keys PROJECT: the compose keys of the project's volumes, sorted.
volume_keys () {
  dk volume ls -q --filter "label=com.docker.compose.project=$1" \
    | while read -r v; do dk volume inspect -f '{{index .Labels "com.docker.compose.volume"}}' "$v"; done \
    | sort
}

# fingerprint_all PROJECT DIR [--no-root]: DIR/<key>.fp for every volume of PROJECT.
fingerprint_all () {
  local project=$1 dir=$2 opt=${3:-} k specs=()
  mkdir -p "$dir"
  for k in $(volume_keys "$project"); do
    specs+=("$k=${project}_$k")
  done
  [ ${#specs[@]} -gt 0 ] || die "project $project has no volumes"
  # shellcheck disable=SC2086
  "$LIFEBOAT_HARNESS_DIR/fingerprint" $opt --to "$dir" "${specs[@]}"
}

# assert_same_fingerprints DIR_A DIR_B MSG [KEY...]: every (or the given) volume equal.
assert_same_fingerprints () {
  local a=$1 b=$2 msg=$3 k; shift 3
  local keys=("$@")
  if [ ${#keys[@]} -eq 0 ]; then
    for k in "$a"/*.fp; do keys+=("$(basename "$k" .fp)"); done
  fi
  for k in "${keys[@]}"; do
    [ -s "$a/$k.fp" ] || die "no fingerprint $a/$k.fp"
    assert_same_fingerprint "$a/$k.fp" "$b/$k.fp" "$msg: volume $k"
  done
}

# running_state NAME: "true" or "false".
running_state () {
  dk container inspect -f '{{.State.Running}}' "$1"
}

# containers_state PROJECT: "name=running" lines, sorted.
containers_state () {
  dk ps -a --filter "label=com.docker.compose.project=$1" --format '{{.Names}}={{.State}}' | sort
}

# mutate_volumes PROJECT KEY...: change, delete and add files in the volumes (not the root).
mutate_volumes () {
  local project=$1 k args=(); shift
  for k in "$@"; do args+=(-v "${project}_$k:/m/$k"); done
  dk run --rm --network none --user 0:0 "${args[@]}" "${LIFEBOAT_TEST_BUSYBOX_IMAGE}" sh -c '
    set -e
    for d in /m/*; do
      first=$(find "$d" -mindepth 1 -type f | sort | head -n 1)
      [ -n "$first" ] && echo changed >> "$first"
      last=$(find "$d" -mindepth 1 -type f | sort | tail -n 1)
      [ -n "$last" ] && [ "$last" != "$first" ] && rm -f "$last"
      mkdir -p "$d/stale-dir/sub"
      echo stale > "$d/stale-dir/sub/stale-file"
      echo stale > "$d/stale-file"
      ln -s stale-file "$d/stale-link"
      chmod 0711 "$d" 2>/dev/null || true
    done'
}

# empty_volumes VOLUME...: remove the volumes' contents (not their roots), as on a new server.
empty_volumes () {
  local v args=()
  for v in "$@"; do args+=(-v "$v:/e/$v"); done
  dk run --rm --network none --user 0:0 "${args[@]}" "$LIFEBOAT_TEST_BUSYBOX_IMAGE" \
    sh -c 'find /e -mindepth 2 -maxdepth 2 -exec rm -rf {} +'
}

# sha256 of a file, lowercase hex.
sha256_of () {
  sha256sum "$1" | cut -d' ' -f1
}

# cli_backup PROJECT DEST [ARGS...]: run a backup that must succeed; sets BACKUP to the
# folder (the last line of stdout).
cli_backup () {
  local project=$1 dest=$2; shift 2
  run_cli "$TMP/backup.out" "$TMP/backup.err" backup "$project" --to "$dest" "$@"
  if [ "$CLI_RC" != 0 ]; then
    cat "$TMP/backup.err" >&2
    die "backup $project --to $dest $* exited $CLI_RC"
  fi
  BACKUP=$(tail -n 1 "$TMP/backup.out")
  [ -d "$BACKUP" ] || die "backup's last line is not a folder: '$BACKUP'"
}

# cli_ok OUTFILE ERRFILE ARGS...: run the CLI, must exit 0.
cli_ok () {
  run_cli "$@"
  if [ "$CLI_RC" != 0 ]; then
    cat "$2" >&2
    shift 2
    die "lifeboat-cli $* exited $CLI_RC"
  fi
}

# with_secret_watch SECRET_FILE SEEN_FILE CMD...: runs CMD (a program or a shell function)
# while a sampler looks for the secret in SECRET_FILE (a restic password) on every process's
# command line and in every environment (/proc/*/cmdline, /proc/*/environ), every 50 ms, at
# most 600 times, until CMD is done; the /proc files it was seen in are listed in SEEN_FILE,
# which stays empty when it was never seen. Returns CMD's status (with set -e a failing CMD
# ends the script where it stands, as it would without the watch; the sampler is stopped then
# too).
with_secret_watch () {
  local secret=$1 seen=$2 sampler rc; shift 2
  rm -f "$seen.stop"
  : >"$seen"
  ( for _ in $(seq 1 600); do
      grep -laF -f "$secret" /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null >>"$seen" || true
      [ -e "$seen.stop" ] && break
      sleep 0.05
    done ) &
  sampler=$!
  on_exit "touch '$seen.stop'; kill $sampler 2>/dev/null || true"
  "$@"
  rc=$?
  touch "$seen.stop"
  wait "$sampler" || true
  return "$rc"
}
