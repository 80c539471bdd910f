// Carrying out a removal plan (resolve/removal.hpp): modprobe -r and rmmod. Each condition of
// the plan is checked against the running kernel when its step comes, as kmod checks it, and
// the -n/-v lines ("rmmod X", "remove CMD") are printed as the steps run.
#pragma once

#include "exec/probe_exec.hpp"
#include "resolve/removal.hpp"

#include <functional>
#include <string>
#include <vector>

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

    resolve::RemovalFlags flags() const;
};

// Why a step of the plan did not remove its module.
struct Refusal {
    enum class Kind {
        Builtin,        // built into the kernel
        NotLoaded,      // not loaded (an error only with --first-time, and for rmmod)
        HeldBy,         // rmmod: other modules hold it (`holders`)
        InUse,          // its reference count is above 0
        NoUnload,       // rmmod: refcnt unreadable (`err`; ENOENT: the kernel cannot unload)
        CommandFailed,  // its remove command failed
        SoftdepsFailed, // its soft dependencies could not be read (`err`)
    };
    Kind kind;
    std::string module;
    std::vector<std::string> holders;
    int err = 0;
};

// How refusals are reported. Empty: modprobe's own messages ("Module X is in use.") at the
// level given to run_removal (FATAL, or WARNING with -a). rmmod passes its wording.
using RefusalFn = std::function<void(const Refusal&)>;

// Carries out `plan`. Returns 0 or -errno (the first failure that stops it). `r` resolves the
// holders found when a plan asks for them to be removed (--remove-holders); rmmod has none.
int run_removal(resolve::Resolver* r, const resolve::RemovalPlan& plan, const RemoveRunOptions& opt,
                util::LogLevel log_level, Effects& fx, const RefusalFn& refused = {});

// modprobe -r of module `id`: plan_removal, then run_removal.
int run_remove(resolve::Resolver& r, resolve::ModId id, const RemoveRunOptions& opt,
               util::LogLevel log_level, Effects& fx);

} // namespace modkit::exec
