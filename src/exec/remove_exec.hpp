// modprobe -r: removing a module, its unused dependencies and its soft dependencies, as
// modprobe's rmmod_do_module does. Removal reads the kernel's state at every step (whether a
// module is live, who holds it, its reference count), so unlike loading it runs directly
// rather than from a precomputed plan.
#pragma once

#include "exec/probe_exec.hpp"

namespace modkit::exec {

struct RemoveRunOptions {
    bool dry_run = false;             // -n
    bool show = false;                // print "rmmod X" / "remove CMD" (-v, -D)
    bool ignore_commands = false;     // -i: no remove commands, no softdeps
    bool ignore_loaded = false;       // -D
    bool first_time = false;          // --first-time
    bool force = false;               // -f: O_TRUNC
    bool remove_holders = false;      // --remove-holders
    unsigned long long wait_msec = 0; // -w
};

// Removes the module `id` as modprobe -r does. Messages modprobe prints with its LOG() level
// go to fx.log at `log_level` (FATAL, or WARNING with -a; the CLI decides what FATAL means).
// Returns 0 or -errno.
int run_remove(resolve::Resolver& r, resolve::ModId id, const RemoveRunOptions& opt,
               util::LogLevel log_level, Effects& fx);

} // namespace modkit::exec
