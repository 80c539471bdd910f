# Shared by tests/compat/dkms*.sh. A scenario is a bash function sc_<name> of dkms commands.
# It runs with modkit's dkms and with the oracle, DKMS 3.4.3, each time in a fresh sandbox
# (--dkmstree/--sourcetree/--installtree) mounted at the same path inside a private mount
# namespace, so kbuild output (build ids, hence signatures) can be byte-identical and no tool
# can touch the host's /lib/modules, /var/lib/dkms or /etc/dkms. Each run records every
# command's exit code, stdout and stderr, and at checkpoints the trees, `dkms status` and the
# make.logs; lib/dkms-tree.py normalises and compares them.
#
# The oracle, in this order:
#  - MODKIT_DKMS_ORACLE=/path/to/dkms (a dkms-3.4.3 script made from upstream's dkms.in, see
#    ../shared/reference/dkms-behaviour.md section 0): run live, next to modkit; with
#    MODKIT_DKMS_RECORD=1 its normalised transcripts replace tests/compat/dkms-oracle/<suite>/.
#  - otherwise those recorded transcripts (what CI uses: Debian has no 3.4.3). Each carries a
#    key (the scenario's code, the fixtures, the harness); a transcript whose key no longer
#    matches fails as stale, so a recording can never pass for a scenario it was not made from.
#    Debian's DKMS 3.0.10 (/usr/sbin/dkms) then runs live as well: wherever it left the same
#    module as 3.4.3 did, modkit's module must be byte-identical to 3.0.10's.
# Every suite says which oracle it compared with. Intended differences: docs/compat.md, dkms.

K1=${MODKIT_DKMS_K1:-6.1.0-50-amd64}
K2=${MODKIT_DKMS_K2:-6.1.0-47-amd64}
K3=6.1.0-99-amd64 # made up: K1's headers under another release name (namespace mode only)
ARCH=x86_64
# Run from `make compat`, make's variables would reach the kbuild runs and make.log would say
# "make[1]:" where a user's shell (and the recorded transcripts) say "make:".
unset MAKELEVEL MAKEFLAGS MFLAGS
DKMS_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TREEPY=$DKMS_LIB/dkms-tree.py
# The system interpreter: a pyenv shim first on PATH costs a second or more per call here.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
FIXTURES=$(cd "$DKMS_LIB/../dkms-fixtures" && pwd)

# ---------------------------------------------------------------- main process

