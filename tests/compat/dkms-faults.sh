#!/usr/bin/env bash
# modkit dkms under failure: a build that fails, a POST_INSTALL that fails, a depmod that fails
# (a dependency cycle), and a process killed at every step of an install (and inside depmod's
# publish) must each leave the installed module, the module indexes and the DKMS tree exactly
# as they were; two installs started at once must both finish. The install tree is a small
# slice of the real Debian tree, indexed, so depmod really runs.
. "$(dirname "$0")/common.sh"

K=$KVER
[ -e "/usr/src/linux-headers-$K/include" ] || skip "no linux-headers-$K"
DKMS=$BUILD/dkms
FIX=$ROOT/tests/compat/dkms-faults-fixtures
root=$WORK/root lib=$WORK/root/lib/modules tree=$WORK/dkms src=$WORK/src
mkdir -p "$lib/$K/kernel" "$tree" "$src"
cp -al "$CACHE/plain/lib/modules/$K/kernel/fs" "$lib/$K/kernel/"
for f in modules.order modules.builtin modules.builtin.modinfo; do
  cp "$CACHE/plain/lib/modules/$K/$f" "$lib/$K/"
done
ln -s "/usr/src/linux-headers-$K" "$lib/$K/build"
"$BUILD/depmod" -b "$root" "$K"
export mok_signing_key=$WORK/mok.key mok_certificate=$WORK/mok.pub
dk() { "$DKMS" --dkmstree "$tree" --sourcetree "$src" --installtree "$lib" "$@"; }

# hello-<v> packages from one template: MODULE_VERSION is the package version.
make_package() { # name version [extra dkms.conf lines]
  local d=$src/$1-$2
  mkdir -p "$d"
  sed "s/@VERSION@/$2/" "$FIX/hello.c" >"$d/$1.c"
  echo "obj-m := $1.o" >"$d/Makefile"
  printf 'PACKAGE_NAME="%s"\nPACKAGE_VERSION="%s"\nBUILT_MODULE_NAME[0]="%s"\nDEST_MODULE_LOCATION[0]="/extra"\nAUTOINSTALL="yes"\n%s\n' \
    "$1" "$2" "$1" "${3:-}" >"$d/dkms.conf"
}

# Everything that must not change: every path under the install tree and the DKMS tree with
# its type, link target and content hash (the lock file and depmod's cache aside).
snapshot() {
  (cd "$WORK" && find root dkms \( -name .modkit-lock -o -name modules.modkit.cache \) -prune -o -print |
    LC_ALL=C sort | while read -r p; do
      if [ -L "$p" ]; then echo "$p -> $(readlink "$p")"
      elif [ -d "$p" ]; then echo "$p/"
      else echo "$p $(md5sum <"$p" | cut -c1-32)"; fi
    done)
}

expect_same() { # label file-with-expected-snapshot  (QUIET=1: say nothing when equal)
  snapshot >"$WORK/now"
  if cmp -s "$2" "$WORK/now"; then [ -n "${QUIET:-}" ] || note "ok: $1"
  else
    echo "FAIL: $1: the trees changed"
    diff "$2" "$WORK/now" | head -20 | sed 's/^/    /'
    FAILURES=$((FAILURES + 1))
  fi
}

expect_rc() { # label want_rc command...
  local label=$1 want=$2 rc=0; shift 2
  "$@" >"$WORK/out" 2>&1 || rc=$?
  if [ "$rc" = "$want" ]; then note "ok: $label (exit $rc)"
  else
    echo "FAIL: $label: exit $rc, want $want"
    tail -20 "$WORK/out" | sed 's/^/    /'
    FAILURES=$((FAILURES + 1))
  fi
}

make_package hello 1.0
make_package hello 2.0
make_package hello 3.0 'MAKE[0]="make -C ${kernel_source_dir} M=${dkms_tree}/hello/3.0/build DOES_NOT_BUILD=1 no-such-target"'
make_package hello 4.0 'POST_INSTALL="post-install.sh"'
printf '#!/bin/sh\necho post_install fails >&2\nexit 3\n' >"$src/hello-4.0/post-install.sh"
chmod +x "$src/hello-4.0/post-install.sh"
mkdir -p "$src/cycle-1.0"
cp "$FIX/cycle_a.c" "$FIX/cycle_b.c" "$src/cycle-1.0/"
echo 'obj-m := cycle_a.o cycle_b.o' >"$src/cycle-1.0/Makefile"
printf 'PACKAGE_NAME="cycle"\nPACKAGE_VERSION="1.0"\nBUILT_MODULE_NAME[0]="cycle_a"\nBUILT_MODULE_NAME[1]="cycle_b"\nDEST_MODULE_LOCATION[0]="/extra"\nDEST_MODULE_LOCATION[1]="/extra"\n' \
  >"$src/cycle-1.0/dkms.conf"

echo "-- baseline: hello 1.0 installed; hello 2.0, 4.0 and the cycle package built"
expect_rc "install hello/1.0" 0 dk install hello/1.0 -k "$K"
for p in hello/2.0 hello/4.0 cycle/1.0; do dk add "$p" >/dev/null; done
expect_rc "build hello/2.0" 0 dk build hello/2.0 -k "$K"
expect_rc "build hello/4.0" 0 dk build hello/4.0 -k "$K"
expect_rc "build cycle/1.0" 0 dk build cycle/1.0 -k "$K"
grep -q "hello.ko" "$lib/$K/modules.dep" || { echo "FAIL: hello not in modules.dep"; FAILURES=$((FAILURES + 1)); }
snapshot >"$WORK/base"

