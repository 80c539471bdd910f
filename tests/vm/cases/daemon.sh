# modkitd without udev (busybox init): started with no driver loaded it coldplugs the drivers of
# the devices QEMU attached (virtio-net, e1000e, virtio-rng, usb-storage on xHCI: USB devices
# appear only once xhci_pci is loaded, through uevents); each load is logged with its provenance.
# The set it loads equals what Debian 12's systemd-udevd (Debian's libkmod) loads for the same
# devices, and both are timed: coldplug, and a card hot-plugged with QEMU's device_add. Then: a storm of synthetic add events (writes to uevent files) merges and keeps memory bounded;
# a PCI device hot-removed leaves its driver idle and the idle policy unloads it (never a bound,
# in-use or kept one); a rescan brings it back within a measured time; a kill -9 and a restart
# catch up on a device that appeared meanwhile.
# needs: virtio_pci virtio_net e1000e virtio_rng xhci_pci usb_storage sd_mod
# needs-stage: daemon
# needs-libkmod-clients: yes
# qemu: -device virtio-net-pci -device e1000e -device virtio-rng-pci -device qemu-xhci,id=xhci -drive if=none,id=stick,format=raw,file=@WORK@/daemon-usb.img -device usb-storage,bus=xhci.0,drive=stick -monitor unix:@WORK@/mon.sock,server=on,wait=off -chardev socket,id=hp,path=@WORK@/hp.sock,server=on,wait=off -device isa-serial,chardev=hp
# timeout: 480
is_modkit || skip "modkitd is a modkit feature"
nocompare on
DRIVERS="virtio_net e1000e virtio_rng xhci_pci usb_storage sd_mod"
not_loaded "no driver loaded before modkitd" $DRIVERS
mkdir -p /etc/modkit
conf() { # IDLE_UNLOAD [PRESSURE_THRESHOLD]
  cat >/etc/modkit/modkitd.conf <<CONF
# idle on-demand modules go after 3 seconds; virtio_rng is kept whatever happens
idle-unload = $1
pressure-threshold = ${2:-10}
idle-seconds = 3
check-seconds = 1
keep = virtio_rng
status-file = /run/modkit/modkitd.json
history-file = /tmp/modkitd-history
CONF
}
conf off
echo "options e1000e copybreak=128" >/etc/modprobe.d/e1000e.conf
start_daemon() {
  /sbin/modkit daemon -v >>/tmp/modkitd.log 2>&1 &
  DPID=$!
}
wait_loaded() { # SECONDS MOD...: until every module is live; prints the elapsed milliseconds
  _t0=$(cut -d' ' -f1 /proc/uptime)
  _limit=$1
  shift
  _i=0
  while [ $_i -lt $((_limit * 10)) ]; do
    _all=1
    for _m in "$@"; do [ "$(state_of "$_m")" = live ] || _all=0; done
    [ $_all = 1 ] && break
    sleep 0.1
    _i=$((_i + 1))
  done
  _t1=$(cut -d' ' -f1 /proc/uptime)
  awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%d\n", (b - a) * 1000 }'
}
# QEMU's monitor, through tests/vm/lib/hotplug-relay.py on the guest's second serial port.
stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3<>/dev/ttyS1
qemu_monitor() { # COMMAND...: ok, or FAIL with the relay's answer
  echo "$*" >&3
  ack=
  read -t 30 -r ack <&3
  [ "$ack" = ok ] && return 0
  fail "monitor '$*': ${ack:-no answer from the relay}"
  return 1
}
start_daemon
ms=$(wait_loaded 90 $DRIVERS)
note "coldplug of every device: ${ms} ms"
loaded "modkitd coldplugged every driver, USB ones through uevents" $DRIVERS
# Every device with a modalias the tree can drive is bound to a driver.
for d in /sys/bus/pci/devices/*; do
  grep -qE '^pci:v00001AF4|^pci:v00008086d000010D3|^pci:v00001B36d0000000D' "$d/modalias" || continue
  [ -e "$d/driver" ] && ok "$(basename "$d") bound to $(basename "$(readlink "$d/driver")")" ||
    fail "$(basename "$d") ($(cat "$d/modalias")) has no driver"
done
log=$(cat /tmp/modkitd.log)
expect_match "the load of virtio_net says which alias matched" \
  'INFO: loaded virtio_net for /[^ ]+ \(virtio:[^)]+\): modules.alias pattern virtio:d00000001v\*' "$log"
expect_match "the load of e1000e names the options line" \
  "INFO: loaded e1000e for .*options 'copybreak=128' \[/etc/modprobe.d/e1000e.conf:1\]" "$log"
expect_eq "e1000e got its options" 128 "$(param e1000e copybreak)"
expect_match "dependencies are logged as such" 'INFO: loaded [a-z_0-9]+ as a dependency of ' "$log"
expect_match "status names the on-demand modules" '"module": "virtio_net"' "$(/sbin/modkit daemon status --json)"

# The oracle: Debian 12's systemd-udevd with Debian's libkmod (80-drivers.rules: kmod load
# $MODALIAS) on the same devices must load the same set. Timed, as is its hotplug of a card.
ours=$(cut -d' ' -f1 /proc/modules | sort | tr '\n' ' ')
kill $DPID
wait $DPID 2>/dev/null
unload_all() { for pass in 1 2 3 4 5 6; do for m in $(cut -d' ' -f1 /proc/modules); do busybox rmmod "$m" 2>/dev/null; done; done; }
unload_all
not_loaded "all removed for udev" $DRIVERS
C=/opt/clients/bin
t0=$(cut -d' ' -f1 /proc/uptime)
$C/systemd-udevd --daemon >/dev/null 2>&1
$C/udevadm trigger --type=devices --action=add >/dev/null 2>&1
$C/udevadm settle --timeout=120
t1=$(cut -d' ' -f1 /proc/uptime)
# USB storage settles a little later: until every driver is there (or 60 s).
ms=$(wait_loaded 60 $DRIVERS)
$C/udevadm settle --timeout=120
note "udev coldplug (trigger + settle): $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }') ms, every driver after $ms ms more"
theirs=$(cut -d' ' -f1 /proc/modules | sort | tr '\n' ' ')
expect_eq "modkitd loads the set systemd-udevd loads for the same devices" "$theirs" "$ours"
# udev's hotplug time for a new card whose driver is not loaded.
busybox rmmod e1000e
if qemu_monitor device_add e1000e,id=hot2,bus=pci.0,addr=0x11; then
  ms=$(wait_loaded 30 e1000e)
  loaded "udev loaded e1000e for the hot-plugged card" e1000e
  note "udev: QEMU device_add to e1000e live: ${ms} ms"
  qemu_monitor device_del hot2
  sleep 2
fi
$C/udevadm control --exit >/dev/null 2>&1
sleep 1

# Everything removed again; a restarted modkitd coldplugs it all, then a storm of add events.
unload_all
: >/tmp/modkitd.log
start_daemon
wait_loaded 90 $DRIVERS >/dev/null
loaded "restarted: every driver again" $DRIVERS
rss0=$(awk '/^VmRSS/ { print $2 }' /proc/$DPID/status)
n=0
for round in $(seq 1 150); do
  for u in /sys/bus/pci/devices/*/uevent /sys/bus/usb/devices/*/uevent; do
    echo add >"$u" 2>/dev/null && n=$((n + 1))
  done
done
sleep 3
rss1=$(awk '/^VmRSS/ { print $2 }' /proc/$DPID/status)
note "storm of $n add events: RSS ${rss0} kB -> ${rss1} kB"
[ -d /proc/$DPID ] && ok "modkitd survived $n events" || fail "modkitd died during the storm"
[ $((rss1 - rss0)) -lt 4096 ] && ok "memory did not grow by 4 MiB ($rss0 -> $rss1 kB)" ||
  fail "memory grew from $rss0 to $rss1 kB"
status=$(/sbin/modkit daemon status --json)
expect_match "events were merged" '"merged": [1-9]' "$status"
expect_match "every event was received" "\"uevents\": [0-9]+" "$status"
note "$(echo "$status" | grep -E '"(uevents|requests|merged|overruns|rescans|queue_full)"' | tr -d ' \n')"

# Idle unloading switched on by SIGHUP. Hot removal: the driver of a removed device is idle
# and goes; bound and kept ones stay.
conf idle
kill -HUP $DPID
sleep 1
expect_match "SIGHUP re-read the configuration" 'INFO: SIGHUP: configuration reloaded' "$(cat /tmp/modkitd.log)"
e1000e_dev=$(grep -l '^pci:v00008086d000010D3' /sys/bus/pci/devices/*/modalias | head -1)
e1000e_dev=${e1000e_dev%/modalias}
echo 1 >"$e1000e_dev/remove"
i=0
while [ "$(state_of e1000e)" != absent ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
not_loaded "e1000e unloaded once its device was gone" e1000e
expect_match "the unload is logged with its reason" \
  'INFO: unloaded e1000e: unused for [0-9]+s \(refcount 0, no holders, no bound device\)' "$(cat /tmp/modkitd.log)"
loaded "drivers with devices stay" virtio_net xhci_pci usb_storage virtio_rng
expect_nomatch "virtio_rng (kept, bound) never unloaded" 'unloaded virtio_rng' "$(cat /tmp/modkitd.log)"
expect_match "history records the unload" "	unloaded	e1000e	" "$(cat /tmp/modkitd-history)"
expect_match "modkit explain shows the on-demand history" \
  '^    [0-9-]+ [0-9:]+ UTC unloaded: unused for ' "$(/sbin/modkit explain e1000e)"

# Hotplug through QEMU's monitor (device_add/device_del; tests/vm/lib/hotplug-relay.py relays
# the guest's requests from its second serial port): a new e1000e gets its driver, and once it
# is unplugged the idle policy takes the driver away again.
if qemu_monitor device_add e1000e,id=hot1,bus=pci.0,addr=0x10; then
  ms=$(wait_loaded 30 e1000e)
  loaded "device_add: e1000e loaded for the hot-plugged card" e1000e
  note "QEMU device_add to e1000e live: ${ms} ms"
  expect_match "the load names the hot-plugged device" 'loaded e1000e for /devices/pci0000:00/0000:00:10.0 ' "$(cat /tmp/modkitd.log)"
  # The ACPI hotplug rescanned the bus, so the first card is back and bound too: after
  # device_del the driver still has a device and must stay.
  qemu_monitor device_del hot1
  i=0
  while [ -e /sys/bus/pci/devices/0000:00:10.0 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
  [ ! -e /sys/bus/pci/devices/0000:00:10.0 ] && ok "device_del removed the card" || fail "0000:00:10.0 still there after device_del"
  sleep 5
  if [ -e "$e1000e_dev" ]; then
    loaded "the driver stays while the other card uses it" e1000e
    echo 1 >"$e1000e_dev/remove"
  fi
  i=0
  while [ "$(state_of e1000e)" != absent ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
  not_loaded "no card left: the idle driver unloaded again" e1000e
fi

# Hotplug: the first device comes back (PCI rescan: a real add uevent); time to live.
t0=$(cut -d' ' -f1 /proc/uptime)
echo 1 >/sys/bus/pci/rescan
ms=$(wait_loaded 30 e1000e)
loaded "e1000e loaded again for the re-added device" e1000e
note "hotplug add event to e1000e live: ${ms} ms"

# idle-unload=pressure reads the kernel's PSI (/proc/pressure/memory): above a threshold the
# memory pressure cannot reach, an idle driver stays; at threshold 0 it goes, and the log shows
# the pressure read.
conf pressure 100
kill -HUP $DPID
sleep 1
echo 1 >"$e1000e_dev/remove"
sleep 6
loaded "idle-unload=pressure: an idle driver stays while pressure is below the threshold" e1000e
conf pressure 0
kill -HUP $DPID
i=0
while [ "$(state_of e1000e)" != absent ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
not_loaded "idle-unload=pressure: it goes once pressure is at the threshold" e1000e
expect_match "the reason quotes the pressure read from PSI" \
  'unloaded e1000e: unused for [0-9]+s .* and memory pressure [0-9]+\.[0-9][0-9]% at or above 0\.00%' "$(cat /tmp/modkitd.log)"
note "PSI: $(head -1 /proc/pressure/memory)"
echo 1 >/sys/bus/pci/rescan
wait_loaded 30 e1000e >/dev/null

# kill -9, a device appears meanwhile, the restart catches up.
kill -9 $DPID
wait $DPID 2>/dev/null
e1000e_dev=$(grep -l '^pci:v00008086d000010D3' /sys/bus/pci/devices/*/modalias | head -1)
e1000e_dev=${e1000e_dev%/modalias}
echo 1 >"$e1000e_dev/remove"
busybox rmmod e1000e
echo 1 >/sys/bus/pci/rescan
sleep 1
not_loaded "no daemon: the new device has no driver" e1000e
start_daemon
ms=$(wait_loaded 30 e1000e)
loaded "the restarted modkitd caught up on the device" e1000e
note "restart to e1000e live: ${ms} ms"
kill $DPID
wait $DPID 2>/dev/null
expect_match "SIGTERM stops it cleanly" 'INFO: stopped' "$(cat /tmp/modkitd.log)"
nocompare off
