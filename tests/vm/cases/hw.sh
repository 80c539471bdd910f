# `modkit hw` against the kernel's own device binding: QEMU attaches virtio-net, e1000e,
# virtio-rng and a usb-storage stick on an xHCI controller. Before each round of a udev-like
# coldplug (every device's modalias through `modprobe -b -a`, blacklist applied, as udev's
# kmod builtin does), `hw --json` predicts the modules for every device not yet driven; after
# the rounds each of those devices must be bound to a driver of one of the predicted modules
# (USB devices appear only once xhci_pci is loaded, the SCSI disk once usb_storage is).
# needs: virtio_pci virtio_net e1000e virtio_rng xhci_pci usb_storage sd_mod
# needs-stage: hw
# qemu: -device virtio-net-pci -device e1000e -device virtio-rng-pci -device qemu-xhci,id=xhci -drive if=none,id=stick,format=raw,file=@WORK@/usb.img -device usb-storage,bus=xhci.0,drive=stick
# timeout: 180
nocompare on
# predict: device id -> "module module ..." for devices hw says are available, from --json.
predict() {
  /sbin/modkit hw --json | awk '
    /^    \{$/ { id = ""; st = ""; mods = "" }
    /^      "id": / { id = $2; gsub(/[",]/, "", id) }
    /^      "status": / { st = $2; gsub(/[",]/, "", st) }
    /"module": / { m = $2; gsub(/[",]/, "", m); mods = mods " " m }
    /^    \}/ { if (st == "available") print id mods }'
}
coldplug() {
  for f in /sys/bus/*/devices/*/modalias; do
    [ -r "$f" ] && /sbin/modprobe -b -q -a "$(cat "$f")"
  done
}
: >/tmp/predicted
# Devices appear as their buses are driven, some after a delay (usb-storage lets the device
# settle before the SCSI disk shows up): rounds until two quiet ones in a row.
quiet=0
for round in 1 2 3 4 5 6 7 8; do
  predict >/tmp/round
  if [ -s /tmp/round ]; then
    quiet=0
    cat /tmp/round >>/tmp/predicted
    note "round $round: $(tr '\n' ';' </tmp/round)"
    coldplug
  else
    quiet=$((quiet + 1))
    [ $quiet -ge 2 ] && break
  fi
  sleep 2
done
expect_match "virtio-net predicted" "virtio_net" "$(cat /tmp/predicted)"
expect_match "e1000e predicted" "e1000e" "$(cat /tmp/predicted)"
expect_match "virtio-rng predicted" "virtio_rng" "$(cat /tmp/predicted)"
expect_match "xHCI predicted" "xhci_pci" "$(cat /tmp/predicted)"
expect_match "the USB stick predicted once the controller is up" "usb_storage|uas" "$(cat /tmp/predicted)"
expect_match "its SCSI disk predicted once the stick is driven" "sd_mod" "$(cat /tmp/predicted)"
# Every prediction against what the kernel bound.
while read -r id mods; do
  dir=$(ls -d /sys/bus/*/devices/"$id" 2>/dev/null | head -1)
  drv=$(basename "$(readlink "$dir/driver" 2>/dev/null)" 2>/dev/null)
  mod=$(basename "$(readlink "$dir/driver/module" 2>/dev/null)" 2>/dev/null)
  case " $mods " in
  *" $mod "*) ok "$id: bound to $drv of predicted module $mod" ;;
  *) fail "$id: predicted [$mods], the kernel bound driver '$drv' of module '$mod'" ;;
  esac
done </tmp/predicted
# After coldplug nothing the tree can drive is left undriven, and --modules lists the drivers.
expect_eq "nothing left available" "" "$(predict)"
mods=$(/sbin/modkit hw --modules | tr '\n' ' ')
for m in virtio_net e1000e virtio_rng xhci_pci usb_storage sd_mod; do
  expect_match "hw --modules names $m" " $m " " $mods "
done
run /sbin/modkit hw
nocompare off
