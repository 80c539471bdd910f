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
# The reference index writer: a test oracle, never used at runtime (see tests/oracle).
IDXWRITE=$ROOT/tests/oracle/idxwrite.py
IDXDUMP=$ROOT/tests/oracle/idxdump.py

skip() { echo "SKIP: $*"; exit 125; }
note() { echo "  $*"; }

# Debian's kmod is a debug build: libkmod prefixes its messages with "file:line function() ".
# Remove that so stderr can be compared; messages libkmod logs before a tool sets up its own
# logging ("libkmod: ERROR ../libkmod/x.c:N fn: msg") become kmod 34's non-debug form
# ("libkmod: ERROR: fn: msg"), which modkit prints.
# libkmod's own INFO lines about its context (with pointer values) are dropped too: modkit has
# no libkmod context to report (docs/compat.md).
normalise_stderr() {
  sed -E -e 's#\.\./libkmod/[a-z-]+\.c:[0-9]+ [a-z_0-9]+\(\) ##' \
         -e 's#(libkmod: [A-Z]+) \.\./libkmod/[a-z-]+\.c:[0-9]+ ([a-z_0-9]+): #\1: \2: #' \
         -e '/: INFO: (custom logging function 0x[0-9a-f]+ registered|context 0x[0-9a-f]+ released|ctx 0x[0-9a-f]+ created)$/d'
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

# depmod's generated files (inputs like modules.order and modules.builtin are not listed).
DEPMOD_TEXT="modules.dep modules.alias modules.softdep modules.symbols modules.devname"
DEPMOD_BIN="modules.dep.bin modules.alias.bin modules.symbols.bin modules.builtin.bin modules.builtin.alias.bin"

# Moves depmod's outputs from module dir $1 into $2 (a fresh directory).
take_outputs() {
  mkdir -p "$2"
  for f in $DEPMOD_TEXT $DEPMOD_BIN modules.weakdep modules.modkit.cache; do
    [ -e "$1/$f" ] && mv "$1/$f" "$2/"
  done
  return 0
}

# Compares kmod's outputs (dir $1) with modkit's (dir $2): text files byte for byte, and
# modkit's .bin files with the reference writer's pre-order layout built from kmod's text
# files (module dir $3 supplies modules.builtin*).
compare_outputs() { # LABEL KMOD_OUT MODKIT_OUT MODULE_DIR
  local label=$1 k=$2 m=$3 md=$4 bad=""
  for f in $DEPMOD_TEXT; do
    cmp -s "$k/$f" "$m/$f" || bad+=" $f"
  done
  local ref=$WORK/ref.$$; rm -rf "$ref"; mkdir -p "$ref"
  cp "$k"/modules.dep "$k"/modules.alias "$k"/modules.symbols "$ref/"
  for f in modules.builtin modules.builtin.modinfo; do
    if [ -e "$md/$f" ]; then cp "$md/$f" "$ref/"; else : >"$ref/$f"; fi
  done
  mkdir -p "$ref/out"
  python3 "$IDXWRITE" "$ref" "$ref/out" pre
  for f in $DEPMOD_BIN; do
    if [ -s "$k/$f" ]; then
      # Same content as kmod's own index, and the exact bytes of the pre-order layout.
      cmp -s <(python3 "$IDXDUMP" "$k/$f") <(python3 "$IDXDUMP" "$m/$f") || bad+=" $f(content)"
      if [ "$f" != modules.builtin.alias.bin ] || [ -z "${ODD_BUILTIN_MODINFO:-}" ]; then
        cmp -s "$ref/out/$f" "$m/$f" || bad+=" $f(bytes)"
      fi
    else cmp -s "$k/$f" "$m/$f" || bad+=" $f(empty)"; fi
  done
  if [ -n "$bad" ]; then
    echo "FAIL: $label: differs:$bad"
    for f in $DEPMOD_TEXT; do diff "$k/$f" "$m/$f" 2>/dev/null | head -5 | sed 's/^/    /' || true; done
    FAILURES=$((FAILURES + 1))
  else
    note "ok: $label (outputs identical)"
  fi
}

# Runs kmod's depmod and then modkit's on the same tree (same readdir order), comparing
# stdout/stderr/exit and every output. Extra arguments go to both.
# usage: depmod_pair LABEL ROOT KVER [ARGS...]
depmod_pair() {
  local label=$1 root=$2 kver=$3; shift 3
  local md=$root/lib/modules/$kver d=$WORK/pair; rm -rf "$d"; mkdir -p "$d"
  local krc=0 mrc=0
  (exec -a depmod /sbin/depmod -b "$root" "$@" "$kver") >"$d/k.out" 2>"$d/k.err" || krc=$?
  take_outputs "$md" "$d/k"
  (exec -a depmod "$MODKIT" -b "$root" --no-cache "$@" "$kver") >"$d/m.out" 2>"$d/m.err" || mrc=$?
  take_outputs "$md" "$d/m"
  # kmod 33+ writes modules.weakdep (and -n prints it); kmod 30 does not (docs/compat.md).
  sed -i '/^# Weak dependencies extracted from modules themselves\.$/d; /^weakdep /d' "$d/m.out"
  normalise_stderr <"$d/k.err" >"$d/k.errn"
  # modkit names a broken module file and its problem on one extra line before kmod's
  # "failed to load symbols from FILE" line (docs/compat.md); kmod's "%m" after an invalid
  # Module.symvers version shows a stale errno, modkit the real reason.
  normalise_stderr <"$d/m.err" | awk '
      { lines[NR] = $0 }
      /^depmod: ERROR: failed to load symbols from / {
          f = $0; sub(/^depmod: ERROR: failed to load symbols from /, "", f); sub(/: [^:]*$/, "", f); failed[f] = 1 }
      END { for (i = 1; i <= NR; i++) {
              l = lines[i]; drop = 0
              for (f in failed) if (index(l, "depmod: ERROR: " f ": ") == 1) drop = 1
              if (!drop) print l } }' >"$d/m.errn"
  sed -i -E 's#(Invalid symbol version [^:]*): .*#\1#' "$d/k.errn" "$d/m.errn"
  local bad=""
  cmp -s "$d/k.out" "$d/m.out" || bad+=" stdout"
  cmp -s "$d/k.errn" "$d/m.errn" || bad+=" stderr"
  [ "$krc" = "$mrc" ] || bad+=" exit($krc vs $mrc)"
  if [ -n "$bad" ]; then
    echo "FAIL: $label:$bad"
    diff "$d/k.out" "$d/m.out" | head -6 | sed 's/^/    /' || true
    diff "$d/k.errn" "$d/m.errn" | head -6 | sed 's/^/    /' || true
    FAILURES=$((FAILURES + 1))
  fi
  if [ "$krc" = 0 ] && [ -e "$d/k/modules.dep" ]; then compare_outputs "$label" "$d/k" "$d/m" "$md"
  elif [ -z "$bad" ]; then
    if [ -n "$(ls "$d/m" 2>/dev/null)" ]; then echo "FAIL: $label: modkit wrote files after failing"; FAILURES=$((FAILURES + 1))
    else note "ok: $label (same output and messages, nothing written)"; fi
  fi
}
