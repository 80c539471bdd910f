// modkitd: the kernel's device events in, drivers loaded, idle on-demand modules unloaded.
//
// The main thread owns the uevent socket, the signals and the idle timer. Each device event
// (ACTION=add with a MODALIAS) becomes a request in a bounded queue in which repeated events
// for one modalias merge; `jobs` worker threads take requests and load through daemon/loader,
// so one slow module initialisation holds up only its own worker. A full queue, or a socket
// that overran (ENOBUFS), schedules a rescan of every device's modalias under /sys, which
// also runs at start (coldplug) and so catches up on devices that appeared while modkitd was
// not running. SIGHUP re-reads modkitd.conf and modprobe.d; SIGTERM and SIGINT stop it.
#pragma once

#include "daemon/config.hpp"
#include "exec/system.hpp"

#include <cstdint>
#include <string>

namespace modkit::daemon {

struct DaemonOptions {
    std::string config_path = "/etc/modkit/modkitd.conf";
    std::string root;              // modprobe.d and /lib/modules under this directory ("" for /)
    std::string sys_root = "/sys"; // where coldplug looks for devices
    bool once = false;             // coldplug, wait for the loads, exit (initramfs, tests)
    bool coldplug_override = false;
    bool coldplug = true; // with coldplug_override: instead of the file's setting
};

// Runs until SIGTERM/SIGINT (or, with `once`, until coldplug is done). Returns the exit
// status: 0, or 1 when the configuration is bad or the uevent socket cannot be opened.
int run_daemon(exec::System& sys, const DaemonOptions& options);

} // namespace modkit::daemon
