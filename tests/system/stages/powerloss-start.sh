# modkit variant, from the state before the kernel upgrade: the upgrade starts and the power
# goes while DKMS compiles v4l2loopback for the new kernel.
arm_killpoint dkms-build 'cc1 .*v4l2loopback\.c' 1
apt-get install -y /payload/debs/linux-image-6.1.0-47-amd64_*.deb \
  /payload/debs/linux-headers-6.1.0-47-*.deb >/dev/ttyS0 2>&1
fail "power loss during the DKMS build" "the upgrade finished before the kill point"
