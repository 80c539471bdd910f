#!/usr/bin/env bash
# modkit's dkms against DKMS 3.4.3 (live with MODKIT_DKMS_ORACLE, else its recorded transcripts;
# see lib/dkms-harness.sh): the same command sequences on the same fixture modules
# (tests/compat/dkms-fixtures), each tool in its own sandbox; every command's exit code, stdout
# and stderr, and at checkpoints the dkms/source/install trees, `dkms status` and make.log are
# compared. MODKIT_DKMS=<a dkms-3.4.3 script> runs DKMS against itself to validate the harness.
# Intended differences: docs/compat.md, dkms.
SELF=$(readlink -f "$0")
HERE=$(dirname "$SELF")
source "$HERE/lib/dkms-harness.sh"

# add/build/install/uninstall/unbuild/remove with a real kbuild, for two kernels.
sc_basic() {
  fixture hello hello-1.0
  dk add hello/1.0
  checkpoint "after add"
  dk build hello/1.0 -k "$K1" -k "$K2"
  checkpoint "after build"
  dk build hello/1.0 -k "$K1"
  dk install hello/1.0 -k "$K1"
  checkpoint "after install"
  index_check "after install" "$K1"
  dk install hello/1.0 -k "$K1"
  dk uninstall hello/1.0 -k "$K1"
  checkpoint "after uninstall"
  index_check "after uninstall" "$K1"
  dk unbuild hello/1.0 -k "$K1"
  checkpoint --no-status "after unbuild"
  dk remove hello/1.0 --all
  checkpoint "after remove --all"
}

# The ways to name a module: m/v, -m/-v, --module=, a source directory, a dkms.conf path.
sc_argforms() {
  use_fake_make
  fixture hello hello-1.0
  mkdir -p "$R/elsewhere"
  cp -a "$FIXTURES/hello-2.0" "$R/elsewhere/hello-2.0"
  cp -a "$FIXTURES/multi" "$R/elsewhere/multi"
  dk add -m hello -v 1.0
  dk remove -m hello -v 1.0 --all
  dk add "$R/src/hello-1.0"
  dk remove --module=hello/1.0 --all
  dk add "$R/elsewhere/hello-2.0/dkms.conf"
  dk add "$R/elsewhere/multi"
  checkpoint "after adding by path"
  dk build -m hello/2.0 -k "$K1"
  dk install -m hello -v 2.0 --kernelver="$K1" --arch="$ARCH"
  dk build multi/1.0 -k "$K1/$ARCH"
  checkpoint "after build and install"
  dk uninstall hello/2.0 --kernelver "$K1/$ARCH"
  dk remove hello --all
  dk remove multi/1.0 --all
  dk remove -m hello -v 2.0 --all
  checkpoint "after remove"
}

# Two versions of one module on two kernels, and status with every filter.
sc_versions() {
  use_fake_make
  fixture hello hello-1.0
  fixture hello-2.0 hello-2.0
  fixture multi multi-1.0
  dk build hello/1.0 -k "$K1" -k "$K2"
  dk add hello/2.0
  dk build hello/2.0 -k "$K1"
  dk install hello/1.0 -k "$K1"
  dk add multi/1.0
  checkpoint "two versions, two kernels"
  dks hello
  dks hello/1.0
  dks -k "$K1"
  dks -k "$K2/$ARCH"
  dks -k "$K1" -k "$K2"
  dks -a "$ARCH"
  dks nosuch
  dks hello -k 9.9.9-none
  dk install hello/2.0 -k "$K1"
  checkpoint "2.0 installed over 1.0"
  dk uninstall hello/2.0 -k "$K1"
  checkpoint "nothing installed"
  dk remove hello/1.0 -k "$K2"
  checkpoint --no-status "1.0 removed for one kernel"
  dk remove hello/1.0 --all
  dk remove hello/2.0 --all
  checkpoint "both versions removed"
}