# Decides who runs (the oracle, DKMS 3.0.10, modkit), prepares keys, prebuilt modules, the
# fake make and the base sandbox.
dkms_init() {
  [ "$(id -u)" = 0 ] || skip "needs root (private mount namespace; DKMS installs need root)"
  SUITE=$(basename "$SELF" .sh)
  RECORDS=$(cd "$DKMS_LIB/.." && pwd)/dkms-oracle/$SUITE
  MODKIT_DKMS=${MODKIT_DKMS:-$BUILD/dkms}
  [ -e "$MODKIT_DKMS" ] || skip "no $MODKIT_DKMS"
  local v
  ORACLE=${MODKIT_DKMS_ORACLE:-}
  RECORD=${MODKIT_DKMS_RECORD:-}
  if [ -n "$ORACLE" ]; then
    ORACLE=$(readlink -f "$ORACLE")
    v=$("$ORACLE" --version 2>&1 || true)
    [ "$v" = dkms-3.4.3 ] || { echo "FAIL: MODKIT_DKMS_ORACLE=$ORACLE says '$v', not dkms-3.4.3"; exit 1; }
    O34=live
  else
    [ -z "$RECORD" ] || { echo "FAIL: MODKIT_DKMS_RECORD needs MODKIT_DKMS_ORACLE (a DKMS 3.4.3 script)"; exit 1; }
    [ -d "$RECORDS" ] || { echo "FAIL: no DKMS 3.4.3 transcripts in $RECORDS and no MODKIT_DKMS_ORACLE"; exit 1; }
    O34=recorded
  fi
  REF_DKMS=${REF_DKMS:-/usr/sbin/dkms}
  R30=0
  if [ "$O34" = recorded ]; then
    v=$("$REF_DKMS" --version 2>&1 || true)
    if [ "$v" = dkms-3.0.10 ]; then R30=1
    else note "no DKMS 3.0.10 at $REF_DKMS ('$v'): modules are compared by content, not byte for byte"; fi
  fi
  v=$("$MODKIT_DKMS" --version 2>&1 || true)
  REFMODE=0
  [ "$v" = dkms-3.4.3 ] && REFMODE=1
  for k in "$K1" "$K2"; do
    [ -e "/usr/src/linux-headers-$k/include" ] || skip "linux-headers-$k not installed (scripts/install-deps.sh)"
  done
  USE_NS=0
  if [ -z "${MODKIT_DKMS_NO_NS:-}" ] && unshare -m --propagation private true 2>/dev/null; then USE_NS=1; fi
  MNT=${TMPDIR:-/tmp}/modkit-dkms-compat.mnt
  mkdir -p "$MNT"
  DKMS_CACHE=${MODKIT_CACHE:-/var/cache/modkit}/dkms-compat
  mkdir -p "$DKMS_CACHE"
  # One DKMS differential test at a time: they share the cache (keys, prebuilt modules, 3.0.10's
  # records) and the mount point, and run-all.sh may start them together.
  exec 9>"$DKMS_CACHE/.lock"
  flock 9
  BASE=$WORK/base
  mkdir -p "$BASE" "$WORK/out" "$WORK/trees"
  dkms_keys
  dkms_prebuilt
  dkms_fakebin
  dkms_base_tree
  dkms_ref_cache_key
  HARNESS_KEY=$({
    echo "format 1 $K1 $K2 $K3 $ARCH"
    declare -f worker_main tool_args step dk dkx info dks checkpoint index_check expect_mk \
      fixture use_fake_make
    sed -n '/^dkms_fakebin()/,/^}/p; /^dkms_base_tree()/,/^}/p' "$DKMS_LIB/dkms-harness.sh"
  } | sha256sum | cut -c1-16)
  export WORK BASE MNT USE_NS REFMODE KEYS PREBUILT FAKEBIN FIXTURES TREEPY PY K1 K2 K3 ARCH
  export MODKIT_DKMS REF_DKMS ORACLE
  case $O34 in
    live) note "oracle: DKMS 3.4.3 run live ($ORACLE)${RECORD:+; recording its transcripts into ${RECORDS#"$ROOT"/}}" ;;
    recorded) note "oracle: DKMS 3.4.3 transcripts recorded in ${RECORDS#"$ROOT"/} (no MODKIT_DKMS_ORACLE given)$([ "$R30" = 1 ] && echo "; DKMS 3.0.10 run live for module bytes")" ;;
  esac
  if [ "$REFMODE" = 1 ]; then
    note "MODKIT_DKMS is DKMS 3.4.3 itself: validating the harness; modkit-only checks are skipped"
  fi
  [ "$USE_NS" = 1 ] || note "no private mount namespace: scenarios that need one are skipped"
  SCENARIO_FAILS=0
}

# One signing key and certificate for both tools (RSA PKCS#1 v1.5 signatures are
# deterministic, so signed modules can be compared byte for byte). Cached, so that signatures
# are stable from run to run.
dkms_keys() {
  KEYS=$DKMS_CACHE/keys
  [ -s "$KEYS/key.pem" ] && [ -s "$KEYS/cert.der" ] && return 0
  local t
  t=$(mktemp -d "$DKMS_CACHE/.keys.XXXXXX")
  openssl req -new -x509 -nodes -days 36500 -subj "/CN=modkit DKMS compat test key" \
    -newkey rsa:2048 -keyout "$t/key.pem" -addext "extendedKeyUsage=codeSigning" \
    -outform DER -out "$t/cert.der" >/dev/null 2>&1 || { rm -rf "$t"; echo "openssl failed" >&2; exit 1; }
  rm -rf "$KEYS"
  mv "$t" "$KEYS"
}

