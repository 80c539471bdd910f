#!/usr/bin/env bash
# Debian's other suites (trixie, sid) through a private apt configuration, shared by every
# checkout under /var/cache/modkit/apt-<suite>/, without touching /etc/apt. The lists are
# refreshed at most once a day, under a lock, so concurrent callers share one download.
#
# usage: apt-suite.sh SUITE apt-get ARGS...   apt-get with the suite's lists
#                                             (e.g. `download libkmod2`, `source --download-only kmod`)
#        apt-suite.sh SUITE apt-cache ARGS... apt-cache likewise
#        apt-suite.sh SUITE deb-line          the sources line, for mmdebstrap
#        apt-suite.sh SUITE update            refresh the lists now
set -euo pipefail

suite=${1:?usage: apt-suite.sh SUITE apt-get|apt-cache|deb-line|update ...}
action=${2:?usage: apt-suite.sh SUITE apt-get|apt-cache|deb-line|update ...}
shift 2
case $suite in *[!a-z0-9-]*) echo "apt-suite: bad suite name '$suite'" >&2; exit 2 ;; esac

cache=${MODKIT_CACHE:-/var/cache/modkit}
dir=$cache/apt-$suite
# The mirror the machine already uses (the first URIs: of debian.sources, else sources.list).
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /^\[/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
line="deb [trusted=yes] $mirror $suite main"

if [ "$action" = deb-line ]; then echo "$line"; exit 0; fi

opts=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o Dir::Etc::sourceparts=-
      -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
      -o APT::Get::List-Cleanup=0)

refresh() {
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  printf '%s\n%s\n' "$line" "${line/#deb /deb-src }" >"$dir/sources.list.new" && mv "$dir/sources.list.new" "$dir/sources.list"
  echo "apt-suite: updating the $suite lists from $mirror" >&2
  apt-get "${opts[@]}" -q update >&2
  touch "$dir/.updated"
}

mkdir -p "$dir"
exec 8>"$dir/.lock"
if [ "$action" = update ]; then flock 8; refresh; exit 0; fi
# Refresh when the lists are missing or older than a day; readers wait for a running refresh.
if [ -z "$(find "$dir/.updated" -mmin -1440 2>/dev/null)" ]; then
  flock 8
  [ -n "$(find "$dir/.updated" -mmin -1440 2>/dev/null)" ] || refresh
  flock -u 8
fi
flock -s 8
case $action in
  apt-get) apt-get "${opts[@]}" "$@" ;;
  apt-cache) apt-cache "${opts[@]}" "$@" ;;
  *) echo "apt-suite: unknown action '$action'" >&2; exit 2 ;;
esac
