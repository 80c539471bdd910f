#!/usr/bin/env bash
# Builds real Debian DKMS packages (v4l2loopback-dkms, acpi-call-dkms; fetched by
# scripts/fetch-dkms-packages.sh) with modkit's dkms against linux-headers-<kver>, exactly as
# a user would: add, build, install, into a throwaway DKMS tree and install tree. What modkit
# installed (<kver>/updates/dkms/*.ko, signed with a throwaway MOK key) is copied to OUT for
# the VM's module tree; OUT/status holds `dkms status` after the install.
# usage: dkms-modules.sh BUILD_DIR KVER OUT   exit 2 (with a reason on stderr) when it cannot
set -euo pipefail
BUILD=$1 KVER=$2 OUT=$3
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
HDR=/usr/src/linux-headers-$KVER
[ -f "$HDR/Makefile" ] || { echo "no kernel headers in $HDR (scripts/install-deps.sh installs linux-headers-$KVER)" >&2; exit 2; }
[ -x "$BUILD/dkms" ] || { echo "no $BUILD/dkms" >&2; exit 2; }
PKGS=$(bash "$ROOT/scripts/fetch-dkms-packages.sh") || { echo "could not fetch the DKMS packages" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/modkit-vm-dkms.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/dkms" "$tmp/src" "$tmp/lib/$KVER"
ln -s "$HDR" "$tmp/lib/$KVER/build"
# The MOK key pair is generated into the sandbox, never /var/lib/dkms.
export mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub
dk() { "$BUILD/dkms" "$@" --dkmstree "$tmp/dkms" --sourcetree "$tmp/src" --installtree "$tmp/lib"; }

for p in v4l2loopback-dkms acpi-call-dkms; do
  for d in "$PKGS/$p/usr/src/"*/; do cp -a "$d" "$tmp/src/"; done
done
for mv in v4l2loopback/0.12.7 acpi-call/1.2.2; do
  for action in add build install; do
    if ! dk "$action" "$mv" -k "$KVER" >"$tmp/out" 2>&1; then
      echo "modkit dkms $action $mv -k $KVER failed:" >&2
      tail -20 "$tmp/out" >&2
      log=$(ls "$tmp/dkms/${mv%/*}/${mv#*/}"/build/make.log 2>/dev/null || true)
      [ -z "$log" ] || tail -20 "$log" >&2
      exit 1
    fi
  done
done
mkdir -p "$OUT"
cp -a "$tmp/lib/$KVER/updates" "$OUT/"
dk status >"$OUT/status"