# Real modules (the hello fixture as versions 0.9, 1.0 and 2.0) built once with kbuild for K1
# (in $PREBUILT) and for K2 (in $PREBUILT/$K2); the fake make copies the ones of the kernel it
# builds for, so most scenarios do not pay for a kbuild run per build, and what they install
# passes modkit's vermagic and CRC check.
dkms_prebuilt() {
  local sum
  sum=$(cat "$FIXTURES/hello/hello.c" "$BASH_SOURCE" | sha256sum | cut -c1-12)
  PREBUILT=$DKMS_CACHE/prebuilt-$K1-$K2-$sum
  [ -s "$PREBUILT/hello-2.0.ko" ] && [ -s "$PREBUILT/$K2/hello-2.0.ko" ] && return 0
  local t v k out
  t=$(mktemp -d "$DKMS_CACHE/.prebuilt.XXXXXX")
  for k in "$K1" "$K2"; do
    mkdir -p "$t/src-$k"
    : >"$t/src-$k/Makefile"
    for v in 0.9 1.0 2.0; do
      sed "s/MODULE_VERSION(\"1.0\")/MODULE_VERSION(\"$v\")/" "$FIXTURES/hello/hello.c" >"$t/src-$k/hello_v${v/./}.c"
      echo "obj-m += hello_v${v/./}.o" >>"$t/src-$k/Makefile"
    done
    if ! make -C "/usr/src/linux-headers-$k" M="$t/src-$k" modules >"$t/build-$k.log" 2>&1; then
      cat "$t/build-$k.log" >&2
      rm -rf "$t"
      echo "could not build the prebuilt test modules for $k" >&2
      exit 1
    fi
    out=$t
    [ "$k" = "$K1" ] || { out=$t/$k; mkdir -p "$out"; }
    for v in 0.9 1.0 2.0; do cp "$t/src-$k/hello_v${v/./}.ko" "$out/hello-$v.ko"; done
  done
  rm -rf "$t"/src-* "$PREBUILT"
  mv "$t" "$PREBUILT"
}

# A stand-in for make, first on PATH in scenarios that call use_fake_make: prints its arguments
# (they land in make.log) and produces modules by copying prebuilt ones. With .fake-outputs in
# the working directory it creates exactly the files listed there (the real-world dkms.conf
# files); otherwise it reads obj-m from the Kbuild/Makefile of M= (or .) and its
# subdirectories, like kbuild, taking MODULE_VERSION from the source. A source with #error
# fails like a compiler would.
dkms_fakebin() {
  FAKEBIN=$BASE/fakebin
  mkdir -p "$FAKEBIN"
  cat >"$FAKEBIN/make" <<'EOF'
#!/bin/bash
echo "fake-make: $*"
for a in "$@"; do [ "$a" = clean ] && exit 0; done
# The kernel it builds for: KERNELRELEASE=, else -C's /lib/modules/K/build or headers dir.
krel= prev=
for a in "$@"; do
  case $prev:$a in
    *:KERNELRELEASE=*) krel=${a#KERNELRELEASE=} ;;
    -C:*/lib/modules/*/build) [ -n "$krel" ] || { krel=${a%/build}; krel=${krel##*/}; } ;;
    -C:*/linux-headers-*) [ -n "$krel" ] || krel=${a##*/linux-headers-} ;;
  esac
  prev=$a
done
[ -n "$krel" ] && [ -d "$FAKE_PREBUILT/$krel" ] && FAKE_PREBUILT=$FAKE_PREBUILT/$krel
if [ -f .fake-outputs ]; then
  while read -r p; do
    [ -n "$p" ] || continue
    case $p in */*) mkdir -p "${p%/*}" ;; esac
    cp "$FAKE_PREBUILT/hello-1.0.ko" "$p" || exit 2
  done <.fake-outputs
  exit 0
fi
dir=$PWD
for a in "$@"; do case $a in M=*) dir=${a#M=} ;; esac; done
build() {
  local d=$1 f line x n v l src
  f=$d/Kbuild
  [ -f "$f" ] || f=$d/Makefile
  [ -f "$f" ] || { echo "fake-make: no Kbuild or Makefile in $d" >&2; exit 2; }
  while read -r line; do
    case $line in obj-m*) ;; *) continue ;; esac
    for x in ${line#*=}; do
      case $x in
        */) build "$d/${x%/}" ;;
        *.o)
          n=${x%.o} v=1.0
          if [ -f "$d/$n.c" ]; then
            while IFS= read -r l; do
              case $l in
                '#error'*) echo "$d/$n.c: error: ${l#\#error }" >&2; exit 2 ;;
                *'MODULE_VERSION("'*) v=${l#*MODULE_VERSION(\"}; v=${v%%\"*} ;;
              esac
            done <"$d/$n.c"
          fi
          src=$FAKE_PREBUILT/hello-$v.ko
          [ -f "$src" ] || src=$FAKE_PREBUILT/hello-1.0.ko
          cp "$src" "$d/$n.ko" || exit 2 ;;
      esac
    done
  done <"$f"
}
build "$dir"
EOF
  chmod 755 "$FAKEBIN/make"
}

