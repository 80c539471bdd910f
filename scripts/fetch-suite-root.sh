#!/usr/bin/env bash
# A minimal Debian root of another suite (trixie, sid) with some packages, made once with
# mmdebstrap and shared by every checkout: /var/cache/modkit/roots/<suite>-<packages hash>/.
# Prints the root's path. Tests copy what they need into it or run commands in it with chroot;
# they must not change it (make a copy, or use a private mount namespace).
#
# usage: fetch-suite-root.sh SUITE PACKAGE[,PACKAGE...]
set -euo pipefail

suite=${1:?usage: fetch-suite-root.sh SUITE PACKAGE[,PACKAGE...]}
packages=${2:?usage: fetch-suite-root.sh SUITE PACKAGE[,PACKAGE...]}
case $suite in *[!a-z0-9-]*) echo "fetch-suite-root: bad suite '$suite'" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
cache=${MODKIT_CACHE:-/var/cache/modkit}
sorted=$(tr ',' '\n' <<<"$packages" | sort -u | paste -sd, -)
key=$(printf '%s' "$sorted" | sha256sum | cut -c1-12)
root=$cache/roots/$suite-$key

if [ -f "$root/.complete" ]; then echo "$root"; exit 0; fi
mkdir -p "$cache/roots"
exec 9>"$cache/roots/.$suite-$key.lock"
flock 9
if [ -f "$root/.complete" ]; then echo "$root"; exit 0; fi

command -v mmdebstrap >/dev/null || { echo "fetch-suite-root: mmdebstrap is missing (scripts/install-deps.sh)" >&2; exit 1; }
line=$(bash "$here/apt-suite.sh" "$suite" deb-line)
work=$(mktemp -d "$cache/roots/.$suite.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "fetch-suite-root: making a $suite root with $sorted" >&2
mmdebstrap --quiet --variant=minbase --include="$sorted" "$suite" "$work/root" "$line" >&2
echo "$sorted" >"$work/root/.packages"
rm -rf "$root"
mv "$work/root" "$root"
touch "$root/.complete"
echo "$root"
