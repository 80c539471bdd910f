#!/usr/bin/env bash
# The binary packages of `modkit dkms mkbmdeb` (made by tests/packages/host.sh) in a booted
# Debian 12 (the image and harness of tests/system): modkit's package replaces kmod and DKMS,
# gcc, make and the kernel headers are purged, then apt installs the v4l2loopback packages for
# 6.1.0-50 and 6.1.0-47; modprobe works in each kernel (two boots), `dpkg -S` and `dkms status`
# answer, an upgrade to the next version and the removal leave the module tree and every index
# exactly as a fresh depmod writes them.
# usage: tests/packages/system.sh [BUILD_DIR]   (two TCG boots: about 15 minutes)
# Exit 1 on any failure, 125 when the host cannot run it.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
T0=$SECONDS
for c in qemu-system-x86_64 qemu-img mkfs.ext4 debugfs mmdebstrap lintian; do
  command -v "$c" >/dev/null || { echo "packages-system: missing $c (scripts/install-deps.sh)"; exit 125; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modkit-packages-system.XXXXXX")
cleanup() {
  local f p
  for f in "$WORK"/*/results/*/qemu.pid; do
    [ -e "$f" ] || continue
    p=$(cat "$f")
    grep -qa qemu-system "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p" 2>/dev/null
  done
  if [ "${SYSTEM_KEEP:-0}" = 1 ]; then echo "packages-system: kept in $WORK"; return 0; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

IMAGE=$(bash "$ROOT/scripts/system-image.sh")
DEB=$(bash "$ROOT/packaging/build-deb.sh" "$BUILD" "$WORK/deb" 2>"$WORK/deb.log") ||
  { cat "$WORK/deb.log"; echo "packages-system: the modkit package could not be built"; exit 1; }
echo "packages-system: image $IMAGE, $(basename "$DEB")"
# The packages under test, made on this host.
STAGES=$WORK/stages
mkdir -p "$STAGES/pk-install.files/pk"
cp "$HERE"/stages/*.sh "$STAGES/"
FAILED=0
if ! PACKAGES_OUT=$STAGES/pk-install.files/pk bash "$HERE/host.sh" "$BUILD" >"$WORK/host.log" 2>&1; then
  grep -E '^(FAIL|SKIP)' "$WORK/host.log" || tail -20 "$WORK/host.log"
  echo "packages-system: tests/packages/host.sh failed"
  FAILED=1
fi
tail -1 "$WORK/host.log"
[ "$(ls "$STAGES/pk-install.files/pk" | grep -c '^v4l2loopback-modules-.*\.deb$')" = 4 ] ||
  { echo "packages-system: host.sh made no packages to install"; exit 1; }
cp -r "$STAGES/pk-install.files" "$STAGES/pk-upgrade.files"
ls "$STAGES/pk-install.files/pk"
export STAGES
source "$ROOT/tests/system/lib/host.sh"
HERE=$ROOT/tests/system # host.sh's stages default; STAGES is set

CMDLINE="loop.max_part=7"
V=$WORK/vm
sys_variant_init "$V"
run_stage() { # STAGE KERNEL TIMEOUT: fails when this stage failed (the next needs its state)
  local rc=0
  sys_stage "$V" modkit "$1" "$V/root.qcow2" "$2" "$CMDLINE" "$3" || rc=1
  sys_report_stage "$V" modkit "$1" || rc=1
  sed -n 's/^\(ok\|FAIL\): /  \1: /p' "$V/results/$1/out/checks.log" 2>/dev/null
  [ "$rc" = 0 ] || FAILED=1
  return $rc
}
run_stage pk-install 6.1.0-50-amd64 2400 && run_stage pk-upgrade 6.1.0-47-amd64 2400 || true
if [ -n "${SYSTEM_LOGS:-}" ]; then mkdir -p "$SYSTEM_LOGS" && cp -r "$V/results" "$SYSTEM_LOGS/"; fi
echo "packages-system: $([ $FAILED = 0 ] && echo passed || echo FAILED) in $((SECONDS - T0)) s"
[ "$FAILED" = 0 ]