# The sandbox every run starts from: an install tree with K1, K2 and K3 (build symlinks to the
# headers, one in-tree module, kmod's indexes, so it looks like an installed kernel), the
# /lib/modules the namespace shows DKMS 3.0.10 (which reads kernel headers and compression
# from there whatever --installtree says), and empty /etc/dkms and /var/lib/dkms.
dkms_base_tree() {
  local k h
  for k in "$K1" "$K2" "$K3"; do
    h=$k
    [ "$k" = "$K3" ] && h=$K1
    mkdir -p "$BASE/root/lib/modules/$k/kernel/drivers/misc" "$BASE/sys/lib-modules/$k"
    ln -s "/usr/src/linux-headers-$h" "$BASE/root/lib/modules/$k/build"
    ln -s "/usr/src/linux-headers-$h" "$BASE/sys/lib-modules/$k/build"
    if [ "$k" = "$K2" ]; then
      cp "$PREBUILT/$K2/hello-1.0.ko" "$BASE/root/lib/modules/$k/kernel/drivers/misc/mk_intree_dummy.ko"
    else
      cp "$PREBUILT/hello-1.0.ko" "$BASE/root/lib/modules/$k/kernel/drivers/misc/mk_intree_dummy.ko"
    fi
    /sbin/depmod -b "$BASE/root" "$k" 2>/dev/null
  done
  mkdir -p "$BASE/sys/etc-dkms" "$BASE/sys/var-lib-dkms" "$BASE/dkms" "$BASE/src" "$BASE/arch"
  : >"$BASE/sys/etc-dkms/framework.conf"
}

