// Loading the driver of one device, as udev's kmod builtin does ("kmod load $MODALIAS"): the
// modalias looked up through modkit's resolver (the lookup chain, modprobe.d aliases, options,
// soft dependencies, the blacklist applied to aliases as KMOD_PROBE_APPLY_BLACKLIST applies it)
// and carried out by exec/ exactly as systemd-modules-load's entries are. Each module it loads
// comes with the provenance `modkit explain` shows: which source and alias pattern matched,
// which configuration lines gave options, soft dependencies or a blacklist.
//
// Planning shares one module pool and is serialised; execution is not, so several devices'
// modules initialise at once and a slow one holds up only its own request.
#pragma once

#include "config/modprobe_config.hpp"
#include "exec/system.hpp"
#include "index/module_dir.hpp"
#include "resolve/resolver.hpp"
#include "util/diag.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace modkit::daemon {

struct DeviceRequest {
    std::string modalias;
    std::string devpath; // the device it came from ("/devices/...", or "coldplug:<path>")
};

// One module this request inserted (it was not live before and is now).
struct Inserted {
    std::string module;
    std::string why; // "for DEVPATH (MODALIAS): modules.alias pattern ..., options ... [file:line]"
};

struct RequestOutcome {
    std::vector<std::pair<util::LogLevel, std::string>> log; // in order
    std::vector<Inserted> inserted;
    bool failed = false;
};

class Loader {
public:
    // Reads the module directory of the running kernel and modprobe.d under `root` ("" for /).
    Loader(exec::System& sys, std::string root);

    // Re-reads modprobe.d, the kernel command line and the module indexes (SIGHUP); requests
    // already planning finish with the old ones. Configuration problems are logged.
    void reload();

    RequestOutcome handle(const DeviceRequest& request);

private:
    struct World;
    std::shared_ptr<World> current();

    exec::System& m_sys;
    std::string m_root;
    std::mutex m_swap;
    std::shared_ptr<World> m_world;
};

} // namespace modkit::daemon
