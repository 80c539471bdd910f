// The text view of `modprobe --explain`: the lookup chain source by source, each module's
// file, state, options (config lines and the command line), blacklist, softdeps and install
// command with their origins, then the load plan (or, with -r, the removal plan) step by step.
#include "cli/explain.hpp"

#include "util/output.hpp"
#include "util/strings.hpp"

namespace modkit::cli::modprobe {

namespace {

using resolve::StepKind;

std::string directory_text(const Context& ctx, resolve::DirectoryState state) {
    const std::string kver = std::string(util::basename(ctx.dirname));
    switch (state) {
    case resolve::DirectoryState::Ready:
        return "";
    case resolve::DirectoryState::NoDirectory:
        return "  " + ctx.dirname + " does not exist: the modules of kernel " + kver +
               " are not installed.\n  If it is the running kernel, its package was most likely "
               "upgraded or removed since the last boot:\n  reboot into an installed kernel "
               "(ls " +
               std::string(util::dirname(ctx.dirname)) + "), or name one with -S.\n";
    case resolve::DirectoryState::NoDependencies:
        return "  " + ctx.dirname + "/modules.dep.bin does not exist: depmod has never indexed " +
               "this directory.\n  Run: depmod " + kver + "\n";
    }
    return "";
}

std::string lookup_text(const resolve::Explanation& ex) {
    std::string t = "  lookup (the first source that answers wins):\n";
    for (const auto& a : ex.attempts) {
        t += "    " + std::string(resolve::source_name(a.source)) + ": ";
        if (a.found.empty()) {
            t += "no match\n";
            continue;
        }
        for (size_t i = 0; i < a.found.size(); ++i) {
            const auto& f = a.found[i];
            if (i) t += ", ";
            t += f.name;
            if (!f.alias.empty() && f.alias != ex.normalized) t += " (pattern " + f.alias + ")";
            if (!f.origin.empty()) t += " [" + f.origin + "]";
        }
        t += "\n";
    }
    return t;
}

std::string config_text(const resolve::ExplainedModule& m) {
    std::string t = "  options:   ";
    size_t n = 0;
    for (const auto* o : m.options)
        t += std::string(n++ ? "             " : "") + o->options + "  [" + origin_text(o->origin) +
             "]\n";
    if (m.cmdline_options)
        t += std::string(n++ ? "             " : "") + *m.cmdline_options + "  [command line]\n";
    if (n == 0) t += "none\n";
    t += "  blacklist: ";
    if (m.blacklist == nullptr)
        t += "no\n";
    else
        t += std::string(m.blacklist_applies ? "yes, applies: reached through an alias"
                                             : "listed, but only applies to aliases (use -b)") +
             "  [" + origin_text(m.blacklist->origin) + "]\n";
    t += "  softdep:   ";
    if (m.softdep == nullptr) {
        t += "none\n";
    } else {
        auto list = [](const std::vector<std::string>& v) {
            std::string s;
            for (const auto& n : v)
                s += (s.empty() ? "" : " ") + n;
            return s.empty() ? std::string("-") : s;
        };
        t += "pre: " + list(m.softdep_pre) + "; post: " + list(m.softdep_post) + "  [" +
             origin_text(m.softdep->origin) + "]\n";
    }
    return t;
}

std::string install_text(const resolve::ExplainedModule& m) {
    if (m.removal) {
        const config::Command* cmd = m.removal->command;
        if (cmd == nullptr) return "  remove:    none\n";
        return "  remove:    " + cmd->command + "  [" + origin_text(cmd->origin) + "]\n";
    }
    std::string t = "  install:   ";
    if (m.install == nullptr) return t + "none\n";
    t += m.install->command + "  [" + origin_text(m.install->origin) + "]";
    bool used = false;
    for (const auto& s : m.plan.steps)
        if (s.is_target && s.kind == StepKind::Install) used = true;
    if (!used) t += "  (ignored: the module has soft dependencies, or -i)";
    return t + "\n";
}

std::string load_plan_text(Context& ctx, const resolve::ExplainedModule& m) {
    if (m.plan.blacklisted) return "  plan:      nothing: blacklisted\n";
    std::string t = "  plan (in load order):\n";
    size_t n = 0;
    for (const auto& s : m.plan.steps) {
        std::string what = std::string(action_name(s.kind)) + " ";
        if (s.kind == StepKind::Insmod)
            what += s.path;
        else if (s.kind == StepKind::Install)
            what += s.install->command;
        else
            what += s.name;
        if (!s.options.empty()) what += "  options: " + s.options;
        t += "    " + std::to_string(++n) + ". " + what + "\n";
        t += "       " + reason_text(s) + (s.required ? "" : ", optional (errors ignored)") +
             "; now " + state_of(ctx, s.name, s.kind == StepKind::Builtin) + "\n";
    }
    return t;
}

std::string removal_plan_text(Context& ctx, const resolve::RemovalPlan& plan) {
    std::string t = "  plan (in removal order; each condition is checked when its turn comes):\n";
    size_t n = 0;
    for (const auto& l : resolve::removal_lines(plan)) {
        t += "    " + std::string(2 * l.depth, ' ') + std::to_string(++n) + ". " + l.action + "\n";
        t += "       " + std::string(2 * l.depth, ' ') + resolve::reason_text(l);
        if (!l.conditions.empty()) t += "; " + l.conditions;
        t += "; now " + state_of(ctx, l.name, false) + "\n";
    }
    return t;
}

} // namespace

void explain_text(Context& ctx, const resolve::Explanation& ex) {
    std::string t = "\"" + ex.input + "\" in " + ctx.dirname + "\n";
    t += directory_text(ctx, ex.directory);
    if (ex.invalid) {
        util::Output::write(t + "  not a valid module name or alias (unbalanced brackets)\n");
        return;
    }
    t += lookup_text(ex);
    if (ex.modules.empty()) t += "  no module: modprobe would fail with \"not found\"\n";
    for (const auto& m : ex.modules) {
        t += "module " + m.name + "\n";
        t += "  file:      " +
             (m.path ? *m.path : std::string(m.builtin ? "(built into the kernel)" : "(none)")) +
             "\n";
        t += "  state:     " + state_of(ctx, m.name, m.builtin) + "\n";
        t += config_text(m);
        t += install_text(m);
        t += m.removal ? removal_plan_text(ctx, *m.removal) : load_plan_text(ctx, m);
    }
    util::Output::write(t);
}

} // namespace modkit::cli::modprobe