# DKMS 3.0.10's records depend only on its script, this harness, the fixtures, the kernel
# headers, the prebuilt modules and the key: they are cached under that key (the sandbox path
# is fixed in namespace mode, so kbuild output is reproducible), and a later run only runs
# modkit. MODKIT_DKMS_REF_CACHE=0 always reruns DKMS 3.0.10.
dkms_ref_cache_key() {
  REF_CACHE=
  [ "$R30" = 1 ] && [ "$USE_NS" = 1 ] && [ "${MODKIT_DKMS_REF_CACHE:-1}" != 0 ] || return 0
  local key
  key=$({
    cat "$REF_DKMS" "$SELF" "$DKMS_LIB/dkms-harness.sh" "$TREEPY" "$KEYS/cert.der"
    echo "$PREBUILT $MNT $K1 $K2 ${PKGS:-}"
    tar -C "$FIXTURES" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - .
    dpkg-query -W -f='${Package} ${Version}\n' "linux-headers-$K1" "linux-headers-$K2" \
      'linux-kbuild-*' 2>/dev/null || true
    if [ -n "${PKGS:-}" ]; then cat "$PKGS"/*/.complete; fi
  } | sha256sum | cut -c1-16)
  REF_CACHE=$DKMS_CACHE/ref-$key
}

# One side of a scenario in its own sandbox. usage: run_side SCENARIO SIDE TOOL IS3010 OUTDIR
run_side() {
  local sc=$1 side=$2 tool=$3 is3010=$4 o=$5 t=$WORK/trees/$1.$2
  if [ "$USE_NS" = 1 ]; then
    unshare -m --propagation private -- bash "$SELF" --worker "$sc" "$side" "$tool" "$is3010" "$o" "$t"
  else
    bash "$SELF" --worker "$sc" "$side" "$tool" "$is3010" "$o" "$t"
    rm -rf "$t"
    mv "$WORK/r" "$t"
  fi
}

# Runs scenario NAME with the oracle (or takes its transcript), DKMS 3.0.10 (unless no-3.0.10:
# scenarios of behaviour 3.0.10 does not have) and modkit, then compares.
# usage: run_scenario NAME [needs-ns] [no-3.0.10]
run_scenario() {
  local sc=$1 o t start=$SECONDS flag needs_ns=0 with30=1
  for flag in "${@:2}"; do
    case $flag in needs-ns) needs_ns=1 ;; no-3.0.10) with30=0 ;; esac
  done
  if [ "$needs_ns" = 1 ] && [ "$USE_NS" != 1 ]; then
    note "skip: $sc (needs a private mount namespace)"
    return 0
  fi
  if [ -n "${MODKIT_DKMS_ONLY:-}" ] && [[ " $MODKIT_DKMS_ONLY " != *" $sc "* ]]; then return 0; fi
  local key took=() out=$WORK/out/$sc
  key=$( { echo "$HARNESS_KEY"; declare -f "sc_$sc"; } | sha256sum | cut -c1-16)
  mkdir -p "$out"
  local json=$out/o34.json extra=()
  if [ "$O34" = live ]; then
    local t0=$SECONDS
    run_side "$sc" o34 "$ORACLE" 0 "$out/o34"
    "$PY" "$TREEPY" record "$out/o34" "$key" "$json"
    extra+=(--o34-run "$out/o34")
    took+=("3.4.3 $((SECONDS - t0)) s")
    if [ -n "$RECORD" ]; then
      mkdir -p "$RECORDS"
      cp "$json" "$RECORDS/$sc.json"
    fi
  else
    json=$RECORDS/$sc.json
    if [ ! -f "$json" ]; then
      echo "FAIL: $sc: no DKMS 3.4.3 transcript ${json#"$ROOT"/}; record it with MODKIT_DKMS_ORACLE=... MODKIT_DKMS_RECORD=1"
      FAILURES=$((FAILURES + 1))
      return 0
    fi
    took+=("3.4.3 recorded")
    if [ "$R30" = 1 ] && [ "$with30" = 1 ]; then
      local t0=$SECONDS
      o=$out/r30
      if [ -n "$REF_CACHE" ] && [ -f "$REF_CACHE/$sc/steps" ]; then
        cp -a "$REF_CACHE/$sc" "$o"
        took+=("3.0.10 cached")
      else
        run_side "$sc" r30 "$REF_DKMS" 1 "$o"
        took+=("3.0.10 $((SECONDS - t0)) s")
        if [ -n "$REF_CACHE" ] && [ -s "$o/steps" ]; then
          mkdir -p "$REF_CACHE"
          rm -rf "$REF_CACHE/.$sc.$$"
          cp -a "$o" "$REF_CACHE/.$sc.$$" && mv -T "$REF_CACHE/.$sc.$$" "$REF_CACHE/$sc"
        fi
      fi
      extra+=(--r30-run "$o")
    fi
  fi
  local t0=$SECONDS
  run_side "$sc" mk "$MODKIT_DKMS" 0 "$out/mk"
  took+=("$([ "$REFMODE" = 1 ] && echo "3.4.3 as modkit" || echo modkit) $((SECONDS - t0)) s")
  local rc=0
  "$PY" "$TREEPY" compare "$sc" "$json" "$out/mk" "$key" "$REFMODE" "${extra[@]}" || rc=$?
  FAILURES=$((FAILURES + rc))
  local times
  times=$(IFS=, && echo "${took[*]/#/ }")
  note "($sc: $((SECONDS - start)) s:$times)"
  if [ -n "${MODKIT_DKMS_KEEP:-}" ]; then
    mkdir -p "$MODKIT_DKMS_KEEP"
    cp -a "$out" "$MODKIT_DKMS_KEEP/" 2>/dev/null || true
  fi
  if [ -n "${AFTER_SCENARIO:-}" ]; then "$AFTER_SCENARIO" "$sc"; fi
  rm -rf "$WORK/trees/$sc".*
}

# ---------------------------------------------------------------- worker (one side, one run)

# usage: <test>.sh --worker SCENARIO SIDE TOOL IS3010 OUTDIR TREEDIR
worker_main() {
  SC=$1 SIDE=$2 TOOL=$3 IS3010=$4 O=$5
  local t=$6
  set -uo pipefail
  mkdir -p "$O" "$t"
  if [ "$USE_NS" = 1 ]; then
    mount --bind "$t" "$MNT" || exit 97
    R=$MNT
  else
    R=$WORK/r
    rm -rf "$R"
    mkdir -p "$R"
  fi
  cp -a "$BASE/." "$R/"
  # Both tools run as $R/bin/dkms, so what they print as $0 (usage) is the same.
  mkdir -p "$R/bin"
  ln -s "$TOOL" "$R/bin/dkms"
  TOOL=$R/bin/dkms
  if [ "$USE_NS" = 1 ]; then
    mount --bind "$R/sys/lib-modules" /lib/modules || exit 97
    if [ -d /var/lib/dkms ]; then mount --bind "$R/sys/var-lib-dkms" /var/lib/dkms || exit 97; fi
    if [ -d /etc/dkms ]; then mount --bind "$R/sys/etc-dkms" /etc/dkms || exit 97; fi
    # A private copy of the signing keys at the same path: a scenario where one of the pair is
    # missing makes DKMS (and modkit) generate a new pair over the other one, which must never
    # reach the shared cache (every later signature would fail).
    mkdir -p "$WORK/keys.$SC.$SIDE"
    cp -a "$KEYS/." "$WORK/keys.$SC.$SIDE/"
    mount --bind "$WORK/keys.$SC.$SIDE" "$KEYS" || exit 97
  fi
  # try_sign_modules=true: DKMS 3.4 takes a private mount namespace for a chroot and would
  # not sign at all (modkit does not guess; docs/compat.md).
  export mok_signing_key=$KEYS/key.pem mok_certificate=$KEYS/cert.der try_sign_modules=true
  export DKMS_HOOK_LOG=$R/hooks.log FAKE_PREBUILT=$PREBUILT
  N=0 LAST_STEP=${EPOCHREALTIME/./}
  : >"$O/steps"
  echo "$R" >"$O/R"
  "sc_$SC"
}

# The trees and, for DKMS 3.0.10, --no-depmod (it would run depmod on the host's /lib/modules).
tool_args() {
  TARGS=(--dkmstree "$R/dkms" --sourcetree "$R/src" --installtree "$R/root/lib/modules")
  if [ "$IS3010" = 1 ]; then TARGS+=(--no-depmod); fi
}

step() { # KIND RC LABEL   (times: milliseconds since the previous step, for profiling)
  printf '%s\t%s\t%s\t%s\n' "$N" "$1" "$2" "${3//$R/@R@}" >>"$O/steps"
  local now=${EPOCHREALTIME/./}
  printf '%s\t%s\t%s\n' "$N" "$(((now - LAST_STEP) / 1000))" "${3//$R/@R@}" >>"$O/times"
  LAST_STEP=$now
}

# A dkms command; its exit code is compared. LAST_RC/LAST_OUT are for expect_mk.
dk() {
  N=$((N + 1))
  tool_args
  local rc=0
  "$TOOL" "$@" "${TARGS[@]}" </dev/null >"$O/$N.out" 2>"$O/$N.err" || rc=$?
  LAST_RC=$rc LAST_OUT=$O/$N
  step "${DK_KIND:-cmd}" "$rc" "${*:-(no action)}"
}

# A dkms command where modkit differs from 3.0.10 on purpose: both exit codes are shown, not
# compared; expect_mk states what modkit must do.
dkx() {
  DK_KIND=cmdx dk "$@"
}

# Shows what a command prints on each side (never fails): facts worth seeing in the log.
info() { # LABEL COMMAND...
  N=$((N + 1))
  local label=$1 rc=0
  shift
  "$@" >"$O/$N.raw" 2>&1 || rc=$?
  local text
  text=$(<"$O/$N.raw")
  printf '%s\n' "${text//$R/@R@}" >"$O/$N.out"
  step info "$rc" "$label"
}

# A `dkms status ...`; exit code and (mapped) stdout are compared.
dks() {
  N=$((N + 1))
  tool_args
  local rc=0
  "$TOOL" status "$@" "${TARGS[@]}" </dev/null >"$O/$N.out" 2>"$O/$N.err" || rc=$?
  step status "$rc" "status $*"
}

# Records the trees, the hook log, make.log contents and (unless --no-status) `dkms status`.
checkpoint() {
  local with_status=1
  if [ "$1" = --no-status ]; then with_status=0; shift; fi
  N=$((N + 1))
  "$PY" "$TREEPY" checkpoint "$R" "$O/$N"
  if [ "$with_status" = 1 ]; then
    tool_args
    local rc=0
    "$TOOL" status "${TARGS[@]}" </dev/null >"$O/$N.status" 2>"$O/$N.status.err" || rc=$?
    echo "$rc" >"$O/$N.status.rc"
  fi
  step cp 0 "$1"
}

# modkit's indexes for kernel K next to kmod's `depmod -b` over the same install tree. DKMS
# 3.0.10 runs with --no-depmod, so on its side kmod's output stands in for its own.
index_check() { # LABEL K
  N=$((N + 1))
  local d=$O/$N.idx k=$2 f
  mkdir -p "$d/mine" "$d/kmod"
  cp -a "$R/root" "$d/copy"
  for f in "$d/copy/lib/modules/$k"/modules.*; do
    case ${f##*/} in modules.order | modules.builtin | modules.builtin.modinfo) ;; *) rm -f "$f" ;; esac
  done
  /sbin/depmod -b "$d/copy" "$k" 2>"$d/kmod.err"
  for f in "$d/copy/lib/modules/$k"/modules.*; do
    case ${f##*/} in modules.order | modules.builtin | modules.builtin.modinfo) ;; *) mv "$f" "$d/kmod/" ;; esac
  done
  if [ "$IS3010" = 1 ]; then
    cp "$d/kmod/"* "$d/mine/"
    : >"$d/simulated"
  else
    for f in "$R/root/lib/modules/$k"/modules.*; do
      case ${f##*/} in modules.order | modules.builtin | modules.builtin.modinfo) ;; *) cp "$f" "$d/mine/" ;; esac
    done
  fi
  rm -rf "$d/copy"
  step idx 0 "$1"
}

# A check of modkit's own behaviour (DKMS 3.4.3 semantics) that 3.0.10 does not share: the
# command runs on both sides, only modkit's result counts (skipped when validating the harness).
expect_mk() { # LABEL COMMAND...
  N=$((N + 1))
  local label=$1 rc=0
  shift
  "$@" >"$O/$N.out" 2>&1 || rc=$?
  step expect "$rc" "$label"
}

# modkit's `status --json` (docs/json.md): valid against its schema, and the same lines as
# `status` once turned back into text, with each FLAG named. Run on both sides; only modkit's
# result counts.
status_json_agrees() { # [FLAG...]
  local view=$DKMS_LIB/json_view.py schema=$DKMS_LIB/../../../docs/json/dkms-status.schema.json
  local trees=(--dkmstree "$R/dkms" --sourcetree "$R/src" --installtree "$R/root/lib/modules")
  "$TOOL" status --json "${trees[@]}" 2>/dev/null >"$O/json" || return 1
  python3 "$view" validate "$schema" <"$O/json" || return 1
  "$TOOL" status "${trees[@]}" 2>/dev/null >"$O/text"
  python3 "$view" dkms-status-text <"$O/json" | diff "$O/text" - && [ -s "$O/text" ] || return 1
  local flag
  for flag in "$@"; do grep -q "\"$flag\"" "$O/json" || { echo "no $flag in the JSON"; return 1; }; done
}

# Copies fixture DIR to the source tree as NAME-VERSION. The fixtures a run used are listed
# (lib/dkms-tree.py keeps their hashes with a recorded transcript).
fixture() { # DIR NAME-VERSION
  cp -a "$FIXTURES/$1" "$R/src/$2"
  echo "$1" >>"$O/fixtures"
}

use_fake_make() {
  export PATH=$FAKEBIN:$PATH
}
