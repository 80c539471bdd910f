#!/usr/bin/env bash
# Runs every differential test (tests/compat/*.sh except this and common.sh) against kmod.
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
failed=() skipped=()
for t in "${tests[@]}"; do
  echo "== compat/$t"
  start=$SECONDS
  bash "$here/$t.sh"; rc=$?
  echo "   ($((SECONDS - start)) s)"
  case $rc in 0) ;; 125) skipped+=("$t") ;; *) failed+=("$t") ;; esac
done
[ ${#skipped[@]} -eq 0 ] || echo "skipped: ${skipped[*]}"
if [ ${#failed[@]} -ne 0 ]; then echo "FAILED: ${failed[*]}"; exit 1; fi
echo "all compat tests passed"
