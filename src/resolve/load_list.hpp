// The plan for loading a list of modules the way systemd-modules-load does (modules-load.d,
// /etc/modules, modules_load=): every entry looked up, every module it names with its probe plan
// (the blacklist applied, as systemd asks libkmod to), and, for every module a plan loads, the
// first entry that loads it. That last part lets an executor run entries in parallel and still
// give each one the answers it would get one by one: an entry touches a module an earlier entry
// loads only after that entry is done with it.
#pragma once

#include "config/modules_load.hpp"
#include "resolve/probe.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace modkit::resolve {

inline constexpr size_t k_no_owner = static_cast<size_t>(-1);

// One module an entry names, and how it would be loaded.
struct LoadTarget {
    std::string name;     // the module's name, as systemd prints it
    bool builtin = false; // modules.builtin knows it: nothing to do
    ProbePlan plan;       // steps in load order (empty when blacklisted or built in)
    // Per step: whether modules.builtin knows that module (libkmod counts it as in the kernel).
    std::vector<bool> step_builtin;
    // Per step: the index of the entry that loads that module first (this entry or an earlier
    // one), k_no_owner for steps nothing loads (built in, missing).
    std::vector<size_t> step_owner;
    // The first entry that loads the target itself (k_no_owner: none does).
    size_t target_owner = k_no_owner;
};

struct LoadItem {
    config::LoadEntry entry;
    // The lookup failed (e.g. unbalanced brackets): systemd's "Failed to look up module alias".
    std::optional<util::Error> lookup_error;
    // The modules it names; none when nothing answers to the name.
    std::vector<LoadTarget> targets;
    // What libkmod would log at error level while resolving (a soft dependency that cannot be
    // looked up), in order.
    std::vector<std::string> messages;
};

// Plans every entry in order. Index errors while planning one target are that entry's
// lookup_error; the other entries are planned as usual.
std::vector<LoadItem> plan_load_list(Resolver& r, std::span<const config::LoadEntry> entries);

} // namespace modkit::resolve
