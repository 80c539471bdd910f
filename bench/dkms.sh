#!/usr/bin/env bash
# modkit's dkms against DKMS (3.4.3 when MODKIT_DKMS_ORACLE names its script, else Debian 12's
# 3.0.10), side by side, as ratios (bench/compare.py):
#   status       `dkms status` on a tree of 60 entries (20 packages installed and 10 built, for
#                two kernels); both print the same lines.
#   autoinstall  3 packages (v4l2loopback-dkms and acpi-call-dkms from Debian, and the hello
#                test module) for 2 kernels, real kbuild builds, each tool once per kernel as the
#                kernel hook calls it (modkit builds the packages of one kernel concurrently).
#                The built modules of both are compared byte for byte first.
# Both tools get --dkmstree/--sourcetree/--installtree in a scratch directory and the same MOK
# key, and --no-depmod (DKMS would index the host's /lib/modules): the same work on both sides.
# usage: bench/dkms.sh BUILD_DIR [status] [autoinstall]     env: RUNS (default 5; autoinstall 3)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd); shift || true
REF=${MODKIT_DKMS_ORACLE:-/usr/sbin/dkms}
MK=$BUILD/dkms
K1=${MODKIT_DKMS_K1:-6.1.0-50-amd64}
K2=${MODKIT_DKMS_K2:-6.1.0-47-amd64}
CMP="python3 $ROOT/bench/compare.py"
suites=("$@"); [ ${#suites[@]} -gt 0 ] || suites=(status autoinstall)

REFV=$("$REF" --version 2>&1 || true)
case $REFV in
  dkms-3.4.3 | dkms-3.0.10) ;;
  *) echo "bench/dkms: $REF is neither DKMS 3.4.3 nor 3.0.10 (scripts/install-deps.sh, MODKIT_DKMS_ORACLE)"; exit 0 ;;
