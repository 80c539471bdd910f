#!/bin/sh
# Runs after every boot of the test image (modkit-test-agent.service): hands over to the
# payload disk's run.sh (mounted at /payload by early.sh), which does the boot's work, writes
# its results there and powers the machine off. Without a payload it does nothing.
exec >/dev/ttyS0 2>&1
[ -b /dev/vdb ] || exit 0
mkdir -p /payload
mountpoint -q /payload || mount /dev/vdb /payload ||
  { echo "=== AGENT cannot mount /dev/vdb"; systemctl --force poweroff; }
echo "=== AGENT up $(cut -d' ' -f1 /proc/uptime)"
exec /bin/bash /payload/run.sh
