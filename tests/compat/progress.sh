#!/usr/bin/env bash
# Live progress: depmod on the real tree (xz, where reading takes seconds) shows its progress
# line only when stderr is a terminal - run in a pseudo-terminal with script(1) - and erases it;
# with stderr a pipe it writes nothing at all, and the files it writes are the same either way.
# About 15 s (two full xz runs).
# Then dkms: two packages built in parallel on a terminal show one status line each while
# their (stand-in, slow) make runs; the screen they leave is exactly the output the same
# command writes to a pipe; and a build killed halfway has left its lines so far on the
# terminal and in make.log, and SIGTERM erases the lines first. About 15 s more.
source "$(dirname "$0")/common.sh"
command -v script >/dev/null || skip "script(1) (util-linux) not installed"
tree_copy xz "$WORK/tty"
tree_copy xz "$WORK/pipe"

TERM=xterm CI= script -qec "'$MODKIT' depmod --no-cache -j 1 -b '$WORK/tty' $KVER" /dev/null >"$WORK/tty.out" </dev/null
rc=0; (exec -a depmod "$MODKIT" --no-cache -j 1 -b "$WORK/pipe" "$KVER") 2>"$WORK/pipe.err" | cat || rc=$?
if grep -q $'\rdepmod: reading modules [0-9]*/[0-9]*\e\[K' "$WORK/tty.out" && grep -q $'\r\e\[K' "$WORK/tty.out"; then
  note "ok: on a terminal, progress lines ($(grep -o 'reading modules' "$WORK/tty.out" | wc -l) redraws), then erased"
else
  echo "FAIL: no progress line on a terminal"; head -c 300 "$WORK/tty.out" | od -c | head -5; FAILURES=$((FAILURES + 1))
fi
if [ "$rc" = 0 ] && [ ! -s "$WORK/pipe.err" ]; then note "ok: nothing on stderr through a pipe"; else
  echo "FAIL: stderr through a pipe (exit $rc):"; head -3 "$WORK/pipe.err"; FAILURES=$((FAILURES + 1)); fi
same=1
for f in modules.dep modules.alias modules.symbols modules.dep.bin modules.alias.bin; do
  cmp -s "$WORK/tty/lib/modules/$KVER/$f" "$WORK/pipe/lib/modules/$KVER/$f" ||
    { echo "FAIL: $f differs between the terminal and the pipe run"; FAILURES=$((FAILURES + 1)); same=0; }
done
[ "$same" = 0 ] || note "ok: the same files either way"

# ---- dkms: status lines for parallel builds
source "$ROOT/tests/compat/lib/dkms-progress.sh"
finish
