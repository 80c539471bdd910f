# libkmod.so.2's real clients, unchanged Debian 12 binaries, once with Debian's libkmod and once
# with modkit's (LD_LIBRARY_PATH=/opt/modkit-lib): systemd-modules-load with a modules-load.d
# list, udevadm test-builtin 'kmod load' on a PCI device, udev's coldplug (systemd-udevd loading
# the driver of every device it is told about), and lspci -k. The running kernel shows what
# each really loaded, and both libraries must load the same modules and print the same.
# needs: ata_piix bochs i2c_piix4 pcspkr floppy psmouse evdev loop dummy
# needs-libkmod-clients: yes
# timeout: 300
C=/opt/clients/bin
base=" $(cut -d' ' -f1 /proc/modules | tr '\n' ' ') "
loaded_now() { cut -d' ' -f1 /proc/modules | sort | tr '\n' ' ' | sed 's/ $//'; }
unload_new() { # everything loaded since the case began, holders first (busybox's rmmod)
  for pass in 1 2 3 4 5 6; do
    for m in $(cut -d' ' -f1 /proc/modules); do
      case "$base" in *" $m "*) ;; *) busybox rmmod "$m" 2>/dev/null ;; esac
    done
  done
}
with_lib() { # debian|modkit CMD...
  if [ "$1" = modkit ]; then shift; LD_LIBRARY_PATH=/opt/modkit-lib "$@"; else shift; "$@"; fi
}
VGA=$(grep -l '^0x030000$' /sys/bus/pci/devices/*/class | head -1)
VGA=${VGA%/class}
nocompare on
note "VGA device: $VGA ($(cat "$VGA/modalias"))"
nocompare off

for lib in debian modkit; do
  # The library the clients really load.
  want=/lib/x86_64-linux-gnu/libkmod.so.2
  [ $lib = modkit ] && want=/opt/modkit-lib/libkmod.so.2
  got=$(with_lib $lib env LD_TRACE_LOADED_OBJECTS=1 $C/systemd-modules-load | sed -n 's/.*libkmod.so.2 => \([^ ]*\).*/\1/p')
  expect_eq "$lib: systemd-modules-load loads $want" "$want" "$got"
  got=$(with_lib $lib env LD_TRACE_LOADED_OBJECTS=1 $C/udevadm | sed -n 's/.*libkmod.so.2 => \([^ ]*\).*/\1/p')
  expect_eq "$lib: udevadm loads $want" "$want" "$got"

  # systemd-modules-load: a list with a comment, an alias and a module that does not exist.
  mkdir -p /etc/modules-load.d
  printf 'loop\n# not a module\ndummy\nnosuch_module\nfs-nosuchfs\n' >/etc/modules-load.d/test.conf
  with_lib $lib $C/systemd-modules-load >/tmp/sml.$lib 2>&1
  echo "rc=$?" >>/tmp/sml.$lib
  echo "loaded: $(loaded_now)" >>/tmp/sml.$lib
  rm -f /etc/modules-load.d/test.conf
  unload_new

  # udevadm test-builtin 'kmod load' on the VGA device: its driver through its modalias.
  with_lib $lib $C/udevadm test-builtin 'kmod load' "$VGA" >/tmp/tb.$lib 2>&1
  echo "rc=$?" >>/tmp/tb.$lib
  echo "loaded: $(loaded_now)" >>/tmp/tb.$lib
  unload_new

  # Coldplug: systemd-udevd (libkmod inside) loads every device's driver (80-drivers.rules).
  with_lib $lib $C/systemd-udevd --daemon >/dev/null 2>&1
  $C/udevadm trigger --type=devices --action=add >/dev/null 2>&1
  $C/udevadm settle --timeout=120
  echo "loaded: $(loaded_now)" >/tmp/cold.$lib
  $C/udevadm control --exit >/dev/null 2>&1
  sleep 1
  unload_new

  # lspci -k: each device's driver and the modules that could drive it (libkmod lookups).
  with_lib $lib $C/lspci -nk >/tmp/lspci.$lib 2>&1
done

nocompare on
for f in sml tb cold lspci; do _show "debian $f| " /tmp/$f.debian; done
nocompare off
expect_eq "systemd-modules-load: the same messages and modules" "$(cat /tmp/sml.debian)" "$(cat /tmp/sml.modkit)"
expect_match "systemd-modules-load really loaded loop and dummy" "loaded: .*dummy.*loop" "$(cat /tmp/sml.modkit)"
expect_eq "udevadm test-builtin kmod load: the same result" "$(cat /tmp/tb.debian)" "$(cat /tmp/tb.modkit)"
expect_match "udevadm test-builtin really loaded bochs" "loaded: .*bochs" "$(cat /tmp/tb.modkit)"
expect_eq "udev coldplug: the same modules loaded" "$(cat /tmp/cold.debian)" "$(cat /tmp/cold.modkit)"
expect_match "udev coldplug really loaded drivers" "loaded: .*(ata_piix|bochs|i2c_piix4)" "$(cat /tmp/cold.modkit)"
expect_eq "lspci -k: the same output" "$(cat /tmp/lspci.debian)" "$(cat /tmp/lspci.modkit)"
expect_match "lspci -k names kernel modules" "Kernel modules: " "$(cat /tmp/lspci.modkit)"
