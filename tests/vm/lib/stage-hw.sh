#!/usr/bin/env bash
# Host side of tests/vm/cases/hw.sh: the disk image behind the QEMU usb-storage device.
# usage: stage-hw.sh STAGE    env: WORK
set -euo pipefail
[ -f "$WORK/usb.img" ] || truncate -s 8M "$WORK/usb.img"
