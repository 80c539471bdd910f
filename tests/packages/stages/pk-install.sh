# First boot (6.1.0-50): modkit replaces kmod and DKMS, the second kernel comes from the
# image's packages, the compiler, make and headers go, then apt installs the binary module
# packages made by `modkit dkms mkbmdeb` (tests/packages/host.sh) for both kernels.
M=v4l2loopback V=0.12.7 K1=6.1.0-50-amd64 K2=6.1.0-47-amd64
timed install-modkit apt-get install -y /payload/modkit.deb
expect_eq "modkit installed" "install ok installed" "$(dpkg-query -W -f='${Status}' modkit 2>&1)"
timed install-k2 apt-get install -y /payload/debs/linux-image-${K2}_*.deb
check "$K2 installed" test -d "/lib/modules/$K2/kernel"
timed purge-toolchain apt-get purge -y --autoremove gcc gcc-12 cpp make libc6-dev "linux-headers-$K1"
for t in gcc cc make; do check "no $t" sh -c "! command -v $t"; done
check "no kernel headers" sh -c '! ls -d /lib/modules/*/build /usr/src/linux-headers-* 2>/dev/null | grep -q .'
for k in "$K1" "$K2"; do
  check "$k: modules.dep has no $M before" sh -c "! grep -q $M /lib/modules/$k/modules.dep"
done

timed install-bm apt-get install -y /payload/pk/$M-modules-${K1}_${V}_amd64.deb /payload/pk/$M-modules-${K2}_${V}_amd64.deb
for k in "$K1" "$K2"; do
  expect_eq "$k: package installed" "install ok installed $V" "$(dpkg-query -W -f='${Status} ${Version}' $M-modules-$k 2>&1)"
  expect_eq "$k: dpkg -S owns the module" "$M-modules-$k: /lib/modules/$k/updates/dkms/$M.ko" \
    "$(dpkg -S /lib/modules/$k/updates/dkms/$M.ko 2>&1)"
  check "$k: dpkg --verify" dpkg --verify "$M-modules-$k"
  check "$k: modules.dep has it (postinst ran depmod)" grep -q "^updates/dkms/$M.ko:" "/lib/modules/$k/modules.dep"
  check "$k: dkms status says installed" sh -c "dkms status -k $k | grep -qx '$M/$V, $k, x86_64: installed'"
done
keep dkms-status dkms status
check "the index of every kernel is what a fresh depmod writes" dkms_consistent
check "modprobe $M in $K1" modprobe "$M"
check "$M loaded" sh -c "grep -q '^$M ' /proc/modules"
check "it made a video device" sh -c 'ls /dev/video* >/dev/null'
check "modprobe -r $M" modprobe -r "$M"
keep dpkg-log cat /var/log/dpkg.log
