// plan_removal() and plan_rmmod(): the decisions of modprobe's rmmod_do_module and rmmod's
// check_module_inuse, taken from the indexes and configuration only; removal_lines() for
// printing a plan.
#include "resolve/removal.hpp"

#include <algorithm>

namespace modkit::resolve {

namespace {

class Planner {
public:
    Planner(Resolver& r, const RemovalFlags& flags)
        : m_r(r)
        , m_flags(flags) {}

    util::Expected<RemovalPlan> plan(ModId id, RemovalReason reason, const std::string& of) {
        RemovalPlan p;
        p.mod = id;
        p.name = m_r.get(id).name;
        p.reason = reason;
        p.reason_of = of;
        Resolver::Softdeps sd;
        if (!m_flags.ignore_commands) {
            auto found = m_r.softdeps(id);
            if (!found) return std::unexpected(found.error());
            sd = std::move(*found);
            p.command = m_r.remove_command(id);
        }
        p.check_loaded = p.command == nullptr && !m_flags.ignore_loaded;
        if (p.check_loaded) {
            auto builtin = m_r.is_builtin(id);
            if (builtin && *builtin) {
                p.builtin = true;
                // Only the module asked for is an error; anything removed for it is skipped.
                p.if_builtin = reason == RemovalReason::Target ? OnFail::Refuse : OnFail::Skip;
                return p;
            }
        }
        p.if_not_loaded = m_flags.first_time ? OnFail::Refuse : OnFail::Skip;
        m_path.push_back(id);
        // Soft dependencies go in the reverse of their order on the softdep line.
        for (auto it = sd.post.rbegin(); it != sd.post.rend(); ++it)
            add(p.post, *it, RemovalReason::SoftdepPost, p.name);
        p.remove_holders = m_flags.remove_holders && reason == RemovalReason::Target;
        p.refuse_if_in_use = p.command == nullptr && !m_flags.ignore_loaded && !m_flags.wait;
        if (p.command == nullptr) {
            // Dependencies nobody uses any more go too; a failed lookup leaves them.
            if (auto deps = m_r.dependencies(id)) {
                for (ModId d : *deps) {
                    RemovalPlan dep;
                    dep.mod = d;
                    dep.name = m_r.get(d).name;
                    dep.reason = RemovalReason::Dependency;
                    dep.reason_of = p.name;
                    dep.check_loaded = false;
                    dep.refuse_if_in_use = false;
                    dep.only_if_unused = true;
                    p.unused_deps.push_back(std::move(dep));
                }
            }
        }
        for (auto it = sd.pre.rbegin(); it != sd.pre.rend(); ++it)
            add(p.pre, *it, RemovalReason::SoftdepPre, p.name);
        m_path.pop_back();
        return p;
    }

private:
    // A soft dependency's own plan; one whose soft dependencies cannot be read becomes a plan
    // that fails when its turn comes, as kmod fails there.
    void add(std::vector<RemovalPlan>& list, ModId m, RemovalReason reason, const std::string& of) {
        if (std::find(m_path.begin(), m_path.end(), m) != m_path.end()) return; // a cycle
        auto sub = plan(m, reason, of);
        if (!sub) {
            RemovalPlan failed;
            failed.mod = m;
            failed.name = m_r.get(m).name;
            failed.reason = reason;
            failed.reason_of = of;
            failed.softdeps_errno = sub.error().sys_errno != 0 ? sub.error().sys_errno : EINVAL;
            list.push_back(std::move(failed));
            return;
        }
        list.push_back(std::move(*sub));
    }

    Resolver& m_r;
    const RemovalFlags& m_flags;
    std::vector<ModId> m_path; // the modules whose plans are being built, outermost first
};

const char* reason_word(RemovalReason r) {
    switch (r) {
    case RemovalReason::Target:
        return "the module asked for";
    case RemovalReason::SoftdepPost:
        return "post soft dependency of ";
    case RemovalReason::Holder:
        return "holds ";
    case RemovalReason::Dependency:
        return "dependency of ";
    case RemovalReason::SoftdepPre:
        return "pre soft dependency of ";
    }
    return "";
}

void lines_of(const RemovalPlan& p, unsigned depth, std::vector<RemovalLine>& out) {
    RemovalLine l;
    l.depth = depth;
    l.name = p.name;
    l.reason = p.reason;
    l.reason_of = p.reason_of;
    std::vector<std::string> cond;
    if (p.softdeps_errno != 0) {
        l.action = "fails: its soft dependencies cannot be read";
        out.push_back(std::move(l));
        return;
    }
    if (p.builtin) {
        l.action = "nothing: built into the kernel";
        l.conditions = p.if_builtin == OnFail::Refuse ? "an error" : "skipped";
        out.push_back(std::move(l));
        return;
    }
    if (p.check_loaded)
        cond.push_back(p.if_not_loaded == OnFail::Refuse ? "an error if not loaded"
                                                         : "only if loaded");
    if (p.refuse_if_held) cond.push_back("refused if held by another module");
    if (p.refuse_if_in_use) cond.push_back("refused if in use");
    if (p.refuse_if_no_unload) cond.push_back("refused if the kernel cannot unload");
    if (p.only_if_unused) cond.push_back("only if unused");
    l.action = p.command != nullptr ? "remove " + p.command->command : "rmmod " + p.name;
    for (const auto& c : cond)
        l.conditions += (l.conditions.empty() ? "" : "; ") + c;
    // The target's line comes after what is removed before it, as it runs.
    for (const auto& s : p.post)
        lines_of(s, depth + 1, out);
    if (p.remove_holders) {
        RemovalLine h;
        h.depth = depth + 1;
        h.name = p.name;
        h.reason = RemovalReason::Holder;
        h.reason_of = p.name;
        h.action = "every module holding " + p.name + ", as found when its turn comes";
        h.conditions = "the first that cannot go stops the removal";
        out.push_back(std::move(h));
    }
    out.push_back(std::move(l));
    for (const auto& s : p.unused_deps)
        lines_of(s, depth + 1, out);
    for (const auto& s : p.pre)
        lines_of(s, depth + 1, out);
}

} // namespace

util::Expected<RemovalPlan> plan_removal(Resolver& r, ModId target, const RemovalFlags& flags,
                                         RemovalReason reason, const std::string& reason_of) {
    Planner planner(r, flags);
    return planner.plan(target, reason, reason_of);
}

RemovalPlan plan_rmmod(std::string name, bool builtin, bool force) {
    RemovalPlan p;
    p.name = std::move(name);
    p.refuse_if_in_use = !force;
    if (force) {
        p.check_loaded = false;
        return p;
    }
    if (builtin) {
        p.builtin = true;
        p.if_builtin = OnFail::Refuse;
        return p;
    }
    p.if_not_loaded = OnFail::Refuse;
    p.refuse_if_held = true;
    p.refuse_if_no_unload = true;
    return p;
}

std::string reason_text(const RemovalLine& l) {
    if (l.reason == RemovalReason::Target) return reason_word(l.reason);
    return reason_word(l.reason) + l.reason_of;
}

std::vector<RemovalLine> removal_lines(const RemovalPlan& plan) {
    std::vector<RemovalLine> out;
    lines_of(plan, 0, out);
    return out;
}

} // namespace modkit::resolve
