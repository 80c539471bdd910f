// The plan for loading one module, as data: kmod's probe list (every hard dependency with its
// soft dependencies around it, then the module itself), the options and install command of
// each entry, and why each entry is there. Building a plan has no side effects; an executor
// (src/exec) carries it out, and --dry-run, --show-depends, --explain and --json print it.
#pragma once

#include "resolve/resolver.hpp"

#include <string>
#include <vector>

namespace modkit::resolve {

struct ProbeFlags {
    bool ignore_commands = false; // -i: no install commands, no softdeps of the target
    bool apply_blacklist = false; // -b: a blacklisted target is skipped even by name
    bool ignore_loaded = false;   // -D: do not consult the running kernel
    // libkmod's other two blacklist rules (KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY, which
    // modprobe always applies, and _ALL, which also drops blacklisted dependencies).
    bool blacklist_aliases = true;
    bool blacklist_all = false;
};

// Which rule stopped a probe, in the order libkmod checks them.
enum class BlacklistRule : uint8_t { None, Alias, All, Target };

enum class StepKind {
    Insmod,  // load the file
    Install, // run the install command instead
    Builtin, // built into the kernel: nothing to load
    Missing, // no file and not built in (an alias to a module that is not there)
};

enum class StepReason { Target, Dependency, SoftdepPre, SoftdepPost };

struct ProbeStep {
    ModId mod = 0;
    std::string name;
    StepKind kind = StepKind::Insmod;
    std::string path;                         // for Insmod
    std::string options;                      // config options (+ command-line ones for the target)
    const config::Command* install = nullptr; // for Install
    bool required = true;                     // errors are fatal (false for softdeps)
    bool is_target = false;
    StepReason reason = StepReason::Target;
    std::string reason_of; // the module this one is a dependency/softdep of
};

struct ProbePlan {
    ModId target = 0;
    // The target is blacklisted (and reached through an alias, or -b): nothing is done.
    bool blacklisted = false;
    BlacklistRule blacklist_rule = BlacklistRule::None;
    std::vector<ProbeStep> steps;
};

// kmod_module_probe_insert_module's list, for `target` with the options given on the command
// line (`extra_options`, which apply to the target only; null when none were given).
util::Expected<ProbePlan> plan_probe(Resolver& r, ModId target, const std::string* extra_options,
                                     const ProbeFlags& flags);

// The options string kmod passes: config options, a space, then the extra ones. kmod keeps
// that space even when there are no extra options ("opt "), and the line it prints shows it.
std::string concat_options(const std::string& config_options, const std::string* extra);

} // namespace modkit::resolve
