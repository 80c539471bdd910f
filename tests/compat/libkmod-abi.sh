#!/usr/bin/env bash
# libkmod.so.2's ABI: abidiff against Debian 12's libkmod 30 and trixie's 34.2 reports no
# removed or changed function, symbol or version; the dynamic symbol table holds libkmod's
# functions and nothing else (no libstdc++); kmod_module_new_from_name_lookup resolves for
# programs linked against either kmod; a program compiled against Debian 12's libkmod.h and
# linked against Debian 12's library runs unchanged on modkit's; `cmake --install` installs the
# library, libkmod.h and libkmod.pc, and a program builds with `pkg-config libkmod` against them;
# Debian's lspci -k, ndctl and daxctl give the same answers on both libraries on this host.
source "$(dirname "$0")/common.sh"
source "$ROOT/tests/libkmod/fake-system.sh"

LIB=$BUILD/libkmod.so.2
[ -e "$LIB" ] || skip "libkmod.so.2 not built"
command -v abidiff >/dev/null || skip "abidiff (abigail-tools) is needed"
TROOT=$(bash "$ROOT/scripts/fetch-suite-root.sh" trixie libkmod2,kmod,libssl3t64,libzstd1,liblzma5,zlib1g)

echo "-- abidiff"
for ref in /lib/x86_64-linux-gnu/libkmod.so.2 "$TROOT/usr/lib/x86_64-linux-gnu/libkmod.so.2"; do
  rc=0; abidiff "$ref" "$LIB" >"$WORK/abidiff" 2>&1 || rc=$?
  # abidiff's exit status: bit 3 = incompatible change, bit 2 = some change (added is fine).
  if (( rc & 8 )) || ! grep -q '^Functions changes summary: 0 Removed, 0 Changed' "$WORK/abidiff" ||
     ! grep -q '^Variables changes summary: 0 Removed, 0 Changed' "$WORK/abidiff"; then
    echo "FAIL: abidiff $ref"; sed 's/^/    /' "$WORK/abidiff" | head -30; FAILURES=$((FAILURES + 1))
  else
    note "ok: against $(readlink -f "$ref" | sed 's#.*/##') ($(grep -c '^  \[A\]' "$WORK/abidiff") added)"
  fi
done

echo "-- exported symbols"
nm -D --defined-only "$LIB" | awk '{print $3}' | sort >"$WORK/ours"
nm -D --defined-only "$TROOT/usr/lib/x86_64-linux-gnu/libkmod.so.2" | awk '{print $3}' | sort >"$WORK/kmod342"
# The same names and versions as kmod 34.2's, plus the LIBKMOD_5 alias of the name lookup.
{ cat "$WORK/kmod342"; echo "kmod_module_new_from_name_lookup@LIBKMOD_5"; } | sort >"$WORK/want"
if cmp -s "$WORK/want" "$WORK/ours"; then
  note "ok: $(grep -c '^kmod_' "$WORK/ours") symbols, as kmod 34.2 plus kmod_module_new_from_name_lookup@LIBKMOD_5"
else
  echo "FAIL: exported symbols differ from kmod 34.2's"; diff "$WORK/want" "$WORK/ours" | head | sed 's/^/    /' || true
  FAILURES=$((FAILURES + 1))
fi
if readelf -d "$LIB" | grep 'NEEDED.*libstdc++' >/dev/null; then
  echo "FAIL: libkmod.so.2 needs libstdc++"; FAILURES=$((FAILURES + 1))
else note "ok: needs $(readelf -d "$LIB" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | paste -sd' ')"; fi

echo "-- programs built against other headers and libraries"
# Debian 12's libkmod-dev, unpacked once (not installed: it would put its header on the system).
DEV=${MODKIT_CACHE:-/var/cache/modkit}/libkmod-dev-bookworm
if [ ! -f "$DEV/.complete" ]; then
  exec 9>"$DEV.lock"; flock 9
  if [ ! -f "$DEV/.complete" ]; then
    rm -rf "$DEV.tmp"; mkdir -p "$DEV.tmp"
    (cd "$DEV.tmp" && apt-get download -q libkmod-dev >/dev/null 2>&1 && dpkg -x libkmod-dev_*.deb root) ||
      { echo "FAIL: could not fetch libkmod-dev"; exit 1; }
    rm -rf "$DEV"; mv "$DEV.tmp" "$DEV"; touch "$DEV/.complete"
  fi
  exec 9>&-
