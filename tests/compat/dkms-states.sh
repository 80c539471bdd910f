#!/usr/bin/env bash
# modkit's dkms against DKMS 3.4.3 (see lib/dkms-harness.sh) where the state of the tree is at
# stake: refused installs (a downgrade, an equal unversioned module, OBSOLETE_BY), a package
# without modules, broken modules, bad dkms.conf files, missing kernel headers, a system without
# os-release, the kernel hooks' argument checks and narration, BUILD_DEPENDS (missing, deferred,
# BUILD_DEPENDS_REBUILD), build scripts and their /etc/dkms overrides, post_transaction and
# signing. Every command's exit code, stdout and stderr and, at each checkpoint, the trees and
# `dkms status` are compared. These are DKMS 3.1+ behaviours Debian 12's 3.0.10 lacks, so it is
# not run here. Intended differences: docs/compat.md, dkms.
SELF=$(readlink -f "$0")
HERE=$(dirname "$SELF")
source "$HERE/lib/dkms-harness.sh"

K4=6.1.0-98-amd64 # a kernel whose headers are not installed

# Installing 1.0 over an installed 2.0 is refused and changes nothing: 2.0 stays installed.
sc_downgrade() {
  use_fake_make
  fixture hello hello-1.0
  fixture hello-2.0 hello-2.0
  dk install hello/2.0 -k "$K1"
  checkpoint "2.0 installed"
  dk install hello/1.0 -k "$K1"
  checkpoint "after the refused downgrade"
  dk install hello/1.0 -k "$K1" --force
  checkpoint "after the downgrade with --force"
}

# Two versions built from the same source without MODULE_VERSION: the second is the same module
# to DKMS ("already installed (unversioned module)") and is refused.
sc_noversion() {
  fixture nover nover-1.0
  fixture nover nover-2.0
  sed -i 's/PACKAGE_VERSION="1.0"/PACKAGE_VERSION="2.0"/' "$R/src/nover-2.0/dkms.conf"
  dk install nover/1.0 -k "$K1"
  dk install nover/2.0 -k "$K1"
  checkpoint "after installing an equal unversioned module"
}

# OBSOLETE_BY: the kernel has the module itself; install refuses.
sc_obsolete() {
  use_fake_make
  fixture obsolete obsolete-1.0
  dk install obsolete/1.0 -k "$K1"
  checkpoint "after the refused install"
}

# A package that builds no module installs (nothing to copy).
sc_zeromodules() {
  use_fake_make
  fixture zero zero-1.0
  dk add zero/1.0
  dk build zero/1.0 -k "$K1"
  dk install zero/1.0 -k "$K1"
  checkpoint "installed"
  dk uninstall zero/1.0 -k "$K1"
  dk remove zero/1.0 --all
  checkpoint "removed"
}

# Broken modules: the source directory gone (the link dangles), or the link gone while the
# source is there. Status says so; every action but add refuses with 4.
sc_broken() {
  use_fake_make
  fixture hello hello-1.0
  fixture hello-2.0 hello-2.0
  dk install hello/1.0 -k "$K1"
  dk add hello/2.0
  rm -rf "$R/src/hello-1.0"
  rm "$R/dkms/hello/2.0/source"
  checkpoint "two broken versions"
  expect_mk "status --json is valid and says what status says" status_json_agrees
  local a
  for a in build install uninstall unbuild remove mktarball; do
    dk "$a" hello/1.0 -k "$K1"
  done
  dk remove hello/2.0 --all
  dk autoinstall -k "$K1"
  dk kernel_prerm -k "$K1"
  checkpoint "after every action"
}

# dkms.conf files DKMS refuses at add: empty, invalid values, a sparse module list, duplicate
# names.
sc_badconfs() {
  local f
  for f in bad-empty bad-invalid bad-sparse bad-dup; do
    fixture "$f" "$f-1.0"
    dk add "$f/1.0"
  done
  checkpoint "nothing added"
  # AUTOINSTALL="maybe": 3.4.3 refuses (exit 8); modkit warns and takes it as yes (docs/compat.md).
  fixture bad-yesno bad-yesno-1.0
  dkx add bad-yesno/1.0
  expect_mk "AUTOINSTALL=maybe is added with a warning" \
    grep -q "Unsupported AUTOINSTALL value 'maybe', treated as 'yes'" "$O/$N.err"
}