# Several modules in one package: BUILT_MODULE_LOCATION, DEST_MODULE_NAME, DEST_MODULE_LOCATION
# under /kernel, STRIP=no for one of them.
sc_multi() {
  use_fake_make
  fixture multi multi-1.0
  dk install multi/1.0 -k "$K1"
  checkpoint "after install"
  index_check "after install" "$K1"
  dk uninstall multi/1.0 -k "$K1"
  checkpoint "after uninstall"
}

# PATCH with PATCH_MATCH: applied for K1 only, so the second module is missing for K2 (7).
sc_patches() {
  use_fake_make
  fixture patched patched-1.0
  dk build patched/1.0 -k "$K1"
  dk build patched/1.0 -k "$K2"
  checkpoint "after building for both kernels"
}

# POST_ADD, PRE_BUILD, POST_BUILD, PRE_INSTALL, POST_INSTALL, POST_REMOVE: arguments and cwd.
sc_scripts() {
  use_fake_make
  fixture scripts scripts-1.0
  dk add scripts/1.0
  dk build scripts/1.0 -k "$K1"
  dk install scripts/1.0 -k "$K1"
  dk uninstall scripts/1.0 -k "$K1"
  dk remove scripts/1.0 --all
  checkpoint "after add, build, install, uninstall, remove"
}

# MAKE/MAKE_MATCH per kernel and the `make` -> `make -jN KERNELRELEASE=K` rewrite.
sc_makematch() {
  use_fake_make
  fixture makematch makematch-1.0
  dk build makematch/1.0 -k "$K1" -k "$K2"
  checkpoint --no-status "after build"
}

# BUILD_EXCLUSIVE_KERNEL/ARCH/CONFIG: 77 when they do not match.
sc_exclusive() {
  use_fake_make
  local f
  for f in excl-kernel excl-arch excl-config excl-notconfig excl-ok; do fixture "$f" "$f-1.0"; done
  dk build excl-kernel/1.0 -k "$K1"
  dk install excl-arch/1.0 -k "$K1"
  dk build excl-config/1.0 -k "$K1"
  dk build excl-notconfig/1.0 -k "$K1"
  dk build excl-ok/1.0 -k "$K1"
  checkpoint "after the builds"
}

# autoinstall: AUTOINSTALL yes/YES/unset, BUILD_DEPENDS order (the hook log records the order of
# the installs), a second run with nothing to do, then a BUILD_EXCLUSIVE-skipped module.
sc_autoinstall() {
  use_fake_make
  local f
  for f in auto-zdep auto-adep auto-off auto-upper; do
    fixture "$f" "$f-1.0"
    dk add "$f/1.0"
  done
  dk autoinstall -k "$K1"
  checkpoint "after autoinstall"
  dk autoinstall -k "$K1"
  fixture auto-excl auto-excl-1.0
  dk add auto-excl/1.0
  dk autoinstall -k "$K1"
  checkpoint "after autoinstall with an excluded module"
}

# An in-tree module of the same name: older on K1 (replaced, archived and restored at
# uninstall), newer on K2 (the version check refuses it).
sc_intree() {
  use_fake_make
  fixture hello hello-1.0
  local d=$R/root/lib/modules/$K1/kernel/drivers/staging/hello
  mkdir -p "$d"
  cp "$PREBUILT/hello-0.9.ko" "$d/hello.ko"
  cp "$PREBUILT/$K2/hello-2.0.ko" "$R/root/lib/modules/$K2/kernel/drivers/misc/hello.ko"
  dk install hello/1.0 -k "$K1"
  checkpoint "installed over an older in-tree module"
  expect_mk "the in-tree module is archived in original_module with a .origin" \
    grep -qx "$d/hello.ko" "$R/dkms/hello/original_module/$K1/$ARCH/hello.ko.origin"
  expect_mk "status --json is valid and says what status says (original-modules-exist)" \
    status_json_agrees original-modules-exist
  dk install hello/1.0 -k "$K2"
  checkpoint "installed over a newer in-tree module"
  dk uninstall hello/1.0 -k "$K1"
  checkpoint "uninstalled from K1: the in-tree module is back"
  expect_mk "original_module/$K1 is gone after the uninstall" test ! -e "$R/dkms/hello/original_module/$K1"
}

