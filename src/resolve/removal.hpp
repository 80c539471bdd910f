// The plan for removing a module, as data, as loading has its probe plan: which modules go in
// which order and why (the target, its soft dependencies, its holders, its dependencies), and
// the conditions each one is checked against when its turn comes ("only if loaded", "refused
// if in use", "only if unused"). The conditions name facts of the running kernel; resolve/
// never reads it. exec/remove_exec evaluates them at the moment kmod does, so the outcome under
// a changing kernel is kmod's, while the plan itself can be printed (--dry-run, --explain -r)
// and tested without a kernel.
#pragma once

#include "resolve/resolver.hpp"

#include <string>
#include <vector>

namespace modkit::resolve {

struct RemovalFlags {
    bool ignore_commands = false; // -i: no remove commands, no soft dependencies
    bool ignore_loaded = false;   // -D: plan as if everything named were loaded
    bool first_time = false;      // --first-time: a module that is not loaded is an error
    bool remove_holders = false;  // --remove-holders
    bool wait = false;            // -w: wait for the refcount to drop instead of refusing
};

enum class RemovalReason { Target, SoftdepPost, Holder, Dependency, SoftdepPre };

// What happens when a condition on the live kernel fails.
enum class OnFail {
    Skip,   // nothing to do for this module; not an error
    Refuse, // an error: the module stays, and so does everything after it in this plan
};

struct RemovalPlan {
    ModId mod = 0;
    std::string name;
    RemovalReason reason = RemovalReason::Target;
    std::string reason_of; // the module this one is removed for (empty for the target)
    // Its soft dependencies could not be read (errno): the plan fails when its turn comes.
    int softdeps_errno = 0;

    // Built into the kernel (modules.builtin): nothing can be removed, so the plan is only
    // this verdict; Skip for modules that are not the one asked for.
    bool builtin = false;
    OnFail if_builtin = OnFail::Refuse;
    // Checked first: the module must be loaded (initstate). Off with -D, and when a remove
    // command stands in for the removal.
    bool check_loaded = true;
    OnFail if_not_loaded = OnFail::Skip;

    // Then, in this order:
    std::vector<RemovalPlan> post;    // its post soft dependencies (failures ignored)
    bool remove_holders = false;      // the modules holding it at that moment, each as a plan of
                                      // its own (reason Holder); the first failure ends this plan
    bool refuse_if_held = false;      // rmmod: holders mean "in use by"
    bool refuse_if_in_use = true;     // a reference count above 0 refuses the removal
    bool refuse_if_no_unload = false; // rmmod: no refcnt file means a kernel without unloading
    bool only_if_unused = false;      // a dependency: removed only when its refcount is 0
    const config::Command* command = nullptr; // a remove command instead of delete_module
    // Its dependencies, each removed only if unused afterwards (failures ignored).
    std::vector<RemovalPlan> unused_deps;
    std::vector<RemovalPlan> pre; // its pre soft dependencies (failures ignored)
};

// modprobe -r's plan for `target` (modprobe's rmmod_do_module). Soft dependencies are
// resolved by full lookups, as kmod does (a failed lookup is reported and skipped); a cycle
// of soft dependencies is cut where a module would be removed inside its own removal (kmod
// would recurse until it crashes; see docs/compat.md).
util::Expected<RemovalPlan> plan_removal(Resolver& r, ModId target, const RemovalFlags& flags,
                                         RemovalReason reason = RemovalReason::Target,
                                         const std::string& reason_of = {});

// rmmod's plan for one module: no soft dependencies, commands or dependencies; refused when
// built in (only a module named, not given by path, can be), not loaded, held, in use, or on
// a kernel that cannot unload (kmod's check_module_inuse). `force` (-f) skips every check.
// `builtin` comes from modules.builtin.bin.
RemovalPlan plan_rmmod(std::string name, bool builtin, bool force);

// The plan as lines in execution order, for --explain -r and --dry-run -v: each entry is a
// module, the reason it is there, and the conditions it is checked against.
struct RemovalLine {
    unsigned depth = 0; // nesting: 0 for the target, 1 for what is removed for it...
    std::string name;
    RemovalReason reason = RemovalReason::Target;
    std::string reason_of;
    std::string action;     // "rmmod NAME", "remove COMMAND", "nothing: built in",
                            // "modules holding NAME (read when removing)"
    std::string conditions; // "only if loaded; refused if in use" ...
};
std::vector<RemovalLine> removal_lines(const RemovalPlan& plan);
// "the module asked for", "post soft dependency of ext4", "holds ext4"...
std::string reason_text(const RemovalLine& line);

} // namespace modkit::resolve
