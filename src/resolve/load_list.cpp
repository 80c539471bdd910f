// plan_load_list(): systemd-modules-load's lookups and libkmod's probe lists for every entry,
// and which entry loads each module first.
#include "resolve/load_list.hpp"

#include <unordered_map>

namespace modkit::resolve {

namespace {

// Whether executing this step can load the module (an insmod or an install command).
bool loads(const ProbeStep& s) {
    return s.kind == StepKind::Insmod || s.kind == StepKind::Install;
}

util::Expected<LoadTarget> plan_target(Resolver& r, ModId id) {
    LoadTarget t;
    t.name = r.get(id).name;
    auto builtin = r.is_builtin(id);
    if (!builtin) return std::unexpected(builtin.error());
    t.builtin = *builtin;
    if (t.builtin) return t; // systemd says "built in" without asking libkmod to probe
    ProbeFlags flags;
    flags.apply_blacklist = true; // KMOD_PROBE_APPLY_BLACKLIST
    auto plan = plan_probe(r, id, nullptr, flags);
    if (!plan) return std::unexpected(plan.error());
    t.plan = std::move(*plan);
    for (const ProbeStep& s : t.plan.steps) {
        auto b = r.is_builtin(s.mod);
        if (!b) return std::unexpected(b.error());
        t.step_builtin.push_back(*b);
    }
    return t;
}

} // namespace

std::vector<LoadItem> plan_load_list(Resolver& r, std::span<const config::LoadEntry> entries) {
    std::vector<LoadItem> items;
    items.reserve(entries.size());
    std::unordered_map<std::string, size_t> first_loader; // module name -> entry index
    util::LogFn caller_log = r.set_log({});
    for (size_t i = 0; i < entries.size(); ++i) {
        LoadItem item;
        item.entry = entries[i];
        // Every entry starts from a fresh module pool, as libkmod's empties when systemd
        // releases the previous entry's list.
        r.forget_modules();
        r.set_log(
            [&item](util::LogLevel, const std::string& msg) { item.messages.push_back(msg); });
        auto found = r.lookup(item.entry.name);
        if (!found) {
            item.lookup_error = found.error();
        } else {
            for (ModId id : *found) {
                auto t = plan_target(r, id);
                if (!t) {
                    item.lookup_error = t.error();
                    item.targets.clear();
                    break;
                }
                item.targets.push_back(std::move(*t));
            }
        }
        for (LoadTarget& t : item.targets) {
            for (const ProbeStep& s : t.plan.steps) {
                size_t owner = k_no_owner;
                if (loads(s)) owner = first_loader.try_emplace(s.name, i).first->second;
                t.step_owner.push_back(owner);
            }
            if (auto it = first_loader.find(t.name); it != first_loader.end())
                t.target_owner = it->second;
        }
        r.set_log({});
        items.push_back(std::move(item));
    }
    r.set_log(std::move(caller_log));
    return items;
}

} // namespace modkit::resolve
