#!/usr/bin/env bash
# Host side of tests/vm/cases/daemon.sh: the disk behind its USB stick (its own file: boots run
# in parallel, and QEMU locks the image it writes), and the relay between the guest's second serial
# port and QEMU's monitor (hotplug-relay.py), detached; it waits for QEMU's sockets and ends
# with the VM.
# usage: stage-daemon.sh STAGE    env: WORK
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$WORK/daemon-usb.img" ] || truncate -s 8M "$WORK/daemon-usb.img"
rm -f "$WORK/hp.sock" "$WORK/mon.sock"
setsid python3 "$here/hotplug-relay.py" "$WORK" 1200 </dev/null >"$WORK/hotplug-relay.log" 2>&1 &
