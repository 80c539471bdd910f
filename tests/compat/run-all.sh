#!/usr/bin/env bash
# Runs every differential test (tests/compat/*.sh except this and common.sh) against kmod and
# DKMS, COMPAT_JOBS at a time (default: the number of CPUs), each one's output printed whole,
# in name order, as soon as it and the ones before it are done.
# usage: run-all.sh BUILD_DIR [name...]   Exit 125 from a test means "skipped, with a reason".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export BUILD=$(cd "${1:-build}" && pwd); shift || true
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
  for t in "$here"/*.sh; do
    case $(basename "$t") in common.sh|run-all.sh) ;; *) tests+=("$(basename "$t" .sh)") ;; esac
  done
fi
jobs=${COMPAT_JOBS:-$(nproc)}
out=$(mktemp -d "${TMPDIR:-/tmp}/modkit-compat-all.XXXXXX")
trap 'rm -rf "$out"' EXIT

run_one() { # NAME: output to $out/NAME.log, status to $out/NAME.rc
  local start=$SECONDS rc=0
  bash "$here/$1.sh" >"$out/$1.log" 2>&1 || rc=$?
  echo "   ($((SECONDS - start)) s)" >>"$out/$1.log"
  echo "$rc" >"$out/$1.rc"
}

failed=() skipped=() shown=0
show_finished() { # prints the finished tests that are next in order
  while [ "$shown" -lt ${#tests[@]} ] && [ -f "$out/${tests[$shown]}.rc" ]; do
    local t=${tests[$shown]} rc
    rc=$(<"$out/$t.rc")
    echo "== compat/$t"
    cat "$out/$t.log"
    case $rc in 0) ;; 125) skipped+=("$t") ;; *) failed+=("$t") ;; esac
    shown=$((shown + 1))
  done
}

running=0
for t in "${tests[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
    show_finished
  fi
  run_one "$t" &
  running=$((running + 1))
done
wait
show_finished
[ ${#skipped[@]} -eq 0 ] || echo "skipped: ${skipped[*]}"
if [ ${#failed[@]} -ne 0 ]; then echo "FAILED: ${failed[*]}"; exit 1; fi
echo "all compat tests passed"
