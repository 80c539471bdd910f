# The kernel itself runs /sbin/modprobe (request_module: "modprobe -q -- rtnl-link-veth"): the
# tool under test must resolve the alias, apply modprobe.d, and honour blacklists.
# needs: veth dummy
# kernels: bookworm trixie
expect_eq "the kernel's modprobe path" /sbin/modprobe "$(cat /proc/sys/kernel/modprobe)"
not_loaded "veth not loaded" veth
expect_rc "ip link add type veth" 0 ip link add v0 type veth peer name v1
loaded "veth autoloaded" veth
ip link del v0
modprobe_d d.conf "options dummy numdummies=1"
expect_rc "ip link add type dummy" 0 ip link add d0 type dummy
loaded "dummy autoloaded" dummy
expect_eq "with the modprobe.d options (numdummies=1)" "d0 dummy0" "$(netdevs d)"
ip link del d0
rmmod dummy veth
modprobe_d d.conf "blacklist veth"
run ip link add v0 type veth peer name v1
expect_eq "autoload of a blacklisted module's alias fails" "fails" "$([ "$RC" = 0 ] && echo works || echo fails)"
not_loaded "veth not loaded" veth
