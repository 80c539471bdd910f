# Sourced by tests/compat/progress.sh: modkit's dkms on a terminal (script(1)) against the same
# command through a pipe. Two packages (alpha/1.0, beta/1.0: the hello fixture under two names)
# are autoinstalled for one kernel, built in parallel by a stand-in make that prints a line
# every 0.4 s for about 2.5 s and then copies a module prebuilt with kbuild (shared with the
# dkms compat suites), so the install passes modkit's checks and is signed with a throwaway key.
dkms_progress() {
  [ "$(id -u)" = 0 ] || { note "SKIP dkms part: needs root (dkms install)"; return 0; }
  source "$ROOT/tests/compat/lib/dkms-harness.sh"
  [ -f "/usr/src/linux-headers-$K1/Makefile" ] ||
    { note "SKIP dkms part: no linux-headers-$K1 (scripts/install-deps.sh)"; return 0; }
  DKMS_CACHE=${MODKIT_CACHE:-/var/cache/modkit}/dkms-compat
  mkdir -p "$DKMS_CACHE"
  dkms_prebuilt
  local D=$WORK/dkms S=$WORK/dkms/sandbox MK=$BUILD/dkms p
  mkdir -p "$D/fakebin" "$D/pristine/dkms" "$D/pristine/src" "$D/pristine/lib/$K1"
  ln -s "/usr/src/linux-headers-$K1" "$D/pristine/lib/$K1/build"
  for p in alpha beta; do
    mkdir -p "$D/pristine/src/$p-1.0"
    cp "$FIXTURES/hello/hello.c" "$FIXTURES/hello/Makefile" "$D/pristine/src/$p-1.0/"
    sed "s/hello/$p/g" "$FIXTURES/hello/dkms.conf" >"$D/pristine/src/$p-1.0/dkms.conf"
  done
  cat >"$D/fakebin/make" <<MAKE
#!/bin/bash
echo "fake-make: \$*"
for a in "\$@"; do [ "\$a" = clean ] && exit 0; done
dir=.
for a in "\$@"; do case \$a in M=*) dir=\${a#M=} ;; esac; done
name=\$(sed -n 's/^BUILT_MODULE_NAME\\[0\\]="\\(.*\\)"/\\1/p' "\$dir/dkms.conf")
for i in 1 2 3 4 5 6; do echo "  CC [M]  \$name step \$i"; sleep \${FAKE_STEP:-0.4}; done
cp "$PREBUILT/hello-1.0.ko" "\$dir/\$name.ko"
MAKE
  chmod 755 "$D/fakebin/make"
  openssl req -new -x509 -nodes -days 36500 -subj "/CN=modkit progress test key" -newkey rsa:2048 \
    -keyout "$D/mok.key" -outform DER -out "$D/mok.pub" >/dev/null 2>&1
  local trees="--dkmstree $S/dkms --sourcetree $S/src --installtree $S/lib"
  local env="PATH=$D/fakebin:\$PATH mok_signing_key=$D/mok.key mok_certificate=$D/mok.pub try_sign_modules=true"
  reset_sandbox() {
    rm -rf "$S" && cp -a "$D/pristine" "$S"
    for p in alpha beta; do "$MK" add "$p/1.0" $trees >/dev/null; done
  }
  local cmd="$env '$MK' autoinstall -k $K1 --no-depmod $trees"

  reset_sandbox
  TERM=xterm CI= script -qfec "$cmd" /dev/null >"$D/tty.raw" </dev/null || true
  reset_sandbox
  (eval "$cmd") >"$D/pipe.out" 2>&1 </dev/null || true

  # (1) live status lines: drawn in place (ESC[K), one per package, with elapsed time and the
  # stand-in make's lines.
  local a b
  a=$(grep -ac $'alpha/1.0 for '"$K1"' (x86_64), [0-9]* s: .*CC \[M\]  alpha step' "$D/tty.raw" || true)
  b=$(grep -ac $'beta/1.0 for '"$K1"' (x86_64), [0-9]* s: .*CC \[M\]  beta step' "$D/tty.raw" || true)
  if [ "$a" -gt 0 ] && [ "$b" -gt 0 ] && grep -qa $'\e\\[J' "$D/tty.raw"; then
    note "ok: dkms on a terminal: status lines for both parallel builds (on $a and $b screen rows drawn)"
  else
    echo "FAIL: dkms on a terminal: no status lines for both builds (alpha $a, beta $b)"
    tr '\033' '~' <"$D/tty.raw" | head -c 1500; echo
    FAILURES=$((FAILURES + 1))
  fi
  # (2) the screen once the status lines are erased is the pipe's output, byte for byte.
  "$PY" "$ROOT/tests/compat/lib/screen.py" "$D/tty.raw" | sed 's/\r$//' >"$D/tty.screen"
  if [ -s "$D/pipe.out" ] && diff <(sed -e '$a\' "$D/pipe.out") <(sed -e '$a\' "$D/tty.screen") >"$D/screen.diff"; then
    note "ok: the terminal's final screen equals the piped output ($(wc -l <"$D/pipe.out") lines)"
  else
    echo "FAIL: the terminal's final screen differs from the piped output:"; head -20 "$D/screen.diff"
    FAILURES=$((FAILURES + 1))
  fi
  if grep -qa $'\e' "$D/pipe.out"; then echo "FAIL: escape sequences through a pipe"; FAILURES=$((FAILURES + 1)); fi
  # (3) a build killed halfway: what it printed so far is on the terminal, and make.log has the
  # stand-in make's lines so far.
  reset_sandbox
  TERM=xterm CI= script -qfec "timeout -s KILL 3 env FAKE_STEP=1 $env '$MK' build alpha/1.0 -k $K1 $trees" /dev/null >"$D/kill.raw" </dev/null || true
  local log
  log=$(find "$S/dkms/alpha" -name make.log | head -1)
  "$PY" "$ROOT/tests/compat/lib/screen.py" "$D/kill.raw" >"$D/kill.screen"
  if grep -qa '^Building module(s)\.\.\.' "$D/kill.screen" && grep -qa 'alpha/1.0 for' "$D/kill.raw" &&
    [ -n "$log" ] && grep -q 'CC \[M\]  alpha step 1' "$log" && ! grep -q 'alpha step 6' "$log"; then
    note "ok: a build killed halfway left 'Building module(s)...' on the terminal and $(grep -c 'CC \[M\]' "$log") make lines in make.log"
  else
    echo "FAIL: a build killed halfway: terminal or make.log (${log:-none}) lacks its lines so far"
    cat "$D/kill.screen"; [ -z "$log" ] || cat "$log"
    FAILURES=$((FAILURES + 1))
  fi
  # (4) SIGTERM (or Ctrl-C) while the lines are drawn: they are erased before the process dies.
  reset_sandbox
  TERM=xterm CI= script -qfec "timeout -s TERM 1.5 env $env '$MK' build alpha/1.0 -k $K1 $trees" /dev/null >"$D/term.raw" </dev/null || true
  "$PY" "$ROOT/tests/compat/lib/screen.py" "$D/term.raw" >"$D/term.screen"
  if grep -qa 'alpha/1.0 for' "$D/term.raw" && grep -qa '^Building module(s)\.\.\.' "$D/term.screen" &&
    ! grep -qa 'alpha/1.0 for' "$D/term.screen"; then
    note "ok: a build stopped by SIGTERM erased its status line before dying"
  else
    echo "FAIL: SIGTERM left a status line on the screen:"; cat "$D/term.screen"
    FAILURES=$((FAILURES + 1))
  fi
}
dkms_progress