fi
cp -L /lib/x86_64-linux-gnu/libkmod.so.2 "$WORK/libkmod30.so.2"
# kmod_diff compiled against Debian 12's header and linked against Debian 12's library, so it
# binds kmod_module_new_from_name_lookup@LIBKMOD_5; then run on modkit's library.
cc -std=gnu11 -O1 -DKMOD_DIFF_DIRECT_NAME_LOOKUP -I"$DEV/root/usr/include" \
  "$ROOT/tests/libkmod/kmod_diff.c" -o "$WORK/diff30" "$WORK/libkmod30.so.2" -ldl
# (grep reads all of objdump's output: with pipefail, grep -q's early exit fails the pipe.)
if objdump -T "$WORK/diff30" | grep 'LIBKMOD_5.*kmod_module_new_from_name_lookup' >/dev/null; then
  note "ok: built against Debian 12's libkmod.h, binds kmod_module_new_from_name_lookup@LIBKMOD_5"
else echo "FAIL: the Debian 12 build does not bind the LIBKMOD_5 name lookup"; FAILURES=$((FAILURES + 1)); fi
P=$WORK/root; tree_copy plain "$P" index
MD=$P/lib/modules/$KVER
printf '%s\n' ctx resources "namelookup ext4" "namelookup fs-ext4" "info loop" "lookup pci:v00008086d00001533sv*sd*bc*sc*i*" \
  "lookup symbol:jbd2_journal_start" >"$WORK/script"
env -u LD_LIBRARY_PATH "$WORK/diff30" "$MD" --no-config <"$WORK/script" >"$WORK/k" 2>&1
LD_LIBRARY_PATH=$BUILD "$WORK/diff30" "$MD" --no-config <"$WORK/script" >"$WORK/m" 2>&1
sed -i -E '/^    weakdeps rc=|^    weak:/d; s/^(  (info|versions|symbols) rc=)-61$/\1-2/' "$WORK/m"
if cmp -s "$WORK/k" "$WORK/m" && grep -q '^namelookup ext4: rc=0 found=1' "$WORK/m"; then
  note "ok: the Debian 12 build runs on modkit's library with the same answers"
else echo "FAIL: the Debian 12 build on modkit's library"; diff "$WORK/k" "$WORK/m" | head | sed 's/^/    /' || true
  FAILURES=$((FAILURES + 1)); fi
# The same program linked against modkit's library binds the LIBKMOD_30 default, which
# Debian 12's library lacks: kmod 34.2's library has it (checked in the trixie root).
cc -std=gnu11 -O1 -DKMOD_DIFF_DIRECT_NAME_LOOKUP -I"$ROOT/src/libkmod" "$ROOT/tests/libkmod/kmod_diff.c" \
  -o "$WORK/diff34" "$LIB" -ldl
if objdump -T "$WORK/diff34" | grep 'LIBKMOD_30.*kmod_module_new_from_name_lookup' >/dev/null; then
  note "ok: built against modkit's libkmod.h, binds kmod_module_new_from_name_lookup@LIBKMOD_30"
else echo "FAIL: the modkit build does not bind the LIBKMOD_30 name lookup"; FAILURES=$((FAILURES + 1)); fi

