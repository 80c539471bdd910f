#!/usr/bin/env bash
# The upstream (orig) source tarball of a Debian source package from another suite, downloaded
# once into /var/cache/modkit/src/ with its checksum verified against the suite's Sources
# index, and shared by every checkout. Prints the tarball's path. Oracles are built from it
# at test time, outside the repository.
#
# usage: fetch-suite-source.sh SUITE SOURCE_PACKAGE        (e.g. trixie kmod)
set -euo pipefail

suite=${1:?usage: fetch-suite-source.sh SUITE SOURCE_PACKAGE}
pkg=${2:?usage: fetch-suite-source.sh SUITE SOURCE_PACKAGE}
case $pkg in *[!a-z0-9.+-]*) echo "fetch-suite-source: bad package name '$pkg'" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
cache=${MODKIT_CACHE:-/var/cache/modkit}/src
mkdir -p "$cache"

# 'URI' FILE SIZE SHA256:HASH for the .orig tarball (the .dsc and the Debian changes are not
# needed to build upstream's code).
line=$(bash "$here/apt-suite.sh" "$suite" apt-get --print-uris -q source "$pkg" 2>/dev/null |
  awk '$2 ~ /\.orig\.tar\./ {print; exit}')
[ -n "$line" ] || { echo "fetch-suite-source: no orig tarball for $pkg in $suite" >&2; exit 1; }
read -r uri file _size hash <<<"$line"
uri=${uri//\'/}
dest=$cache/$file
if [ -f "$dest" ] && [ "${hash#SHA256:}" = "$(sha256sum "$dest" | cut -d' ' -f1)" ]; then
  echo "$dest"; exit 0
fi
exec 9>"$cache/.$file.lock"
flock 9
if [ ! -f "$dest" ] || [ "${hash#SHA256:}" != "$(sha256sum "$dest" | cut -d' ' -f1)" ]; then
  echo "fetch-suite-source: downloading $file" >&2
  /usr/lib/apt/apt-helper download-file "$uri" "$dest.part" "$hash" >&2
  mv "$dest.part" "$dest"
fi
echo "$dest"
