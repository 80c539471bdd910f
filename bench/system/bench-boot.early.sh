# bench/system.sh: both variants boot with the desktop list in modules-load.d.
mkdir -p /etc/modules-load.d
cp /payload/desktop.conf /etc/modules-load.d/desktop.conf
