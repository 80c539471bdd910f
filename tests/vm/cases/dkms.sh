# Real DKMS packages from Debian's archive (v4l2loopback-dkms 0.12.7, acpi-call-dkms 1.2.2),
# added, built against linux-headers-<kver>, signed and installed by modkit's dkms on the host,
# indexed with the rest of the tree, then loaded here by modprobe: dependencies on in-tree
# modules resolved, parameters from modprobe.d applied, the devices they create present.
# needs: videodev
# needs-dkms: yes
# timeout: 90
U=$MODDIR/updates/dkms
[ -e "$U/v4l2loopback.ko" ] || skip "no DKMS-built modules in $U"
expect_eq "dkms status on the host said installed" \
  "acpi-call/1.2.2, $KVER, x86_64: installed
v4l2loopback/0.12.7, $KVER, x86_64: installed" "$(cat /vm/dkms-status)"
expect_match "modules.dep: v4l2loopback needs videodev" \
  '^updates/dkms/v4l2loopback\.ko: kernel/drivers/media/v4l2-core/videodev\.ko' "$(cat "$MODDIR/modules.dep")"
expect_match "modules.dep: acpi_call has no dependencies" '^updates/dkms/acpi_call\.ko:$' "$(cat "$MODDIR/modules.dep")"
run modinfo -F signer v4l2loopback
expect_eq "signed with the DKMS MOK key" "DKMS module signing key" "$OUT"

# The kernel strips one pair of quotes around a whole value, so an array of strings with
# spaces is quoted as one: card_label="a b,c d".
modprobe_d v4l2loopback.conf 'options v4l2loopback devices=2 card_label="modkit cam,second cam" exclusive_caps=1,1'
expect_rc "modprobe v4l2loopback" 0 modprobe v4l2loopback
loaded "v4l2loopback and videodev are live" v4l2loopback videodev
expect_eq "v4l2loopback is held by nothing, videodev by v4l2loopback" "0 v4l2loopback" \
  "$(refcnt v4l2loopback) $(holders videodev)"
expect_param "exclusive_caps from modprobe.d (the only parameter in sysfs)" v4l2loopback exclusive_caps "Y,Y,N,N,N,N,N,N"
labels=$(cat /sys/class/video4linux/video*/name 2>/dev/null | sort | tr '\n' '|')
expect_eq "two video devices with the labels from modprobe.d" "modkit cam|second cam|" "$labels"

expect_rc "modprobe acpi_call" 0 modprobe acpi_call
loaded "acpi_call is live" acpi_call
expect_rc "acpi_call made /proc/acpi/call" 0 test -e /proc/acpi/call

run lsmod
expect_match "lsmod lists v4l2loopback using videodev" '^videodev +[0-9]+ +1 v4l2loopback$' "$OUT"
expect_rc "modprobe -r v4l2loopback acpi_call (videodev goes too)" 0 modprobe -r -a v4l2loopback acpi_call
not_loaded "all three gone" v4l2loopback videodev acpi_call
