#!/usr/bin/env bash
# Installs every Debian package modkit, its tests, fuzzers and benchmarks need.
# Idempotent: packages already present are skipped, apt runs only when something is missing.
set -euo pipefail

packages=(
  build-essential g++ cmake ninja-build pkg-config make
  libzstd-dev liblzma-dev zlib1g-dev libssl-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format clang-tidy
  clang-16 libclang-rt-16-dev
  kmod dkms
  qemu-system-x86 busybox-static cpio gzip xz-utils zstd
  hyperfine python3 time file bc openssl
  dpkg-dev binutils
  gcc-12
  mmdebstrap abigail-tools pciutils valgrind meson
  scdoc man-db python3-jsonschema bash-completion zsh fish
  lintian fakeroot rpm debhelper
  ndctl daxctl
)
# Headers of the kernel the VM tests boot, to build out-of-tree test modules at test time
# (tests/vm/modsrc). They pull linux-headers-<abi>-common, linux-kbuild-6.1 and the matching
# compiler package. apt-get install, not dpkg -x: they use absolute symlinks into /usr/src.
kernel_abi=${MODKIT_KERNEL_ABI:-6.1.0-50-amd64}
# A second kernel's headers: the DKMS differential tests (tests/compat/dkms*.sh) build for two
# kernels and build a deliberately wrong-kernel module against this one.
second_abi=${MODKIT_SECOND_KERNEL_ABI:-6.1.0-47-amd64}
for headers in "linux-headers-$kernel_abi" "linux-headers-$second_abi"; do
  if apt-cache show "$headers" >/dev/null 2>&1 || dpkg-query -W "$headers" >/dev/null 2>&1; then
    packages+=("$headers")
  else
    echo "install-deps: $headers is not in the package lists; tests that build modules against it will skip" >&2
  fi
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
export DEBIAN_FRONTEND=noninteractive
# apt-get update only when the package lists are missing or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
  $sudo apt-get -o DPkg::Lock::Timeout=1200 update -q
fi
$sudo apt-get install -o DPkg::Lock::Timeout=1200 -y -q --no-install-recommends "${missing[@]}"
