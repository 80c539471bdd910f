# Shared prelude for the differential tests: where the binaries and the real Debian tree are,
# a scratch directory, and helpers that run kmod and modkit on the same input and compare
# stdout, stderr and exit code. Sourced by every tests/compat/<feature>.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$(cd "${BUILD:-$ROOT/build}" && pwd)
MODKIT=$BUILD/modkit
[ -x "$MODKIT" ] || { echo "modkit binary not found in $BUILD" >&2; exit 1; }

CACHE=$(bash "$ROOT/scripts/fetch-tree.sh")
KVER=$(basename "$(readlink -f "$CACHE")")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modkit-compat.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILURES=0

skip() { echo "SKIP: $*"; exit 125; }
note() { echo "  $*"; }

# Debian's kmod is a debug build: libkmod prefixes its messages with "file:line function() ".
# Remove that so stderr can be compared.
normalise_stderr() {
  sed -E -e 's#\.\./libkmod/[a-z-]+\.c:[0-9]+ [a-z_0-9]+\(\) ##' \
         -e 's#(libkmod: [A-Z]+) \.\./libkmod/[a-z-]+\.c:[0-9]+ ([a-z_0-9]+): #\1 \2: #'
}

# A copy of one variant of the tree (plain, gz, xz, zst) under $WORK, hard-linked so it is
# cheap; `index` runs kmod's depmod on it so name and alias lookups have kmod's own indexes.
tree_copy() { # variant dest [index]
  local variant=$1 dest=$2
  mkdir -p "$dest"
  cp -al "$CACHE/$variant/lib" "$dest/"
  if [ "${3:-}" = index ]; then /sbin/depmod -b "$dest" "$KVER"; fi
}

# Runs the kmod tool and modkit's tool of the same name with identical arguments and the same
# argv[0]; compares stdout byte for byte, normalised stderr, and the exit code.
# usage: compare LABEL TOOL ARGS...   (set STDIN_FILE to feed stdin)
compare() {
  local label=$1 tool=$2; shift 2
  local d=$WORK/cmp; mkdir -p "$d"
  local krc=0 mrc=0
  (exec -a "$tool" "/sbin/$tool" "$@") >"$d/k.out" 2>"$d/k.err" || krc=$?
  (exec -a "$tool" "$MODKIT" "$@") >"$d/m.out" 2>"$d/m.err" || mrc=$?
  normalise_stderr <"$d/k.err" >"$d/k.errn"
  normalise_stderr <"$d/m.err" >"$d/m.errn"
  local bad=""
  cmp -s "$d/k.out" "$d/m.out" || bad+=" stdout"
  cmp -s "$d/k.errn" "$d/m.errn" || bad+=" stderr"
  [ "$krc" = "$mrc" ] || bad+=" exit($krc vs $mrc)"
  if [ -n "$bad" ]; then
    echo "FAIL: $label:$bad"
    diff <(head -c 200000 "$d/k.out") <(head -c 200000 "$d/m.out") | head -20 | sed 's/^/    /' || true
    diff "$d/k.errn" "$d/m.errn" | head -10 | sed 's/^/    /' || true
    FAILURES=$((FAILURES + 1))
  else
    note "ok: $label ($(wc -c <"$d/k.out") bytes)"
  fi
}

# Like compare, but feeds the arguments from a file (NUL-separated) in chunks, so huge
# argument lists do not hit ARG_MAX. Both tools see exactly the same chunks.
compare_many() { # LABEL TOOL LISTFILE FIXED_ARGS...
  local label=$1 tool=$2 list=$3; shift 3
  local d=$WORK/cmpmany; mkdir -p "$d"
  local krc=0 mrc=0
  xargs -0 -n 1500 bash -c 'exec -a "$0" "/sbin/$0" "$@"' "$tool" "$@" <"$list" >"$d/k.out" 2>"$d/k.err" || krc=$?
  xargs -0 -n 1500 bash -c 'exec -a "$0" "$1" "${@:2}"' "$tool" "$MODKIT" "$@" <"$list" >"$d/m.out" 2>"$d/m.err" || mrc=$?
  normalise_stderr <"$d/k.err" >"$d/k.errn"
  normalise_stderr <"$d/m.err" >"$d/m.errn"
  local bad=""
  cmp -s "$d/k.out" "$d/m.out" || bad+=" stdout"
  cmp -s "$d/k.errn" "$d/m.errn" || bad+=" stderr"
  [ "$krc" = "$mrc" ] || bad+=" exit($krc vs $mrc)"
  if [ -n "$bad" ]; then
    echo "FAIL: $label:$bad"
    diff <(head -c 400000 "$d/k.out") <(head -c 400000 "$d/m.out") | head -20 | sed 's/^/    /' || true
    diff "$d/k.errn" "$d/m.errn" | head -10 | sed 's/^/    /' || true
    FAILURES=$((FAILURES + 1))
  else
    note "ok: $label ($(tr -cd '\0' <"$list" | wc -c) args, $(wc -c <"$d/k.out") bytes)"
  fi
}

# Asserts a modkit invocation's exit code and exact stderr (stdout may be checked by caller).
expect() { # LABEL EXPECTED_RC EXPECTED_STDERR_FILE TOOL ARGS...
  local label=$1 want_rc=$2 want_err=$3 tool=$4; shift 4
  local d=$WORK/expect; mkdir -p "$d"
  local rc=0
  (exec -a "$tool" "$MODKIT" "$@") >"$d/out" 2>"$d/err" || rc=$?
  if [ "$rc" != "$want_rc" ] || ! cmp -s "$want_err" "$d/err"; then
    echo "FAIL: $label: exit $rc (want $want_rc)"
    diff "$want_err" "$d/err" | head -10 | sed 's/^/    /' || true
    FAILURES=$((FAILURES + 1))
  else
    note "ok: $label"
  fi
}

finish() {
  if [ "$FAILURES" -ne 0 ]; then
    echo "$FAILURES comparison(s) failed"
    exit 1
  fi
}
