#!/usr/bin/env bash
# Real Debian DKMS packages (v4l2loopback-dkms, acpi-call-dkms, fetched by
# scripts/fetch-dkms-packages.sh) through add, build and install for K1 with DKMS 3.0.10 and
# with modkit's dkms: exit codes, status, trees and the signed modules compared; then the
# install tree indexed by modkit's depmod and kmod's. Also a module whose Makefile builds for
# another kernel: 3.0.10 installs it, modkit must refuse. Intended differences: docs/compat.md, dkms.
SELF=$(readlink -f "$0")
HERE=$(dirname "$SELF")
source "$HERE/lib/dkms-harness.sh"

# Copies the package's /usr/src/<m>-<v> into the sandbox's source tree; prints nothing.
pkg_source() { # PACKAGE
  local d
  for d in "$PKGS/$1/usr/src/"*/; do cp -a "$d" "$R/src/"; done
}

sc_v4l2loopback() {
  pkg_source v4l2loopback-dkms
  dk add v4l2loopback/0.12.7
  dk build v4l2loopback/0.12.7 -k "$K1"
  dk install v4l2loopback/0.12.7 -k "$K1"
  checkpoint "after add, build, install"
  index_check "after install" "$K1"
}

sc_acpi_call() {
  pkg_source acpi-call-dkms
  dk add acpi-call/1.2.2
  dk build acpi-call/1.2.2 -k "$K1"
  dk install acpi-call/1.2.2 -k "$K1"
  checkpoint "after add, build, install"
  index_check "after install" "$K1"
}

# The Makefile builds against K2's headers whatever DKMS asks for. DKMS never looks at the
# module's vermagic; modkit must refuse the install, saying which kernel the module is for.
sc_wrongkernel() {
  fixture wrongkernel wrongkernel-1.0
  export WRONG_KDIR=/usr/src/linux-headers-$K2
  # 3.0.10 builds it; modkit checks each module right after the build and keeps it out of the
  # built state, so both the build and the install (which retries the build) refuse.
  dkx build wrongkernel/1.0 -k "$K1"
  expect_mk "build refuses the module (exit 10)" test "$LAST_RC" = 10
  info "vermagic of the module built for $K1" \
    modinfo -F vermagic "$R/dkms/wrongkernel/1.0/$K1/$ARCH/module/wrongk.ko"
  dkx install wrongkernel/1.0 -k "$K1"
  info "install output, last lines" cat "$LAST_OUT.out" "$LAST_OUT.err"
  expect_mk "install exits non-zero" test "$LAST_RC" -ne 0
  expect_mk "install says 'built for kernel $K2'" grep -q "built for kernel $K2" "$LAST_OUT.out" "$LAST_OUT.err"
  expect_mk "nothing installed in $K1" test ! -e "$R/root/lib/modules/$K1/updates/dkms/wrongk.ko"
  expect_mk "status does not say installed" \
    bash -c '! "$0" status "$@" | grep -q ": installed"' "$TOOL" --dkmstree "$R/dkms" \
    --sourcetree "$R/src" --installtree "$R/root/lib/modules"
  info "status" "$TOOL" status --dkmstree "$R/dkms" --sourcetree "$R/src" --installtree "$R/root/lib/modules"
}

if [ "${1:-}" = --worker ]; then
  shift
  worker_main "$@"
  exit $?
fi

source "$HERE/common.sh"
PKGS=$(bash "$ROOT/scripts/fetch-dkms-packages.sh") || skip "could not fetch the DKMS packages (scripts/fetch-dkms-packages.sh)"
export PKGS
dkms_init
start=$SECONDS

# modkit's depmod and kmod's over the install tree DKMS 3.0.10 left (the same modules modkit's
# dkms installs when the trees compare equal; modkit's tree when 3.0.10's came from the cache):
# the indexes must agree.
depmod_over_tree() { # SCENARIO
  local t=$WORK/trees/$1.ref/root d=$WORK/depmod-$1
  [ -d "$t" ] || t=$WORK/trees/$1.mk/root # DKMS 3.0.10's records came from the cache
  [ -d "$t" ] || return 0
  mkdir -p "$d"
  cp -a "$t/lib" "$d/"
  rm -f "$d/lib/modules/$K1"/modules.*
  depmod_pair "$1: modkit depmod vs kmod depmod -b over the installed tree" "$d" "$K1"
}
AFTER_SCENARIO=depmod_over_tree

run_scenario v4l2loopback
run_scenario acpi_call
AFTER_SCENARIO=
run_scenario wrongkernel
note "dkms-packages: $((SECONDS - start)) s"
finish
