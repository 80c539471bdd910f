# Second boot (6.1.0-47): the module of the binary package loads in this kernel too; then the
# packages are upgraded to the next version and removed, and the module tree, DKMS's tree and
# every index must be exactly right after each step.
M=v4l2loopback V=0.12.7 V2=0.12.7.1 K1=6.1.0-50-amd64 K2=6.1.0-47-amd64
expect_eq "booted $K2" "$K2" "$(uname -r)"
check "modprobe $M in $K2" modprobe "$M"
check "$M loaded" sh -c "grep -q '^$M ' /proc/modules"
check "modprobe -r $M" modprobe -r "$M"

timed upgrade-bm apt-get install -y /payload/pk/$M-modules-${K1}_${V2}_amd64.deb /payload/pk/$M-modules-${K2}_${V2}_amd64.deb
for k in "$K1" "$K2"; do
  expect_eq "$k: upgraded" "install ok installed $V2" "$(dpkg-query -W -f='${Status} ${Version}' $M-modules-$k 2>&1)"
  check "$k: dpkg --verify after the upgrade" dpkg --verify "$M-modules-$k"
  check "$k: dkms status says $V2 installed" sh -c "dkms status -k $k | grep -qx '$M/$V2, $k, x86_64: installed'"
done
check "$V is gone from DKMS's tree" test ! -e "/var/lib/dkms/$M/$V"
check "dkms status names no $V" sh -c "! dkms status | grep -q '$M/$V,'"
keep dkms-status-upgraded dkms status
check "indexes exact after the upgrade" dkms_consistent
check "modprobe $M after the upgrade" modprobe "$M"
check "modprobe -r $M" modprobe -r "$M"

timed remove-bm apt-get remove -y "$M-modules-$K1" "$M-modules-$K2"
for k in "$K1" "$K2"; do
  check "$k: no module left" test ! -e "/lib/modules/$k/updates/dkms/$M.ko"
  check "$k: modules.dep has no $M (postrm ran depmod)" sh -c "! grep -q $M /lib/modules/$k/modules.dep"
done
check "nothing left in DKMS's tree" test ! -e "/var/lib/dkms/$M"
check "dkms status is empty" sh -c '[ -z "$(dkms status)" ]'
check "indexes exact after the removal" dkms_consistent
check "modprobe $M fails now" sh -c "! modprobe $M"
keep dpkg-log cat /var/log/dpkg.log
