# weak-modules in a real kernel: out-of-tree modules built for 6.1.0-56 (modkit_demo,
# modkit_user which needs modkit_demo's export, abi_plain) were linked by
# `modkit weak-modules --add-kernel` into this kernel's (6.1.0-57, the same ABI) weak-updates/;
# a build for 6.1.0-50 (another ABI) was not. Here they must load through those links, with
# the taints of unsigned out-of-tree modules, and the other build must be absent.
# kernels: bookworm-compat
# needs: dummy
# needs-stage: weak
# timeout: 90
W=$MODDIR/weak-updates
nocompare on
note "$(cat /opt/modkit-vm/weak-modules.out | tr '\n' ';')"
expect_eq "links made by weak-modules" "abi_plain.ko modkit_demo.ko modkit_user.ko" \
  "$(ls $W/modkit 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
expect_eq "they point to 6.1.0-56's builds" "../../../6.1.0-56-amd64/extra/modkit/modkit_demo.ko" \
  "$(readlink $W/modkit/modkit_demo.ko)"
expect_nomatch "6.1.0-50's build is not linked" "6.1.0-50" "$(ls -l $W/modkit 2>/dev/null)"
expect_run "modprobe of a weak module with a weak dependency" 0 "" "" modprobe modkit_user
loaded "both live" modkit_demo modkit_user
expect_eq "unsigned out-of-tree: taints O and E" OE "$(cat /sys/module/modkit_user/taint)"
expect_run "modprobe abi_plain" 0 "" "" modprobe abi_plain
loaded "abi_plain live" abi_plain
expect_run "modprobe -r" 0 "" "" modprobe -r modkit_user abi_plain
nocompare off
