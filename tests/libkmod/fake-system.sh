# A fake running system for the libkmod differential tests: /proc/cmdline, /proc/modules and a
# /sys/module with modules in every state libkmod distinguishes (live, coming, going, an unknown
# state, a built-in module's directory without initstate, missing and unparsable files), so
# both libraries answer the loaded-state functions from the same files. Sourced.

# make_fake_system DIR CMDLINE: DIR/proc/{cmdline,modules} and DIR/sys/module/...
make_fake_system() {
  local d=$1 m spec name state refcnt size
  mkdir -p "$d/proc" "$d/sys/module"
  printf '%s\n' "$2" >"$d/proc/cmdline"
  cat >"$d/proc/modules" <<'EOF'
ext4 970752 2 - Live 0xffffffffc0a00000
jbd2 188416 1 ext4, Live 0xffffffffc09c0000
mbcache 16384 1 ext4, Live 0xffffffffc09b0000
tun 61440 0 - Live 0xffffffffc0990000
loop 40960 0 - Loading 0xffffffffc0980000
dummy 16384 0 - Unloading 0xffffffffc0970000
crc32c_generic 16384 3 - Live 0xffffffffc0960000
EOF
  m=$d/sys/module
  # name:initstate:refcnt:coresize ("-" leaves the file out)
  for spec in ext4:live:2:970752 jbd2:live:1:188416 mbcache:live:1:16384 tun:live:abc:- \
              loop:coming:0:40960 dummy:going:0:16384 xfs:weird:0:1 nbd:live:1:garbage \
              crc32c_generic:-:-:- veth:live:0:16384; do
    IFS=: read -r name state refcnt size <<<"$spec"
    mkdir -p "$m/$name"
    [ "$state" = - ] || printf '%s\n' "$state" >"$m/$name/initstate"
    [ "$refcnt" = - ] || printf '%s\n' "$refcnt" >"$m/$name/refcnt"
    [ "$size" = - ] || printf '%s\n' "$size" >"$m/$name/coresize"
  done
  mkdir -p "$m"/{ext4,jbd2,mbcache,tun,loop,dummy,xfs,nbd}/holders "$m"/{ext4,jbd2,loop}/sections
  touch "$m/jbd2/holders/ext4" "$m/mbcache/holders/ext4"
  printf '0xffffffffc0a00000\n' >"$m/ext4/sections/.text"
  printf '0xffffffffc0a80000\n' >"$m/ext4/sections/.data"
  printf '0xffffffffc0a90000\n' >"$m/ext4/sections/__param"
  printf '0x0000000000000000\n' >"$m/jbd2/sections/.text"
  printf 'not-a-number\n' >"$m/loop/sections/.text"
}

# in_fake_system DIR PROGRAM ARGS...: runs PROGRAM in a private mount namespace whose /proc holds
# only DIR's cmdline and modules (this host's kernel has no /proc/modules to bind over) and whose
# /sys/module is DIR's.
in_fake_system() {
  local d=$1; shift
  unshare -m bash -c 'd=$0
    mount -t tmpfs fakeproc /proc && cp "$d/proc/cmdline" "$d/proc/modules" /proc/ &&
    mount --bind "$d/sys/module" /sys/module && exec "$@"' "$d" "$@"
}
