#!/usr/bin/env bash
# The system test: a real Debian 12 system (scripts/system-image.sh) booted in QEMU, once with
# Debian's kmod and DKMS (stock) and once with the modkit package installed by apt in their
# place (modkit). Each variant goes through the same boots (stages/*.sh): the boot itself and
# modules-load.d, update-initramfs, a DKMS package from apt, a kernel upgrade with DKMS and a
# reboot into the new kernel, the old kernel's removal; the modkit variant also loses power in
# the middle of the kernel upgrade three times. A third variant (libkmod) installs modkit's
# libkmod.so.2 package as well, so that no package of kmod's is left, and goes through the same
# boots as stock. Every stage's checks must pass, and what the variants record (out/cmp/*) must
# be identical to stock's.
#
# usage: tests/system/run.sh [BUILD_DIR]
# env:   SYSTEM_POWERLOSS=0 (skip the power-loss boots)  SYSTEM_PARALLEL=0 (one VM at a time)
#        SYSTEM_VARIANTS="stock modkit libkmod" (the variants run; the power-loss boots are
#        modkit's)  SYSTEM_STOCK=0 (drop the stock variant and the comparison)
#        SYSTEM_KEEP=1 (keep the disks and logs)  SYSTEM_LOGS=DIR  SYSTEM_SMP, SYSTEM_MEM
# Exit 1 on any failure, 125 when the host cannot run it.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$ROOT/build
if [ $# -gt 0 ] && [ -d "$1" ]; then BUILD=$1; shift; fi
BUILD=$(cd "$BUILD" && pwd)
T0=$SECONDS

for c in qemu-system-x86_64 qemu-img mkfs.ext4 debugfs mmdebstrap lintian; do
  command -v "$c" >/dev/null || { echo "system: missing $c (scripts/install-deps.sh)"; exit 125; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modkit-system.XXXXXX")
LOGS=${SYSTEM_LOGS:-$WORK/logs}
cleanup() {
  # No VM outlives the run (an interrupted run leaves its lanes' QEMUs behind otherwise).
  local f p
  for f in "$WORK"/*/results/*/qemu.pid; do
    [ -e "$f" ] || continue
    p=$(cat "$f")
    grep -qa qemu-system "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p" 2>/dev/null
  done
  if [ "${SYSTEM_KEEP:-0}" = 1 ]; then echo "system: everything kept in $WORK"; return; fi
  rm -f "$WORK"/*/*.qcow2 "$WORK"/*/payload.img
  [ "${FAILED:-1}" = 0 ] && rm -rf "$WORK"
  return 0
}
trap cleanup EXIT

IMAGE=$(bash "$ROOT/scripts/system-image.sh")
echo "system: image $IMAGE ($((SECONDS - T0)) s)"
bash "$ROOT/packaging/build-deb.sh" "$BUILD" "$WORK/deb" >"$WORK/debs" 2>"$WORK/deb.log" ||
  { cat "$WORK/deb.log"; echo "system: the packages could not be built"; exit 1; }
DEB=$(grep '/modkit_[^/]*\.deb$' "$WORK/debs") LIBDEB=$(grep '/libkmod2-modkit_[^/]*\.deb$' "$WORK/debs")
echo "system: packages $(basename "$DEB") $(basename "$LIBDEB")"
VARIANTS=" ${SYSTEM_VARIANTS:-stock modkit libkmod} "
[ "${SYSTEM_STOCK:-1}" = 1 ] || VARIANTS=${VARIANTS/ stock / } # SYSTEM_STOCK=0: modkit's variants only
has() { [[ "$VARIANTS" == *" $1 "* ]]; }
source "$HERE/lib/host.sh"

CMDLINE="modules_load=dummy,veth dummy.numdummies=3 loop.max_part=7 snd_aloop.pcm_notify=1"
K_OLD=6.1.0-50-amd64
K_NEW=6.1.0-47-amd64
STOCK=$WORK/stock MODKIT=$WORK/modkit PL=$WORK/powerloss LIBKMOD=$WORK/libkmod

# A lane runs stages one after another and stops at the first that fails; "STAGE.done" and
# "STAGE.failed" files tell the other lane and the report.
stage() { # VDIR VARIANT STAGE DISK KERNEL TIMEOUT [KILLPOINT_FILE]
  local vdir=$1 stage=$3
  if sys_stage "$1" "$2" "$3" "$4" "$5" "$CMDLINE" "$6" "${7:-}"; then
    touch "$vdir/$stage.done"
  else
    touch "$vdir/$stage.failed"
    return 1
  fi
}
wait_for() { # FILE.done: waits while neither it nor FILE.failed exists
  while [ ! -e "$1.done" ] && [ ! -e "$1.failed" ]; do sleep 2; done
  [ -e "$1.done" ]
}

lane_stock() {
  has stock || return 0
  sys_variant_init "$STOCK"
  stage "$STOCK" stock boot "$STOCK/root.qcow2" "$K_OLD" 2400 &&
    stage "$STOCK" stock upgrade "$STOCK/root.qcow2" "$K_OLD" 2400 &&
    stage "$STOCK" stock newkernel "$STOCK/root.qcow2" "$K_NEW" 1200
}
lane_modkit() {
  has modkit || return 0
  sys_variant_init "$MODKIT"
  stage "$MODKIT" modkit install "$MODKIT/root.qcow2" "$K_OLD" 1200 &&
    stage "$MODKIT" modkit boot "$MODKIT/root.qcow2" "$K_OLD" 2400 || return 1
  # The state before the upgrade is kept: the power-loss boots start from it too.
  mkdir -p "$PL/boot" "$PL/results"
  cp -a "$MODKIT/boot/." "$PL/boot/"
  sys_fork_disk "$MODKIT/root.qcow2" "$PL/root.qcow2"
  sys_fork_disk "$MODKIT/root.qcow2" "$MODKIT/upgrade.qcow2"
  touch "$MODKIT/forked.done"
}
lane_modkit_upgrade() {
  has modkit || return 0
  wait_for "$MODKIT/forked" || return 1
  stage "$MODKIT" modkit upgrade "$MODKIT/upgrade.qcow2" "$K_OLD" 2400 &&
    stage "$MODKIT" modkit newkernel "$MODKIT/upgrade.qcow2" "$K_NEW" 1200
}
lane_powerloss() {
  has modkit || return 0
  wait_for "$MODKIT/forked" || return 1
  [ "${SYSTEM_POWERLOSS:-1}" = 1 ] || return 0
  printf 'depmod ^(/s?bin/)?depmod 0.3\n' >"$WORK/kp-depmod"
  printf 'initramfs mkinitramfs.-o 2\n' >"$WORK/kp-initramfs"
  : >"$WORK/kp-none"
  stage "$PL" modkit powerloss-start "$PL/root.qcow2" "$K_OLD" 2400 /dev/null &&
    cp -r "$PL/results/powerloss-start" "$PL/results/powerloss-start.keep" &&
    stage_resume depmod "$WORK/kp-depmod" && stage_resume initramfs "$WORK/kp-initramfs" &&
    stage_resume final ""
}
lane_libkmod() {
  has libkmod || return 0
  sys_variant_init "$LIBKMOD"
  stage "$LIBKMOD" libkmod install "$LIBKMOD/root.qcow2" "$K_OLD" 1200 &&
    stage "$LIBKMOD" libkmod boot "$LIBKMOD/root.qcow2" "$K_OLD" 2400 &&
    stage "$LIBKMOD" libkmod upgrade "$LIBKMOD/root.qcow2" "$K_OLD" 2400 &&
    stage "$LIBKMOD" libkmod newkernel "$LIBKMOD/root.qcow2" "$K_NEW" 1200
}
# The resume stage runs three times; each run's results are kept under its own name.
stage_resume() { # NAME KILLPOINT_FILE
  local rc=0
  stage "$PL" modkit powerloss-resume "$PL/root.qcow2" "$K_OLD" 2400 "$2" || rc=$?
  rm -rf "$PL/results/resume-$1"
  mv "$PL/results/powerloss-resume" "$PL/results/resume-$1"
  return $rc
}

echo "system: stock and modkit variants ($([ "${SYSTEM_PARALLEL:-1}" = 1 ] && echo in parallel || echo one after the other))"
if [ "${SYSTEM_PARALLEL:-1}" = 1 ]; then
  # Two lanes, about the same length: the stock variant then the modkit upgrade; the modkit
  # install and boot then the power-loss boots.
  ( lane_stock; lane_modkit_upgrade ) >"$WORK/lane1.log" 2>&1 &
  ( lane_modkit; lane_powerloss ) >"$WORK/lane2.log" 2>&1 &
  lane_libkmod >"$WORK/lane3.log" 2>&1 &
  wait || true
else
  lane_stock >"$WORK/lane1.log" 2>&1 || true
  { lane_modkit && lane_modkit_upgrade && lane_powerloss; } >"$WORK/lane2.log" 2>&1 || true
  lane_libkmod >"$WORK/lane3.log" 2>&1 || true
fi

FAILED=0
echo "-- stages"
report() { # VDIR VARIANT STAGE
  if [ ! -e "$1/results/$3" ]; then printf '  FAIL  %-7s %-18s not run\n' "$2" "$3"; FAILED=1; return; fi
  sys_report_stage "$1" "$2" "$3" || FAILED=1
}
if has stock; then for s in boot upgrade newkernel; do report "$STOCK" stock "$s"; done; fi
if has modkit; then for s in install boot upgrade newkernel; do report "$MODKIT" modkit "$s"; done; fi
if has libkmod; then for s in install boot upgrade newkernel; do report "$LIBKMOD" libkmod "$s"; done; fi
if has modkit && [ "${SYSTEM_POWERLOSS:-1}" = 1 ]; then
  [ -e "$PL/results/powerloss-start.keep" ] && mv "$PL/results/powerloss-start.keep" "$PL/results/powerloss-start"
  for s in powerloss-start resume-depmod resume-initramfs resume-final; do report "$PL" modkit "$s"; done
fi

for v in modkit libkmod; do
  has stock && has $v || continue
  echo "-- stock vs $v"
  for s in boot upgrade newkernel; do
    for f in "$STOCK/results/$s/out/cmp"/*; do
      [ -e "$f" ] || continue
      n=$(basename "$f") m=$WORK/$v/results/$s/out/cmp/$(basename "$f")
      if [ ! -e "$m" ]; then printf '  MISSING %s/%s (%s)\n' "$s" "$n" "$v"; FAILED=1
      elif cmp -s "$f" "$m"; then printf '  same  %s/%s\n' "$s" "$n"
      else
        FAILED=1
        printf '  DIFF  %s/%s  (stock <, %s >)\n' "$s" "$n" "$v"
        diff "$f" "$m" | head -30 | sed 's/^/        /' || true
      fi
    done
  done
done

mkdir -p "$LOGS"
cp -r "$WORK"/lane*.log "$LOGS/" 2>/dev/null || true
for v in stock modkit powerloss libkmod; do [ -d "$WORK/$v/results" ] && cp -r "$WORK/$v/results" "$LOGS/$v"; done
echo "system: $([ $FAILED = 0 ] && echo passed || echo FAILED) in $((SECONDS - T0)) s (logs: $LOGS)"
[ "$FAILED" = 0 ]
