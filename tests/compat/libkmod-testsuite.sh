#!/usr/bin/env bash
# kmod 34.2's own test suite against modkit's libkmod.so.2. kmod's source comes from Debian's
# archive (trixie's orig tarball) and is built here, outside the repository, with meson; its
# library tests (testsuite/test-*.c that call the API) and its tools, which its tool tests run
# (test-modprobe, test-modinfo, test-depmod), are linked once against kmod's own libkmod.so.2
# and once against modkit's, and each test must give the same result with both. kmod's
# testsuite fakes the system with its own LD_PRELOAD shims (path.so redirects file accesses
# into a per-test rootfs; init_module.so and delete_module.so fake the syscalls).
#
# Tests that cannot run against any libkmod.so.2, kmod's included: test-array, test-hash,
# test-list, test-strbuf, test-util and test-testsuite test kmod's internal helpers, not the
# library. test-blacklist and kmod's depmod call kmod's internal list functions
# (kmod_list_append...), which no libkmod.so.2 exports; kmod's own list code is linked into
# those programs, which works because modkit's list entries are laid out as kmod's.
source "$(dirname "$0")/common.sh"

command -v meson >/dev/null || skip "meson is needed to build kmod's test suite"
HEADERS=/usr/src/linux-headers-$KVER
[ -d "$HEADERS" ] || skip "$HEADERS is needed to build kmod's test modules"
TARBALL=$(bash "$ROOT/scripts/fetch-suite-source.sh" trixie kmod) || skip "kmod's source is not available"
VER=$(basename "$TARBALL" .orig.tar.xz); VER=${VER#kmod_}

# The test modules (module-playground) take kbuild a while and depend only on kmod's sources
# and the headers: built once per machine and shared.
PLAYGROUND=${MODKIT_CACHE:-/var/cache/modkit}/kmod-$VER-playground-$KVER
if [ ! -f "$PLAYGROUND/.complete" ]; then
  exec 9>"$PLAYGROUND.lock"; flock 9
  if [ ! -f "$PLAYGROUND/.complete" ]; then
    rm -rf "$PLAYGROUND" "$PLAYGROUND.tmp"; mkdir -p "$PLAYGROUND.tmp"
    tar -xf "$TARBALL" -C "$PLAYGROUND.tmp" --strip-components=3 "kmod-$VER/testsuite/module-playground"
    make -s -C "$HEADERS" M="$PLAYGROUND.tmp" modules >/dev/null 2>&1 ||
      { echo "FAIL: building kmod's test modules"; exit 1; }
    mv "$PLAYGROUND.tmp" "$PLAYGROUND"; touch "$PLAYGROUND/.complete"
  fi
  exec 9>&-
fi

SRC=$WORK/kmod-$VER KB=$WORK/kb
tar -xf "$TARBALL" -C "$WORK"
meson setup "$KB" "$SRC" -Dbuild-tests=true -Dmanpages=false -Ddocs=false -Dzlib=disabled \
  -Dbashcompletiondir=no -Dfishcompletiondir=no -Dzshcompletiondir=no >"$WORK/meson.log" 2>&1 ||
  { cat "$WORK/meson.log"; echo "FAIL: meson setup"; exit 1; }
LIBTESTS="test-blacklist test-dependencies test-init test-initstate test-loaded test-new-module test-weakdep"
TOOLTESTS="test-modprobe test-modinfo test-depmod"
targets=(kmod libkmod.so.2.5.1 testsuite/path.so testsuite/init_module.so testsuite/delete_module.so
  testsuite/uname.so testsuite/libtestsuite.a libshared.a)
for t in $LIBTESTS $TOOLTESTS; do targets+=("testsuite/$t"); done
nice ninja -C "$KB" "${targets[@]}" >"$WORK/ninja.log" 2>&1 || { tail -20 "$WORK/ninja.log"; echo "FAIL: building kmod"; exit 1; }
# kmod's symlinks (modprobe -> kmod...) for the tool tests, and the rootfs with the test modules.
for tool in depmod insmod lsmod modinfo modprobe rmmod; do ln -sf kmod "$KB/$tool"; done
mkdir -p "$KB/testsuite/module-playground"; cp -r "$PLAYGROUND"/. "$KB/testsuite/module-playground/"
# The tests change their rootfs (loaded modules appear under its /sys): a fresh one per run.
setup_rootfs() {
  (cd "$KB" && bash "$SRC/scripts/setup-rootfs.sh" "$SRC/testsuite/rootfs-pristine" \
    "$KB/testsuite/rootfs" "$KB/testsuite/module-playground" "$KB/config.h" /etc /lib/modules) \
    >"$WORK/rootfs.log" 2>&1 || { tail -5 "$WORK/rootfs.log"; echo "FAIL: kmod's setup-rootfs.sh"; exit 1; }
}

# kmod's internal list functions, for the two programs that use them; everything else in that
# object is made local so the library's own kmod_list_next... are the ones called.
cc -c -O2 -I"$KB" -I"$SRC" -include "$KB/config.h" "$SRC/libkmod/libkmod-list.c" -o "$WORK/list.o"
objcopy --keep-global-symbol=kmod_list_append --keep-global-symbol=kmod_list_remove \
  --keep-global-symbol=kmod_list_remove_data "$WORK/list.o" "$WORK/list-internal.o"

# Links the test programs and the kmod tool against the libkmod.so.2 in $1.
link_all() { # LIBDIR
  local lib=$1
  for t in $LIBTESTS $TOOLTESTS; do
    cc -o "$KB/testsuite/$t" "$KB/testsuite/$t.p/$t.c.o" "$WORK/list-internal.o" -Wl,--start-group \
      "$KB/libshared.a" "$KB/testsuite/libtestsuite.a" -Wl,--end-group "$lib/libkmod.so.2" -lrt
  done
  cc -o "$KB/kmod" "$KB"/kmod.p/*.o "$WORK/list-internal.o" "$KB/libshared.a" "$lib/libkmod.so.2" \
    -lzstd -llzma -lcrypto
}

# Each test with each library; the results (and the tests' own output) must match.
run_all() { # LIBDIR OUT
  local lib=$1 out=$2 t rc
  setup_rootfs
  : >"$out"
  for t in $LIBTESTS $TOOLTESTS; do
    rc=0
    (cd "$KB" && LD_LIBRARY_PATH=$lib timeout 120 "$KB/testsuite/$t") >"$out.$t" 2>&1 || rc=$?
    echo "$t rc=$rc $(grep -cE '^TESTSUITE: (PASSED|SKIPPED|EXPECTED FAIL)' "$out.$t") passed $(grep -c 'FAILED' "$out.$t") failed" >>"$out"
  done
}
mkdir -p "$WORK/kmodlib"; cp -L "$KB/libkmod.so.2" "$WORK/kmodlib/libkmod.so.2"
link_all "$WORK/kmodlib"; run_all "$WORK/kmodlib" "$WORK/with-kmod"
link_all "$BUILD"; run_all "$BUILD" "$WORK/with-modkit"
while read -r line; do note "kmod's library: $line"; done <"$WORK/with-kmod"
if cmp -s "$WORK/with-kmod" "$WORK/with-modkit"; then
  note "ok: every test gives the same result with modkit's library"
else
  echo "FAIL: kmod's test suite differs with modkit's library"
  diff "$WORK/with-kmod" "$WORK/with-modkit" | sed 's/^/    /' || true
  for t in $LIBTESTS $TOOLTESTS; do
    grep -q "^$t rc=0 " "$WORK/with-modkit" || grep -E 'FAILED|ERR|Error|expected' "$WORK/with-modkit.$t" | head -8 | sed "s/^/    $t: /" || true
  done
  FAILURES=$((FAILURES + 1))
fi
[ -z "${KEEP:-}" ] || { rm -rf "$KEEP"; cp -a "$WORK" "$KEEP"; }
finish
