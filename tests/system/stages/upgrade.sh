# Both variants, booted from the initramfs update-initramfs made in the previous boot: the
# kernel upgrade through apt (6.1.0-47 image and headers): DKMS builds v4l2loopback for it
# from the kernel hooks, depmod and initramfs-tools run; dkms status tells the truth.
initrd=/boot/initrd.img-$(uname -r)
check "booted from the initramfs update-initramfs -u made" \
  test "$(sha256sum <"$initrd" | cut -d' ' -f1)" = "$(cat /payload/booted-initrd.sha256)"
check "no failed unit" test -z "$(systemctl --failed --plain --no-legend)"
lsmod | tail -n +2 | cut -d' ' -f1 | sort >"$OUT/cmp/lsmod"
# dpkg's per-file fsync makes unpacking the 4000 modules take minutes under TCG; this boot is
# not about power loss (powerloss-*.sh is, and unpacks safely), so it is skipped here.
timed kernel-upgrade apt-get install -y -o Dpkg::Options::=--force-unsafe-io \
  /payload/debs/linux-image-6.1.0-47-amd64_*.deb \
  /payload/debs/linux-headers-6.1.0-47-*.deb
dkms_facts >"$OUT/cmp/dkms-after-upgrade"
check "v4l2loopback built and installed for 6.1.0-47-amd64" \
  test -e /lib/modules/6.1.0-47-amd64/updates/dkms/v4l2loopback.ko
check "initramfs for 6.1.0-47-amd64" test -s /boot/initrd.img-6.1.0-47-amd64
lsinitramfs /boot/initrd.img-6.1.0-47-amd64 >"$OUT/own/initramfs-47.list"
check "its initramfs has the root disk's modules" grep -qE '/virtio_blk\.ko$' "$OUT/own/initramfs-47.list"
if is_modkit; then
  check "its initramfs has modkit" grep -qx usr/bin/modkit "$OUT/own/initramfs-47.list"
  is_libkmod && check "its initramfs has modkit's libkmod.so.2" initramfs_has_file \
    /boot/initrd.img-6.1.0-47-amd64 "$(readlink -f /usr/lib/x86_64-linux-gnu/libkmod.so.2)"
fi

# modkit variant: `modkit preflight` for the kernel just installed (issue 12). The clean
# upgrade loses nothing and exits 0; then one thing at a time is broken, must be reported with
# exit 1, and is put back (the next stage boots this kernel; the consistency check below sees
# the restored state).
if is_modkit; then
  K=6.1.0-47-amd64
  preflight() { # NAME WANT_RC PATTERN...: modkit preflight K into own/preflight-NAME
    local name=$1 want=$2 f=$OUT/own/preflight-$1
    shift 2
    keep "preflight-$name" modkit preflight "$K"
    check "preflight ($name): exit $want" grep -qx "? rc=$want" "$f"
    for p in "$@"; do check "preflight ($name): /$p/" grep -qE -- "$p" "$f"; done
  }
  timed preflight modkit preflight "$K"
  preflight clean 0 "nothing would be lost" "^ok   external v4l2loopback: updates/dkms/v4l2loopback.ko loads" \
    "^ok   dkms v4l2loopback/.*: installed for $K" "^ok   initramfs .*holds what the root file system"
  check "preflight (clean): no LOST line" sh -c "! grep -q '^LOST' $OUT/own/preflight-clean"
  keep preflight-clean.json modkit preflight --json "$K"
  check "preflight --json: loses_something false" grep -q '"loses_something": false' "$OUT/own/preflight-clean.json"

  # A module the next kernel would need (the root disk's driver, loaded now) is missing.
  mv "/lib/modules/$K/kernel/drivers/block/virtio_blk.ko" /var/tmp/
  depmod "$K"
  preflight no-virtio_blk 1 "^LOST loaded virtio_blk: loaded now, but $K has no module"
  mv /var/tmp/virtio_blk.ko "/lib/modules/$K/kernel/drivers/block/"
  depmod "$K"

  # A DKMS build for the next kernel that fails (its log's last lines reported).
  ver=$(ls /usr/src | sed -n 's/^v4l2loopback-//p' | head -1)
  src=/usr/src/v4l2loopback-$ver/v4l2loopback.c
  cp -a /var/lib/dkms /var/tmp/dkms.save
  cp -a "/lib/modules/$K/updates" /var/tmp/updates.save
  cp -a "$src" /var/tmp/v4l2loopback.c.save
  keep dkms-remove dkms remove "v4l2loopback/$ver" -k "$K"
  printf '#error modkit test: this build is broken\n' >>"$src"
  keep dkms-broken-build dkms build "v4l2loopback/$ver" -k "$K"
  check "the broken DKMS build failed" sh -c "! grep -qx '? rc=0' $OUT/own/dkms-broken-build"
  preflight broken-dkms 1 "^LOST dkms v4l2loopback/$ver: the build for $K failed" \
    "this build is broken" "^LOST external v4l2loopback: .*has no build for $K"
  cp -a /var/tmp/v4l2loopback.c.save "$src"
  rm -rf /var/lib/dkms "/lib/modules/$K/updates"
  cp -a /var/tmp/dkms.save /var/lib/dkms
  cp -a /var/tmp/updates.save "/lib/modules/$K/updates"
  depmod "$K"
  preflight restored 0 "nothing would be lost"
fi

check "DKMS tree, modules and indexes consistent" dkms_consistent
cp /var/log/dpkg.log "$OUT/own/dpkg.log" 2>/dev/null
