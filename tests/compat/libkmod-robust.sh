#!/usr/bin/env bash
# libkmod.so.2 under hostile use: every function with NULL arguments, empty names, names with
# '/', a 1 MB name, wrong kinds of list entries (tests/libkmod/kmod_robust.c) answers as kmod's
# libkmod does (Debian 12's on the host, 34.2's in a trixie root); and the library is clean
# under valgrind (no error, no leak when the caller unrefs as documented) and under
# AddressSanitizer/LeakSanitizer (the sanitized build's static test programs, if built by
# `make asan`), for kmod_robust and for kmod_diff over names, aliases, info, state and probes.
source "$(dirname "$0")/common.sh"
source "$ROOT/tests/libkmod/fake-system.sh"

ROBUST=$BUILD/libkmod_robust DIFFPROG=$BUILD/libkmod_diff
[ -x "$ROBUST" ] && [ -x "$DIFFPROG" ] || skip "libkmod test programs not built"
P=$WORK/root; tree_copy plain "$P" index
MD=$P/lib/modules/$KVER
make_fake_system "$WORK/fake" quiet

compare_runs() { # LABEL K_OUT M_OUT
  if cmp -s "$2" "$3"; then note "ok: $1 ($(wc -l <"$2") lines)"
  else echo "FAIL: $1"; diff "$2" "$3" | head -20 | sed 's/^/    /' || true; FAILURES=$((FAILURES + 1)); fi
}

echo "-- the same answers as kmod's libkmod"
# Nothing here may reach the kernel; if it did, it could not load anything.
in_fake_system "$WORK/fake" env -u LD_LIBRARY_PATH capsh --drop=cap_sys_module -- -c '"$0" "$@"' \
  "$ROBUST" "$MD" --v30 >"$WORK/k30" 2>&1 || true
in_fake_system "$WORK/fake" env LD_LIBRARY_PATH="$BUILD" capsh --drop=cap_sys_module -- -c '"$0" "$@"' \
  "$ROBUST" "$MD" --v30 >"$WORK/m30" 2>&1 || true
# kmod 30 and modkit (kmod 34.2's behaviour) differ where kmod 31+ changed (docs/compat.md).
sed -i -E 's/^(  info)=-61$/\1=-2/' "$WORK/m30"
compare_runs "kmod_robust, kmod 30" "$WORK/k30" "$WORK/m30"

TROOT=$(bash "$ROOT/scripts/fetch-suite-root.sh" trixie libkmod2,kmod,libssl3t64,libzstd1,liblzma5,zlib1g)
T=$WORK/t; mkdir -p "$T/lib" "$WORK/troot"; cp "$ROBUST" "$T/"; cp -L "$BUILD/libkmod.so.2" "$T/lib/"
mv "$P" "$T/root"
for lib in k m; do
  unshare -m bash -c 'r=$0 t=$1 fake=$2 lib=$3 kver=$4
    mount --bind "$r" "$t/../troot" && mount --bind "$t" "$t/../troot/tmp" &&
    mount --bind "$fake/proc" "$t/../troot/proc" && mount --bind "$fake/sys" "$t/../troot/sys" &&
    exec chroot "$t/../troot" env -i ${lib:+LD_LIBRARY_PATH=/tmp/lib} /tmp/libkmod_robust \
      /tmp/root/lib/modules/$kver' "$TROOT" "$T" "$WORK/fake" "$([ $lib = m ] && echo m)" "$KVER" \
    >"$WORK/${lib}34" 2>&1 || true
done
compare_runs "kmod_robust, kmod 34.2" "$WORK/k34" "$WORK/m34"
mv "$T/root" "$P"

echo "-- valgrind and AddressSanitizer"
# A script over a sample of names and aliases, module info, loaded state and faked insertions.
sed -E 's#^([^:]*):.*#\1#; s#.*/##; s#\..*##; s#-#_#g' "$MD/modules.dep" | sort -u | awk 'NR % 40 == 1' >"$WORK/names"
awk '/^alias /{print $2}' "$MD/modules.alias" | sort -u | awk 'NR % 200 == 1' >"$WORK/aliases"
{
  printf '%s\n' ctx config "dump 1" resources
  sed 's/^/lookup /' "$WORK/names" "$WORK/aliases"; sed 's/^/info /' "$WORK/names"
  for n in ext4 loop xfs tun nosuch; do echo "state $n"; done
  printf '%s\n' loaded "probe 10 ext4" "probe 0 xfs" "probesys 0 dummy" "insert 3 loop" "remove 0 loop" unload
} >"$WORK/script"
CONF=$ROOT/tests/compat/modprobe-conf/basic
# valgrind needs the real /proc; only /sys/module is faked.
sys_only() { unshare -m bash -c 'mount --bind "$0/sys/module" /sys/module && exec "$@"' "$WORK/fake" "$@"; }
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible
  --show-leak-kinds=definite,indirect,possible)
for prog in robust diff; do
  case $prog in
    robust) cmd=("$ROBUST" "$MD"); in=/dev/null ;;
    diff) cmd=("$DIFFPROG" "$MD" "$CONF"); in=$WORK/script ;;
  esac
  rc=0
  sys_only env LD_LIBRARY_PATH="$BUILD" LD_PRELOAD="$BUILD/kmod_kernel_shim.so" KMOD_SHIM_LOG=/dev/null \
    "${VG[@]}" "${cmd[@]}" <"$in" >/dev/null 2>"$WORK/vg.$prog" || rc=$?
  if [ "$rc" = 0 ] && ! grep -q '==[0-9]*==' "$WORK/vg.$prog"; then note "ok: valgrind, kmod_$prog"
  else echo "FAIL: valgrind, kmod_$prog (exit $rc)"; grep '==[0-9]*==' "$WORK/vg.$prog" | head -20 | sed 's/^/    /'
    FAILURES=$((FAILURES + 1)); fi
done
ASAN=${ASAN_BUILD:-$ROOT/build-asan}
if [ -x "$ASAN/libkmod_robust" ] && [ -x "$ASAN/libkmod_diff" ]; then
  for prog in robust diff; do
    case $prog in
      robust) cmd=("$ASAN/libkmod_robust" "$MD"); in=/dev/null ;;
      diff) cmd=("$ASAN/libkmod_diff" "$MD" "$CONF"); in=$WORK/script ;;
    esac
    rc=0
    sys_only env ASAN_OPTIONS=detect_leaks=1:verify_asan_link_order=0 UBSAN_OPTIONS=halt_on_error=1 \
      LD_PRELOAD="$BUILD/kmod_kernel_shim.so" KMOD_SHIM_LOG=/dev/null \
      capsh --drop=cap_sys_module -- -c '"$0" "$@"' "${cmd[@]}" <"$in" >/dev/null 2>"$WORK/asan.$prog" || rc=$?
    if [ "$rc" = 0 ] && ! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$WORK/asan.$prog"; then
      note "ok: AddressSanitizer/LeakSanitizer, kmod_$prog"
    else echo "FAIL: sanitizers, kmod_$prog (exit $rc)"; head -30 "$WORK/asan.$prog" | sed 's/^/    /'
      FAILURES=$((FAILURES + 1)); fi
  done
else
  note "AddressSanitizer: $ASAN/libkmod_{robust,diff} not built (make asan builds them); skipped"
fi
finish