tar_has() { # TARBALL MEMBER...
  local list m
  list=$(tar -tzf "$1") || return 1
  shift
  for m in "$@"; do grep -qx "\(\./\)\?$m" <<<"$list" || { echo "$m missing"; return 1; }; done
}

xz_crc32() { xz --robot --list "$1" | grep -q $'\tCRC32\t'; }

# Compressed install trees (xz for K1, zstd for K2, gzip for K3): the modules are compressed
# like the kernel's. 3.4 decides by the install tree's *.ko.<ext> files, 3.0.10 by grepping
# /lib/modules/K/modules.dep (the namespace's); both are set up.
sc_compress() {
  use_fake_make
  fixture hello hello-1.0
  local k ext
  for k in "$K1:xz" "$K2:zst" "$K3:gz"; do
    ext=${k#*:} k=${k%:*}
    case $ext in
      xz) xz -c "$PREBUILT/hello-1.0.ko" ;;
      zst) zstd -q -c "$PREBUILT/$K2/hello-1.0.ko" ;;
      gz) gzip -c "$PREBUILT/hello-1.0.ko" ;;
    esac >"$R/root/lib/modules/$k/kernel/drivers/misc/zdummy.ko.$ext"
    echo "kernel/drivers/misc/zdummy.ko.$ext:" >"/lib/modules/$k/modules.dep"
  done
  # K3's headers are K1's: modkit's ABI check cannot compare and says so (docs/compat.md).
  dkx install hello/1.0 -k "$K1" -k "$K2" -k "$K3"
  expect_mk "warns that K3's headers are another kernel's" \
    grep -q "Cannot check that the modules were built for kernel $K3: .*the headers are for kernel $K1, not $K3" "$O/$N.err"
  checkpoint "installed into xz, zstd and gzip trees"
  expect_mk "the .ko.xz has a CRC32 check (the kernel's xz rejects CRC64)" \
    xz_crc32 "$R/root/lib/modules/$K1/updates/dkms/hello.ko.xz"
  dk uninstall hello/1.0 --all
  checkpoint "after uninstall --all"
}

# mktarball (all kernels, --binaries-only, --source-only with --archive) and ldtarball of each.
sc_tarball() {
  use_fake_make
  fixture hello hello-1.0
  dk build hello/1.0 -k "$K1" -k "$K2"
  local two=$R/dkms/hello/1.0/tarball/hello-1.0-kernel$K1-$ARCH-kernel$K2-$ARCH.dkms.tar.gz
  dk mktarball hello/1.0 -k "$K1" -k "$K2"
  expect_mk "a tarball of two kernels holds both kernels' modules" \
    tar_has "$two" "dkms_main_tree/$K1/$ARCH/module/hello.ko" "dkms_main_tree/$K2/$ARCH/module/hello.ko"
  rm -f "$two"
  dk mktarball hello/1.0 -k "$K1"
  dk mktarball hello/1.0 -k "$K1" --binaries-only --archive "$R/arch/binaries.dkms.tar.gz"
  dk mktarball hello/1.0 --source-only --archive "$R/arch/source.dkms.tar.gz"
  checkpoint --no-status "after mktarball"
  local t
  for t in "$R/dkms/hello/1.0/tarball/"*.tar.gz; do cp "$t" "$R/arch/full.dkms.tar.gz"; done
  dk remove hello/1.0 --all
  rm -rf "$R/src/hello-1.0"
  dk ldtarball "$R/arch/full.dkms.tar.gz"
  checkpoint "ldtarball of the full tarball"
  dk remove hello/1.0 --all
  rm -rf "$R/src/hello-1.0"
  dk ldtarball "$R/arch/binaries.dkms.tar.gz"
  checkpoint "ldtarball of the binaries-only tarball, no source"
  rm -rf "$R/dkms/hello"
  dk ldtarball "$R/arch/source.dkms.tar.gz"
  checkpoint "ldtarball of the source-only tarball"
}

