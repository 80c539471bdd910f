#!/usr/bin/env bash
# A private apt configuration for a Debian suite the machine's sources do not list (trixie,
# sid; also bookworm for another architecture or the debian-installer component), shared by
# every engineer and test under /var/cache/modkit/apt-<suite>/. /etc/apt is never touched.
#
# usage: apt-suite.sh SUITE [apt-get ARGS...]
#   without ARGS: makes sure the lists exist (updated at most once a day) and prints the
#   directory; with ARGS: runs `apt-get ARGS...` with the private configuration, e.g.
#   `apt-suite.sh trixie download linux-image-6.12.57+deb13-amd64-unsigned`
#   `apt-suite.sh sid apt-cache search ...` runs apt-cache instead of apt-get;
#   `apt-suite.sh SUITE deb-line` prints the sources line (for mmdebstrap);
#   `apt-suite.sh SUITE update` refreshes the lists now. Source packages are listed too.
# env: MODKIT_CACHE (default /var/cache/modkit), APT_SUITE_ARCHES (default amd64; e.g.
#      "amd64 arm64"), APT_SUITE_COMPONENTS (default "main").
# One update at a time (flock); the lists are replaced as a whole, so readers never see a
# half-written set.
set -euo pipefail

suite=${1:?usage: apt-suite.sh SUITE [apt-get ARGS...]}
shift
cache=${MODKIT_CACHE:-/var/cache/modkit}
arches=${APT_SUITE_ARCHES:-amd64}
components=${APT_SUITE_COMPONENTS:-main}
tag=$suite
[ "$arches" = amd64 ] || tag+="-${arches// /-}"
[ "$components" = main ] || tag+="-${components// /-}"
tag=${tag//\//_}
dir=$cache/apt-$tag
mkdir -p "$cache"

# The archive URI the machine already uses (deb822 or one-line sources).
archive_uri() {
  local uri
  uri=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -v security | head -1 || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++)
    if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

apt_opts() { # DIR
  echo "-o Dir::Etc::sourcelist=$1/sources.list"
  echo "-o Dir::Etc::sourceparts=-"
  echo "-o Dir::State::Lists=$1/lists"
  echo "-o Dir::Cache=$1/cache"
  echo "-o Dir::State::status=$1/status"
  echo "-o APT::Get::List-Cleanup=0"
  echo "-o Debug::NoLocking=1"
  echo "-o APT::Sandbox::User=root"
  echo "-o APT::Architecture=${arches%% *}"
  echo "-o APT::Architectures=${arches// /,}"
}

fresh() { # the lists exist and are younger than a day
  [ -f "$dir/.complete" ] && [ -n "$(find "$dir/.complete" -mmin -1440 2>/dev/null)" ]
}

update() {
  exec 8>"$cache/.apt-$tag.lock"
  flock 8
  fresh && return 0
  local work
  work=$(mktemp -d "$cache/.apt-$tag.XXXXXX")
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
  : >"$work/status"
  printf '%s\n%s\n' "$(deb_line)" "$(deb_line | sed 's/^deb /deb-src /')" >"$work/sources.list"
  # shellcheck disable=SC2046
  apt-get -q $(apt_opts "$work") update >&2
  rm -rf "$dir.old"
  [ -d "$dir" ] && mv "$dir" "$dir.old"
  mv "$work" "$dir"
  rm -rf "$dir.old"
  touch "$dir/.complete"
  flock -u 8
}

deb_line() { echo "deb [trusted=yes] $(archive_uri) $suite $components"; }

case ${1:-} in
  deb-line) deb_line; exit 0 ;;
  update) rm -f "$dir/.complete"; update; exit 0 ;;
esac
fresh || update
if [ $# -eq 0 ]; then
  echo "$dir"
  exit 0
fi
tool=apt-get
case $1 in apt-cache | apt-get) tool=$1; shift ;; esac
# shellcheck disable=SC2046
exec "$tool" $(apt_opts "$dir") "$@"
