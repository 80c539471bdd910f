# modkit variant, after a power loss in the middle of the kernel upgrade: the machine comes
# up, every module index is whole, and `dpkg --configure -a` finishes the upgrade - unless the
# power goes again at the next kill point (/payload/killpoint: NAME PATTERN DELAY). When it
# finishes, the DKMS tree, /lib/modules and the indexes agree.
check "came up after the power loss" systemctl is-active multi-user.target
check "no failed unit" test -z "$(systemctl --failed --plain --no-legend)"
keep dkms-before-configure dkms_facts
for k in $(ls /lib/modules); do
  [ -e "/lib/modules/$k/modules.dep" ] || continue
  check "$k: indexes whole after the power loss" modprobe -S "$k" -D loop
done
if [ -s /payload/killpoint ]; then
  read -r name pattern delay </payload/killpoint
  arm_killpoint "$name" "$pattern" "$delay"
  dpkg --configure -a >/dev/ttyS0 2>&1
  fail "power loss during $name" "dpkg --configure -a finished before the kill point"
  exit 1
fi
timed configure dpkg --configure -a
check "dpkg --configure -a finished the upgrade" test -z "$(dpkg --audit)"
dkms_facts >"$OUT/own/dkms-after-configure"
check "v4l2loopback installed for 6.1.0-47-amd64" \
  test -e /lib/modules/6.1.0-47-amd64/updates/dkms/v4l2loopback.ko
check "initramfs for 6.1.0-47-amd64 whole" lsinitramfs /boot/initrd.img-6.1.0-47-amd64
check "DKMS tree, modules and indexes consistent" dkms_consistent
