// plan_probe(): kmod_module_get_probe_list and the per-entry decisions of
// kmod_module_probe_insert_module, without touching the kernel.
#include "resolve/probe.hpp"

namespace modkit::resolve {

namespace {

struct Builder {
    Resolver& r;
    std::vector<ProbeStep>& steps;

    util::Expected<void> append(ModId m, StepReason reason, const std::string& of) {
        ProbeStep s;
        s.mod = m;
        s.name = r.get(m).name;
        s.reason = reason;
        s.reason_of = of;
        steps.push_back(std::move(s));
        return {};
    }

    // __kmod_module_fill_softdep: pre softdeps, the module, post softdeps. A module with any
    // softdep has its install command ignored.
    util::Expected<void> fill_softdep(ModId m, StepReason reason, const std::string& of) {
        auto sd = r.softdeps(m);
        if (!sd) return std::unexpected(sd.error());
        std::string name = r.get(m).name;
        for (ModId p : sd->pre)
            if (auto e = probe_list(p, false, false, StepReason::SoftdepPre, name); !e) return e;
        append(m, reason, of);
        r.get(m).ignorecmd = !sd->pre.empty() || !sd->post.empty();
        for (ModId p : sd->post)
            if (auto e = probe_list(p, false, false, StepReason::SoftdepPost, name); !e) return e;
        return {};
    }

    // __kmod_module_get_probe_list.
    util::Expected<void> probe_list(ModId m, bool required, bool ignorecmd, StepReason reason,
                                    const std::string& of) {
        if (r.get(m).visited) return {};
        r.get(m).visited = true;
        auto deps = r.dependencies(m);
        if (!deps) return std::unexpected(deps.error());
        if (required) {
            // Set before any of them is reached again through a softdep.
            r.get(m).required = true;
            for (ModId d : *deps)
                r.get(d).required = true;
        }
        std::string name = r.get(m).name;
        for (ModId d : *deps)
            if (auto e = fill_softdep(d, StepReason::Dependency, name); !e) return e;
        if (ignorecmd) {
            append(m, reason, of);
            r.get(m).ignorecmd = true;
            return {};
        }
        return fill_softdep(m, reason, of);
    }
};

} // namespace

std::string concat_options(const std::string& config_options, const std::string* extra) {
    if (config_options.empty()) return extra != nullptr ? *extra : std::string();
    std::string out = config_options;
    out += ' ';
    if (extra != nullptr) out += *extra;
    return out;
}

util::Expected<ProbePlan> plan_probe(Resolver& r, ModId target, const std::string* extra_options,
                                     const ProbeFlags& flags) {
    ProbePlan plan;
    plan.target = target;
    // modprobe applies the blacklist to targets reached through an alias, or to every target
    // with -b; only libkmod's "all" rule filters dependencies and softdeps too.
    if (r.is_blacklisted(target)) {
        BlacklistRule rule = BlacklistRule::None;
        if (r.get(target).alias && flags.blacklist_aliases)
            rule = BlacklistRule::Alias;
        else if (flags.blacklist_all)
            rule = BlacklistRule::All;
        else if (flags.apply_blacklist)
            rule = BlacklistRule::Target;
        if (rule != BlacklistRule::None) {
            plan.blacklisted = true;
            plan.blacklist_rule = rule;
            return plan;
        }
    }
    r.reset_probe_state();
    Builder b{r, plan.steps};
    if (auto e = b.probe_list(target, true, flags.ignore_commands, StepReason::Target, {}); !e)
        return std::unexpected(e.error());
    if (flags.blacklist_all) {
        std::erase_if(plan.steps, [&](const ProbeStep& s) { return r.is_blacklisted(s.mod); });
        if (plan.steps.empty()) {
            plan.blacklisted = true;
            plan.blacklist_rule = BlacklistRule::All;
            return plan;
        }
    }

    for (ProbeStep& s : plan.steps) {
        const ModObject& m = r.get(s.mod);
        s.is_target = s.mod == target;
        s.required = m.required;
        s.options = concat_options(r.options(s.mod), s.is_target ? extra_options : nullptr);
        const config::Command* cmd = r.install_command(s.mod);
        if (cmd != nullptr && !m.ignorecmd) {
            s.kind = StepKind::Install;
            s.install = cmd;
            continue;
        }
        auto path = r.path(s.mod);
        if (!path) return std::unexpected(path.error());
        if (*path) {
            s.kind = StepKind::Insmod;
            s.path = **path;
            continue;
        }
        auto builtin = r.is_builtin(s.mod);
        if (!builtin) return std::unexpected(builtin.error());
        s.kind = *builtin ? StepKind::Builtin : StepKind::Missing;
    }
    return plan;
}

} // namespace modkit::resolve