echo "-- lspci -k (Debian's pciutils, unchanged) on this host"
if command -v lspci >/dev/null && [ -d /sys/bus/pci/devices ]; then
  # As the host is (its own release has no module directory), then with the Debian tree
  # standing in for it, so the modules of this host's PCI devices are looked up for real.
  for variant in plain tree; do
    for lib in k m; do
      unshare -m bash -c 'variant=$0 p=$1 lib=$2 build=$3
        if [ "$variant" = tree ]; then
          mount -t tmpfs none /lib/modules && mkdir -p "/lib/modules/$(uname -r)" &&
          mount --bind "$p/lib/modules/$(ls "$p/lib/modules")" "/lib/modules/$(uname -r)"
        fi
        if [ "$lib" = m ]; then export LD_LIBRARY_PATH=$build; else unset LD_LIBRARY_PATH; fi
        exec lspci -nk' "$variant" "$P" "$lib" "$BUILD" >"$WORK/lspci.$variant.$lib" 2>&1 || true
    done
    if cmp -s "$WORK/lspci.$variant.k" "$WORK/lspci.$variant.m"; then
      note "ok: lspci -nk, $variant: identical ($(grep -c 'Kernel modules:' "$WORK/lspci.$variant.k") devices with modules)"
    else echo "FAIL: lspci -nk, $variant"; diff "$WORK/lspci.$variant.k" "$WORK/lspci.$variant.m" | head | sed 's/^/    /' || true
      FAILURES=$((FAILURES + 1)); fi
  done
else
  note "lspci or /sys/bus/pci missing on this host: skipped"
fi

echo "-- ndctl and daxctl (Debian's, unchanged) on this host"
# Both create libkmod contexts at start (to load the NVDIMM and DAX drivers on demand); this host
# has no NVDIMM, so what is compared is their listing, exit status and libkmod's INFO lines.
if command -v ndctl >/dev/null && command -v daxctl >/dev/null; then
  for lib in k m; do
    (
      if [ $lib = m ]; then export LD_LIBRARY_PATH=$BUILD; else unset LD_LIBRARY_PATH; fi
      for cmd in "ndctl list" "ndctl list -BDRNi" "daxctl list"; do
        echo "\$ $cmd"; rc=0; KMOD_LOG=info $cmd 2>&1 || rc=$?; echo "rc=$rc"
      done
      LD_DEBUG=libs ndctl list 2>&1 | sed -n 's/.*calling init: \(.*libkmod.so.2\)$/init \1/p' | head -1
    ) | sed -E 's/^(libkmod: [A-Z]+) [^ ]+:[0-9]+ /\1: /; s/0x[0-9a-f]+/PTR/g' >"$WORK/ndctl.$lib"
  done
  if [ "$(sed '$d' "$WORK/ndctl.k")" = "$(sed '$d' "$WORK/ndctl.m")" ] &&
     grep -q "^init $BUILD/libkmod.so.2$" "$WORK/ndctl.m" && grep -q 'kmod_new: ctx PTR created' "$WORK/ndctl.m"; then
    note "ok: ndctl list, daxctl list: identical, on modkit's library ($(grep -c 'ctx PTR created' "$WORK/ndctl.m") contexts)"
  else echo "FAIL: ndctl/daxctl"; diff "$WORK/ndctl.k" "$WORK/ndctl.m" | head | sed 's/^/    /' || true
    FAILURES=$((FAILURES + 1)); fi
else
  note "ndctl or daxctl missing on this host: skipped"
fi

echo "-- cmake --install and pkg-config"
cmake --install "$BUILD" --prefix "$WORK/inst" >/dev/null
pc=$(find "$WORK/inst" -name libkmod.pc | head -1)
if [ -n "$pc" ] && [ -e "$WORK/inst/include/libkmod.h" ] && ls "$WORK/inst"/lib*/libkmod.so.2 >/dev/null 2>&1; then
  flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs libkmod)
  # shellcheck disable=SC2086
  if cc -std=gnu11 -x c - -o "$WORK/pc-test" $flags <<<'#include <libkmod.h>
int main(void) { struct kmod_ctx *c = kmod_new("/nonexistent", 0); return kmod_unref(c) != 0; }' &&
     LD_LIBRARY_PATH=$(dirname "$(ls "$WORK/inst"/lib*/libkmod.so.2 | head -1)") "$WORK/pc-test"; then
    note "ok: installed library, header and libkmod.pc ($(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --modversion libkmod)); a program builds and runs with them"
  else echo "FAIL: building with pkg-config libkmod"; FAILURES=$((FAILURES + 1)); fi
else echo "FAIL: cmake --install did not install libkmod.so.2, libkmod.h and libkmod.pc"; FAILURES=$((FAILURES + 1)); fi
finish