esac
[ "$REFV" = dkms-3.4.3 ] || echo "bench/dkms: no DKMS 3.4.3 script given (MODKIT_DKMS_ORACLE): comparing with Debian 12's 3.0.10"
[ -x "$MK" ] || { echo "bench/dkms: no $MK (make build)" >&2; exit 1; }
for k in "$K1" "$K2"; do
  [ -f "/usr/src/linux-headers-$k/Makefile" ] || { echo "bench/dkms: no linux-headers-$k (scripts/install-deps.sh)"; exit 0; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modkit-bench-dkms.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
openssl req -new -x509 -nodes -days 36500 -subj "/CN=modkit bench key" -newkey rsa:2048 \
  -keyout "$WORK/mok.key" -outform DER -out "$WORK/mok.pub" >/dev/null 2>&1
# try_sign_modules=true: DKMS 3.4 takes a container (no access to /proc/1/root) for a chroot
# and would not sign.
export mok_signing_key=$WORK/mok.key mok_certificate=$WORK/mok.pub try_sign_modules=true

# A sandbox: S/{dkms,src,lib/<K>/build}.
sandbox() { # DIR
  mkdir -p "$1/dkms" "$1/src"
  local k
  for k in "$K1" "$K2"; do
    mkdir -p "$1/lib/$k"
    ln -sfn "/usr/src/linux-headers-$k" "$1/lib/$k/build"
  done
}
trees() { echo "--dkmstree $1/dkms --sourcetree $1/src --installtree $1/lib"; }

status_suite() {
  local S=$WORK/status i v k
  sandbox "$S"
  # One real kbuild per kernel; a stand-in make copies its result for each package.
  mkdir -p "$WORK/pre"
  cp "$ROOT/tests/compat/dkms-fixtures/hello/hello.c" "$WORK/pre/"
  echo 'obj-m := hello.o' >"$WORK/pre/Makefile"
  for k in "$K1" "$K2"; do
    make -s -C "/usr/src/linux-headers-$k" M="$WORK/pre" modules >/dev/null 2>&1
    mv "$WORK/pre/hello.ko" "$WORK/pre/hello-$k.ko"
  done
  mkdir -p "$WORK/fakebin"
  cat >"$WORK/fakebin/make" <<EOF
#!/bin/sh
k=; for a in "\$@"; do case \$a in KERNELRELEASE=*) k=\${a#KERNELRELEASE=} ;; esac; done
for a in "\$@"; do case \$a in M=*) cp "$WORK/pre/hello-\$k.ko" "\${a#M=}/\$(cat "\${a#M=}/modname").ko" ;; esac; done
EOF
  chmod 755 "$WORK/fakebin/make"
  for i in $(seq -w 1 30); do
    v=$S/src/pkg$i-1.$i
    mkdir -p "$v"
    echo "pkg$i" >"$v/modname" # DKMS wants two visible files in the source
    printf 'PACKAGE_NAME="pkg%s"\nPACKAGE_VERSION="1.%s"\nBUILT_MODULE_NAME[0]="pkg%s"\nDEST_MODULE_LOCATION[0]="/extra"\nAUTOINSTALL="yes"\n' \
      "$i" "$i" "$i" >"$v/dkms.conf"
    local action=install
    [ "$i" -le 20 ] || action=build
    PATH=$WORK/fakebin:$PATH "$MK" $action "pkg$i/1.$i" -k "$K1" -k "$K2" $(trees "$S") >/dev/null
  done
  "$REF" status $(trees "$S") | sort >"$WORK/status.ref"
  "$MK" status $(trees "$S") | sort >"$WORK/status.mk"
  local n
  n=$(wc -l <"$WORK/status.mk")
  if cmp -s "$WORK/status.ref" "$WORK/status.mk"; then echo "status: $n lines, the same from both"
  else echo "status: the outputs differ:"; diff "$WORK/status.ref" "$WORK/status.mk" | head; fi
  $CMP "dkms status, $n entries" "${RUNS:-5}" "$REF status $(trees "$S")" "$MK status $(trees "$S")" \
    --target 0.02 --mem-target 1.0
}

autoinstall_suite() {
  local S=$WORK/auto p d
  sandbox "$S"
  local pkgs
  pkgs=$(bash "$ROOT/scripts/fetch-dkms-packages.sh")
  for p in v4l2loopback-dkms acpi-call-dkms; do
    for d in "$pkgs/$p/usr/src/"*/; do cp -a "$d" "$S/src/"; done
  done
  cp -a "$ROOT/tests/compat/dkms-fixtures/hello" "$S/src/hello-1.0"
  for p in v4l2loopback/0.12.7 acpi-call/1.2.2 hello/1.0; do "$MK" add "$p" $(trees "$S") >/dev/null; done
  cp -a "$S/dkms" "$S/dkms.added"
  cp -a "$S/lib" "$S/lib.clean"
  local reset="rm -rf $S/dkms $S/lib && cp -a $S/dkms.added $S/dkms && cp -a $S/lib.clean $S/lib"
  local ref="exec bash -c 'for k in $K1 $K2; do $REF autoinstall -k \$k --no-depmod $(trees "$S") || exit; done'"
  local mine="exec bash -c 'for k in $K1 $K2; do $MK autoinstall -k \$k --no-depmod $(trees "$S") || exit; done'"
  # Once each, untimed: the modules both built must be the same bytes.
  local side
  for side in ref mine; do
    sh -c "$reset"
    if [ $side = ref ]; then sh -c "$ref" >"$WORK/auto.$side.log" 2>&1; else sh -c "$mine" >"$WORK/auto.$side.log" 2>&1; fi
    (cd "$S/dkms" && find . -path '*/module/*.ko' | LC_ALL=C sort | xargs sha256sum) >"$WORK/auto.$side.sums"
  done
  local n
  n=$(wc -l <"$WORK/auto.mine.sums")
  if [ "$n" = 6 ] && cmp -s "$WORK/auto.ref.sums" "$WORK/auto.mine.sums"; then
    echo "autoinstall: the $n modules built by both are byte-identical"
  else
    echo "autoinstall: the built modules differ ($n from modkit):"
    diff "$WORK/auto.ref.sums" "$WORK/auto.mine.sums" | head
    tail -5 "$WORK/auto.mine.log"
  fi
  $CMP "dkms autoinstall, 3 packages x 2 kernels (real builds)" "${AUTO_RUNS:-3}" "$ref" "$mine" \
    --setup "$reset" --target 0.6 --mem-target 1.0
}

echo "modkit dkms vs DKMS ${REFV#dkms-}, $(nproc) CPUs, median of alternating runs"
for s in "${suites[@]}"; do
  case $s in
  status) status_suite ;;
  autoinstall) autoinstall_suite ;;
  *) echo "unknown dkms suite $s" >&2; exit 2 ;;
  esac
done
