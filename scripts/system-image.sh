#!/usr/bin/env bash
# Builds, once, the Debian 12 system the system tests boot (tests/system): mmdebstrap from
# Debian's archive with systemd, udev, initramfs-tools, the 6.1.0-50 kernel and headers, gcc and
# make for DKMS, pciutils, kmod and dkms (the stock variant), made into an ext4 disk image, plus
# the packages the tests install inside it (downloaded here: the VM has no network).
# Prints the image directory. Idempotent, and safe to run concurrently (flock).
#
# Layout of $MODKIT_CACHE/system-image/<recipe hash>/ (default /var/cache/modkit):
#   root.raw        the root filesystem (ext4, sparse), never written after it is complete
#   boot/           vmlinuz and initrd.img of 6.1.0-50, as update-initramfs made them inside
#   debs/           v4l2loopback-dkms, linux-image/headers 6.1.0-47 and what they need
#   packages.txt    dpkg -l of the image
# The hash covers the recipe (packages, $recipe, tests/system/image/): a changed one builds anew.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root_dir=$(cd "$here/.." && pwd)
overlay=$root_dir/tests/system/image
cache=${MODKIT_CACHE:-/var/cache/modkit}/system-image
kver=${MODKIT_KERNEL_ABI:-6.1.0-50-amd64}
second=${MODKIT_SECOND_KERNEL_ABI:-6.1.0-47-amd64}
sources=${MODKIT_DEBIAN_SOURCES:-/etc/apt/sources.list.d/debian.sources}
size=${MODKIT_SYSTEM_IMAGE_SIZE:-6G}

packages=(
  systemd systemd-sysv udev initramfs-tools zstd e2fsprogs
  "linux-image-$kver" "linux-headers-$kver" gcc make libc6-dev
  pciutils procps kmod dkms
)
# Installed by the tests inside the VM, from files.
vm_packages=(v4l2loopback-dkms "linux-image-$second" "linux-headers-$second")

# Bump when the steps below change what the image holds; comments and messages do not count.
recipe=2
hash=$( {
  echo "recipe $recipe kver $kver second $second size $size"
  find "$overlay" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sed "s|$overlay||"
  echo "${packages[*]} ${vm_packages[*]}"
} | sha256sum | cut -c1-16)
dest=$cache/$hash

if [ -f "$dest/.complete" ]; then echo "$dest"; exit 0; fi
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$dest/.complete" ]; then echo "$dest"; exit 0; fi

for c in mmdebstrap mkfs.ext4 apt-get dpkg-deb; do
  command -v "$c" >/dev/null || { echo "system-image: missing $c (scripts/install-deps.sh)" >&2; exit 1; }
done

work=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
t0=$SECONDS

echo "system-image: mmdebstrap bookworm (${packages[*]})" >&2
# The packages the VM installs later are fetched by the image's own apt (--download-only), so
# they are exactly the archives it needs, then taken out of the image.
mmdebstrap --variant=minbase --mode=root \
  --aptopt='APT::Install-Recommends "false"' \
  --include="$(
    IFS=,
    echo "${packages[*]}"
  )" \
  --customize-hook="cp -a '$overlay/.' \"\$1/\"" \
  --customize-hook='chroot "$1" /usr/local/lib/modkit-test/setup.sh' \
  --customize-hook="chroot \"\$1\" dpkg-query -W -f '\${Package} \${Version}\n' >'$work/packages.txt'" \
  --customize-hook="mkdir -p '$work/boot' && cp -L \"\$1/boot/vmlinuz-$kver\" \"\$1/boot/initrd.img-$kver\" '$work/boot/'" \
  --customize-hook="chroot \"\$1\" apt-get clean && chroot \"\$1\" apt-get -q -y --download-only \
      install ${vm_packages[*]} >&2 && mkdir -p '$work/debs' && mv \"\$1\"/var/cache/apt/archives/*.deb '$work/debs/'" \
  bookworm "$work/root" - <"$sources" >&2
echo "system-image: $(ls "$work/debs" | wc -l) packages for the VM: $(ls "$work/debs" | tr '\n' ' ')" >&2

echo "system-image: ext4 image ($size)" >&2
mkfs.ext4 -q -F -L modkit-root -d "$work/root" "$work/root.raw" "$size"
rm -rf "$work/root"
mv "$work" "$dest"
touch "$dest/.complete"
echo "system-image: built in $((SECONDS - t0)) s" >&2
echo "$dest"