# Error exits (reference §1.3), and the trees they leave.
sc_errors() {
  use_fake_make
  local f
  fixture hello hello-1.0
  for f in badconf makefail noko patch-missing patch-fail preinst-fail; do fixture "$f" "$f-1.0"; done
  dk status --no-such-option
  dk remove hello/1.0 --all -k "$K1"
  dk remove hello/1.0 --all -a "$ARCH"
  dk build install hello/1.0
  dk mktarball hello/1.0 --binaries-only --source-only
  dk build hello/1.0 -k "$K1" -k "$K2" -a "$ARCH" -a "$ARCH" -a i386
  dk build hello/1.0 -k="$K1"
  dk add hello/1.0 --all
  dk autoinstall -k "$K1" -k "$K1"
  dk autoinstall -k "$K1" -k "$K2"
  dk autoinstall --all
  dk remove
  dk
  dk uninstall nosuch/1.0 -k "$K1"
  dk add nosuch/1.0
  dk add hello/1.0
  dk add hello/1.0
  dk uninstall hello/1.0 -k "$K1"
  dk unbuild hello/1.0 -k "$K1"
  dk mktarball hello/1.0 -k "$K1"
  dk add badconf/1.0
  dk build makefail/1.0 -k "$K1"
  checkpoint "after a failed make"
  dk build noko/1.0 -k "$K1"
  dk build patch-missing/1.0 -k "$K1"
  dk build patch-fail/1.0 -k "$K1"
  dk install preinst-fail/1.0 -k "$K1"
  dk build hello/1.0 -k "$K2"
  rm -rf "$R/root/lib/modules/$K2"
  dk install hello/1.0 -k "$K2"
  mkdir -p "$R/arch/junk"
  echo "not a DKMS tarball" >"$R/arch/junk/README"
  tar -C "$R/arch" -czf "$R/arch/junk.tar.gz" junk
  rm -rf "$R/arch/junk"
  dk ldtarball "$R/arch/junk.tar.gz"
  checkpoint "after the errors"
}

# The dkms.conf of twelve Debian 12 packages (reference §7), evaluated for K1: the fake make
# produces every module the package could build, so the tree shows which ones each tool chose,
# and make.log the make command it ran.
REALWORLD="real-acpi-call:acpi-call/1.2.2 real-ddcci:ddcci/0.4.2
  real-dm-writeboost:dm-writeboost/2.2.17 real-evdi:evdi/1.12.0+dfsg
  real-falcosecurity-scap:scap/0.1.1dev+git20220316.e5c53d64 real-gost-crypto:gost-crypto/0.3.4
  real-jool:jool-dkms/4.1.9 real-lttng-modules:lttng-modules/2.13.9
  real-openvpn-dco:ovpn-dco/0.0+git20231103 real-v4l2loopback:v4l2loopback/0.12.7
  real-vpoll:vpoll/0.1 real-xtables-addons:xtables-addons/3.23"
sc_realworld() {
  use_fake_make
  local e mv
  for e in $REALWORLD; do
    mv=${e#*:}
    fixture "${e%%:*}" "${mv%/*}-${mv#*/}"
    dk build "$mv" -k "$K1"
  done
  checkpoint --no-status "after building all twelve"
}

if [ "${1:-}" = --worker ]; then
  shift
  worker_main "$@"
  exit $?
fi

source "$HERE/common.sh"
dkms_init
start=$SECONDS
run_scenario basic
run_scenario argforms
run_scenario versions
run_scenario multi
run_scenario patches
run_scenario scripts
run_scenario makematch
run_scenario exclusive
run_scenario autoinstall
run_scenario intree
run_scenario compress needs-ns
run_scenario tarball
run_scenario errors
run_scenario realworld
note "dkms: $((SECONDS - start)) s"
finish