# Kernel headers that are not installed: build, install and the hooks stop with 21.
sc_noheaders() {
  use_fake_make
  fixture hello hello-1.0
  mkdir -p "$R/root/lib/modules/$K4/kernel"
  : >"$R/root/lib/modules/$K4/modules.dep"
  dk add hello/1.0
  dk build hello/1.0 -k "$K4"
  dk install hello/1.0 -k "$K4"
  dk autoinstall -k "$K4"
  dk kernel_postinst -k "$K4"
  checkpoint "nothing built"
}

# No /etc/os-release nor /usr/lib/os-release: every action stops with 4.
sc_noosrelease() {
  fixture hello hello-1.0
  local ov=$R/.overlay
  mkdir -p "$ov"/{etc,etcw,lib,libw}
  mount -t overlay overlay -o "lowerdir=/etc,upperdir=$ov/etc,workdir=$ov/etcw" /etc || exit 97
  mount -t overlay overlay -o "lowerdir=/usr/lib,upperdir=$ov/lib,workdir=$ov/libw" /usr/lib ||
    exit 97
  rm -f /etc/os-release /usr/lib/os-release
  mount --bind "$R/sys/etc-dkms" /etc/dkms || exit 97
  dk add hello/1.0
  dk status
  checkpoint "nothing added"
}

# The argument checks of autoinstall and the kernel hooks.
sc_hookargs() {
  use_fake_make
  fixture hello hello-1.0
  dk add hello/1.0
  dk autoinstall -k "$K1" -k "$K1"
  dk autoinstall --all
  dk kernel_postinst
  dk kernel_prerm -k "$K1" -k "$K2"
  dk kernel_preinst --all
  checkpoint "nothing built"
}

# The kernel hooks' narration: kernel_postinst builds the AUTOINSTALL packages, kernel_preinst
# unbuilds them again, kernel_prerm unbuilds everything built for the kernel.
sc_kernelhooks() {
  use_fake_make
  fixture hello hello-1.0
  fixture auto-off auto-off-1.0
  fixture multi multi-1.0
  dk add hello/1.0
  dk add auto-off/1.0
  dk install multi/1.0 -k "$K1"
  dk kernel_postinst -k "$K1"
  checkpoint "after kernel_postinst"
  dk build auto-off/1.0 -k "$K1"
  dk kernel_preinst -k "$K1"
  checkpoint "after kernel_preinst"
  dk kernel_postinst -k "$K1"
  dk kernel_prerm -k "$K1"
  checkpoint "after kernel_prerm"
}

# BUILD_DEPENDS: a build without the dependency stops (13) or, with --force, warns; a newer
# dependency rebuilds its user (BUILD_DEPENDS_REBUILD, .dep_ files).
sc_builddepends() {
  use_fake_make
  fixture dep-base-1.0 dep-base-1.0
  fixture dep-base-2.0 dep-base-2.0
  fixture dep-user dep-user-1.0
  dk build dep-user/1.0 -k "$K1"
  dk build dep-user/1.0 -k "$K2" --force
  dk unbuild dep-user/1.0 -k "$K2"
  dk install dep-base/1.0 -k "$K1"
  dk install dep-user/1.0 -k "$K1"
  checkpoint "dep-user built against dep-base 1.0"
  dk install dep-base/2.0 -k "$K1"
  checkpoint "after installing dep-base 2.0"
}

# autoinstall with dependencies: one DKMS does not know (deferred, exit 0), one that fails.
sc_deferred() {
  use_fake_make
  fixture dep-unknown dep-unknown-1.0
  dk add dep-unknown/1.0
  dk autoinstall -k "$K1"
  checkpoint "deferred"
  fixture dep-onfail dep-onfail-1.0
  fixture dep-fails dep-fails-1.0
  dk add dep-onfail/1.0
  dk add dep-fails/1.0
  dk autoinstall -k "$K1"
  checkpoint "a dependency failed"
}

