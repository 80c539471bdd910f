# lsmod (and "kmod list") against the kernel's own view: one row per /proc/modules line, in
# its order, "%-19s %8ld  %d" plus the holders from /sys/module/X/holders.
# needs: vfat loop dummy
# kernels: bookworm trixie
modprobe vfat
modprobe loop
modprobe dummy
want=$({
  echo "Module                  Size  Used by"
  while read -r name size used _; do
    h=$(ls "/sys/module/$name/holders" | tr '\n' ',' | sed 's/,$//')
    printf '%-19s %8d  %d%s\n' "$name" "$size" "$(cat "/sys/module/$name/refcnt")" "${h:+ $h}"
  done </proc/modules
})
expect_run "lsmod matches /proc/modules and /sys/module" 0 "$want" "" lsmod
expect_match "fat is used by vfat" '^fat +[0-9]+  1 vfat$' "$OUT"
expect_run "kmod list prints the same" 0 "$want" "" kmod list
modprobe -r vfat loop dummy
rmmod vfat fat loop dummy 2>/dev/null
expect_run "lsmod with nothing loaded prints the header only" 0 "Module                  Size  Used by" "" lsmod
