#!/usr/bin/env bash
# The man pages the build renders (BUILD/man, from docs/man/*.scd): every page renders with
# `man --warnings` without a single warning, has the sections a page needs, and its OPTIONS
# section names every option of the tool's --help (the table itself is compared with the
# parsers by the unit tests, tests/unit/test_cli_option_tables.cpp). A few seconds.
source "$(dirname "$0")/common.sh"
command -v man >/dev/null || skip "man-db not installed (scripts/install-deps.sh)"
M=$BUILD/man
pages=("$M"/*.[1-8])
[ -f "${pages[0]}" ] || { echo "no man pages in $M (build the modkit-docs target)"; exit 1; }
[ "${#pages[@]}" -ge 15 ] || { echo "FAIL: only ${#pages[@]} pages"; FAILURES=$((FAILURES + 1)); }

for page in "${pages[@]}"; do
  name=$(basename "$page")
  warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >"$WORK/text")
  if [ -n "$warn" ]; then
    echo "FAIL: $name: man warns"; echo "$warn" | head -5 | sed 's/^/    /'; FAILURES=$((FAILURES + 1)); continue
  fi
  missing=""
  for section in NAME SYNOPSIS DESCRIPTION "SEE ALSO"; do
    grep -q "^$section" "$WORK/text" || missing+=" $section"
  done
  [ -z "$missing" ] || { echo "FAIL: $name lacks$missing"; FAILURES=$((FAILURES + 1)); continue; }
  # The tool's --help: every long option it names is on the page.
  tool=${name%.*}; tool=${tool#modkit-}
  case $tool in modkit) note "ok: $name"; continue ;; abi) help=$("$MODKIT" abi check --help; "$MODKIT" abi diff --help) ;;
    *) help=$("$MODKIT" "$tool" --help 2>/dev/null || true) ;; esac
  absent=""
  # (kmod's modprobe help misspells --force-modversion as --force-modversions.)
  for opt in $(grep -oE -- '--[a-z][a-z0-9_-]*[a-z0-9]' <<<"$help" | grep -vx -- --force-modversions | sort -u); do
    grep -qF -- "$opt" "$WORK/text" || absent+=" $opt"
  done
  if [ -n "$absent" ]; then echo "FAIL: $name does not document$absent"; FAILURES=$((FAILURES + 1)); else note "ok: $name"; fi
done
finish