# PRE_BUILD/POST_BUILD run in build/ and log to make.log; an executable of the same name in
# /etc/dkms/<module>/ replaces the package's (3.4.0); a failing PRE_BUILD stops the build.
sc_buildscripts() {
  use_fake_make
  fixture bscripts bscripts-1.0
  fixture prebuild-fail prebuild-fail-1.0
  dk install bscripts/1.0 -k "$K1"
  checkpoint "package scripts"
  mkdir -p "$R/sys/etc-dkms/bscripts"
  printf '#!/bin/sh\necho "override $*"\necho "override $1" >>"${DKMS_HOOK_LOG:?}"\n' \
    >"$R/sys/etc-dkms/bscripts/step.sh"
  chmod +x "$R/sys/etc-dkms/bscripts/step.sh"
  dk install bscripts/1.0 -k "$K2"
  checkpoint "overridden pre_build and post_build"
  dk build prebuild-fail/1.0 -k "$K1"
  checkpoint "after a failed pre_build"
}

# post_transaction (framework.conf): announced, logged with a header, $kernelver set; run after
# install, uninstall, unbuild and remove. DKMS 3.4.3 never runs it after autoinstall (modkit
# does; docs/compat.md).
sc_posttransaction() {
  use_fake_make
  fixture hello hello-1.0
  fixture auto-upper auto-upper-1.0
  # shellcheck disable=SC2016
  echo 'post_transaction="echo post_transaction for \$kernelver"' >"$R/sys/etc-dkms/framework.conf"
  dk install hello/1.0 -k "$K1"
  checkpoint "after install"
  dk uninstall hello/1.0 -k "$K1"
  checkpoint "after uninstall"
  dk remove hello/1.0 --all
  dk add auto-upper/1.0
  dkx autoinstall -k "$K1"
  expect_mk "autoinstall ran post_transaction for $K1" \
    grep -q "post_transaction for $K1" "$R/dkms/post_transaction.log"
}

# Signing: a failing sign-file (warning naming the module in build/), a missing sign-file (DKMS
# leaves the module unsigned; modkit signs natively and says so), bad key and certificate
# paths, signing disabled by policy.
sc_signing() {
  use_fake_make
  fixture hello hello-1.0
  fixture multi multi-1.0
  local fw=$R/sys/etc-dkms/framework.conf
  echo 'sign_file="/bin/false"' >"$fw"
  dk build multi/1.0 -k "$K1"
  dk unbuild multi/1.0 -k "$K1"
  echo 'mok_signing_key="/no/such/dir/mok.key"' >"$fw"
  dk build hello/1.0 -k "$K1"
  dk unbuild hello/1.0 -k "$K1"
  echo 'mok_certificate="/no/such/dir/mok.pub"' >"$fw"
  dk build hello/1.0 -k "$K1"
  dk unbuild hello/1.0 -k "$K1"
  echo 'try_sign_modules="false"' >"$fw"
  dk build hello/1.0 -k "$K1"
  dk unbuild hello/1.0 -k "$K1"
  checkpoint --no-status "after the signing cases"
  echo 'sign_file="/no/such/sign-file"' >"$fw"
  dkx build hello/1.0 -k "$K1"
  expect_mk "without sign-file the module is signed natively" \
    grep -q "~Module signature appended~" "$R/dkms/hello/1.0/$K1/$ARCH/module/hello.ko"
}

if [ "${1:-}" = --worker ]; then
  shift
  worker_main "$@"
  exit $?
fi

source "$HERE/common.sh"
dkms_init
start=$SECONDS
run_scenario downgrade no-3.0.10
run_scenario noversion no-3.0.10
run_scenario obsolete no-3.0.10
run_scenario zeromodules no-3.0.10
run_scenario broken no-3.0.10
run_scenario badconfs no-3.0.10
run_scenario noheaders no-3.0.10
run_scenario noosrelease needs-ns no-3.0.10
run_scenario hookargs no-3.0.10
run_scenario kernelhooks no-3.0.10
run_scenario builddepends no-3.0.10
run_scenario deferred no-3.0.10
run_scenario buildscripts needs-ns no-3.0.10
run_scenario posttransaction needs-ns no-3.0.10
run_scenario signing needs-ns no-3.0.10
note "dkms-states: $((SECONDS - start)) s"
finish
