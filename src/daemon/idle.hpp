// Which on-demand modules may be unloaded now: modkitd's idle policy as a pure function of what
// it loaded, what the kernel says about each module and the configuration, so every rule can be
// tested without a kernel. Only modules modkitd itself inserted are candidates; one stays while
// it is referenced (refcount above 0), held by another module, or bound to a device, while it
// is on the keep list or off the allow list, and, under idle-unload=pressure, while memory
// pressure is below the threshold. The removal itself (exec/remove_exec) re-checks at that
// moment, and the kernel may still refuse.
#pragma once

#include "daemon/config.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace modkit::daemon {

// A module modkitd inserted, and since when it has been idle.
struct OnDemand {
    std::string module;
    std::string why;          // the device and alias it was loaded for
    int64_t loaded_at = 0;    // seconds (the daemon's clock)
    int64_t idle_since = -1;  // -1: in use at the last look
    std::string last_refusal; // the last reason it was kept although idle (logged once)
};

// What the running kernel says about one module at the moment of the check.
struct ModuleUse {
    bool loaded = false;
    int refcnt = 0;                   // -errno when unreadable (no unloading support)
    std::vector<std::string> holders; // modules using it
    std::vector<std::string> devices; // devices bound to its drivers
};

enum class IdleAction {
    Gone,   // no longer loaded (someone else removed it): forget it
    InUse,  // referenced, held or bound: its idle clock restarts
    Idle,   // idle, not yet long enough (or no pressure): wait
    Kept,   // idle long enough but the configuration keeps it (`reason`)
    Unload, // remove it now
};

struct IdleVerdict {
    std::string module;
    IdleAction action = IdleAction::Idle;
    std::string reason; // why, in words, for the log and the status
};

// Looks at every tracked module at time `now`, updating idle_since, and says what to do with
// each. `pressure` is the memory pressure ("some avg10") when it could be read.
std::vector<IdleVerdict> check_idle(std::vector<OnDemand>& tracked,
                                    const std::function<ModuleUse(const std::string&)>& observe,
                                    const DaemonConfig& config, std::optional<double> pressure,
                                    int64_t now);

} // namespace modkit::daemon