echo "-- failures leave everything as it was"
expect_rc "a build that fails" 10 dk install hello/3.0 -k "$K"
dk remove hello/3.0 --all >/dev/null 2>&1 || true
rm -rf "$tree/hello/3.0"
expect_same "after the failed build" "$WORK/base"
expect_rc "a POST_INSTALL that fails" 6 dk install hello/4.0 -k "$K"
expect_same "after the failed POST_INSTALL" "$WORK/base"
expect_rc "a depmod that fails (dependency cycle)" 6 dk install cycle/1.0 -k "$K"
expect_same "after the failed depmod" "$WORK/base"

echo "-- killed at every step of an install, then rolled back by the next command"
n=1
while :; do
  rc=0
  MODKIT_FAULT=dkms-transaction:$n dk install hello/2.0 -k "$K" >/dev/null 2>&1 || rc=$?
  [ "$rc" = 0 ] && break
  [ "$rc" = 137 ] || { echo "FAIL: kill at step $n: exit $rc"; FAILURES=$((FAILURES + 1)); break; }
  dk status >/dev/null 2>&1
  QUIET=1 expect_same "killed at step $n" "$WORK/base"
  n=$((n + 1))
  [ "$n" -le 80 ] || { echo "FAIL: the install never completed"; FAILURES=$((FAILURES + 1)); break; }
done
note "ok: $((n - 1)) kill points, each rolled back"
grep -q "updates/dkms/hello.ko" "$lib/$K/modules.dep" || { echo "FAIL: hello 2.0 not indexed after install"; FAILURES=$((FAILURES + 1)); }
snapshot >"$WORK/v2"
expect_rc "uninstall hello/2.0" 0 dk uninstall hello/2.0 -k "$K"
snapshot >"$WORK/none"
for n in 1 2 3 5 8; do
  rc=0
  MODKIT_FAULT=depmod-rename:$n dk install hello/2.0 -k "$K" >/dev/null 2>&1 || rc=$?
  if [ "$rc" = 137 ]; then
    dk status >/dev/null 2>&1
    expect_same "killed in depmod's rename $n" "$WORK/none"
  else
    expect_same "install with depmod fault $n (not reached)" "$WORK/v2"
    dk uninstall hello/2.0 -k "$K" >/dev/null 2>&1
  fi
done

echo "-- two installs at once"
dk uninstall hello/2.0 -k "$K" >/dev/null 2>&1 || true
rc1=0 rc2=0
dk install hello/2.0 -k "$K" >"$WORK/i1" 2>&1 &
p1=$!
dk install hello/2.0 -k "$K" >"$WORK/i2" 2>&1 &
p2=$!
wait $p1 || rc1=$?
wait $p2 || rc2=$?
if [ "$rc1$rc2" = 00 ]; then note "ok: both finished (exit 0, 0)"
else echo "FAIL: concurrent installs exited $rc1 and $rc2"; FAILURES=$((FAILURES + 1)); fi
expect_same "state after the concurrent installs" "$WORK/v2"

echo "-- refusals change nothing (hello 2.0 installed)"
# The same module version under another package version, a BUILD_DEPENDS nobody provides, and
# a package whose source directory is gone; each added (and the first built) beforehand.
make_package hello 2.0.1
# (the same source as hello 2.0, so the same srcversion: DKMS's "already installed at version").
sed -i 's/MODULE_VERSION("2.0.1")/MODULE_VERSION("2.0")/' "$src/hello-2.0.1/hello.c"
make_package needy 1.0 'BUILD_DEPENDS[0]="nosuchdep"'
make_package gone 1.0
for p in hello/2.0.1 needy/1.0 gone/1.0; do dk add "$p" >/dev/null; done
expect_rc "build hello/2.0.1" 0 dk build hello/2.0.1 -k "$K"
rm -rf "$src/gone-1.0"
snapshot >"$WORK/before-refusals"
expect_rc "a refused downgrade (1.0 over 2.0)" 6 dk install hello/1.0 -k "$K"
expect_same "after the refused downgrade" "$WORK/before-refusals"
expect_rc "a refused equal version (2.0.1 has MODULE_VERSION 2.0)" 6 dk install hello/2.0.1 -k "$K"
expect_same "after the refused equal version" "$WORK/before-refusals"
expect_rc "a missing BUILD_DEPENDS" 13 dk install needy/1.0 -k "$K"
expect_same "after the failed dependency" "$WORK/before-refusals"
for a in build install uninstall unbuild; do
  expect_rc "$a of a broken module" 4 dk "$a" gone/1.0 -k "$K"
done
expect_same "after every action on the broken module" "$WORK/before-refusals"
grep -q "updates/dkms/hello.ko\|extra/hello.ko" "$lib/$K/modules.dep" || { echo "FAIL: hello 2.0 no longer indexed"; FAILURES=$((FAILURES + 1)); }
finish
