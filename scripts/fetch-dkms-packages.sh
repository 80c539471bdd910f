#!/usr/bin/env bash
# Fetches the real Debian DKMS packages the differential tests build (tests/compat/
# dkms-packages.sh) into a cache outside the repository and prints the cache directory.
# Idempotent: a package already unpacked is not fetched again.
#
# Layout of $MODKIT_CACHE/dkms-packages (default /var/cache/modkit/dkms-packages):
#   <package>/usr/src/<module>-<version>/...   the package's DKMS source tree (dpkg -x)
#   <package>/.complete                        the package version, written last
set -euo pipefail

cache=${MODKIT_CACHE:-/var/cache/modkit}/dkms-packages
packages=(${MODKIT_DKMS_PACKAGES:-v4l2loopback-dkms acpi-call-dkms})
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

for p in "${packages[@]}"; do
  [ -f "$cache/$p/.complete" ] && continue
  work=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  echo "fetch-dkms-packages: downloading $p" >&2
  # apt drops privileges to _apt for downloads; a directory it can write avoids a warning.
  chmod 777 "$work"
  if ! (cd "$work" && apt-get download -q "$p" >&2); then
    echo "fetch-dkms-packages: apt-get download $p failed" >&2
    exit 1
  fi
  mkdir -p "$work/root"
  dpkg -x "$work"/"$p"_*.deb "$work/root"
  dpkg-deb -f "$work"/"$p"_*.deb Version >"$work/root/.complete"
  rm -rf "${cache:?}/$p"
  mv "$work/root" "$cache/$p"
  rm -rf "$work"
  trap - EXIT
done
echo "$cache"
