// modprobe --explain (and `modkit explain`): prints, for each argument, how the lookup chain
// answered, which configuration lines matter and in what order modules would load, with the
// running kernel's state of each. --json prints the same as a JSON document.
#include "cli/modprobe.hpp"
#include "cli/tools.hpp"

#include "kernel/module_state.hpp"
#include "resolve/explain.hpp"
#include "util/diag.hpp"
#include "util/json.hpp"
#include "util/output.hpp"

namespace modkit::cli::modprobe {

namespace {

using resolve::StepKind;
using resolve::StepReason;

std::string state_of(Context& ctx, const std::string& name, bool builtin) {
    if (builtin) return "builtin";
    auto state = kernel::initstate(ctx.system, name, [](util::LogLevel, const std::string&) {});
    if (!state) return "not loaded";
    switch (*state) {
    case kernel::InitState::Live:
        return "loaded";
    case kernel::InitState::Coming:
        return "loading";
    case kernel::InitState::Going:
        return "unloading";
    }
    return "not loaded";
}

const char* action_name(StepKind k) {
    switch (k) {
    case StepKind::Insmod:
        return "insmod";
    case StepKind::Install:
        return "install";
    case StepKind::Builtin:
        return "builtin";
    case StepKind::Missing:
        return "missing";
    }
    return "";
}

std::string reason_text(const resolve::ProbeStep& s) {
    switch (s.reason) {
    case StepReason::Target:
        return "the module asked for";
    case StepReason::Dependency:
        return "needed by " + s.reason_of + " (symbols)";
    case StepReason::SoftdepPre:
        return "soft dependency of " + s.reason_of + ", loaded before it";
    case StepReason::SoftdepPost:
        return "soft dependency of " + s.reason_of + ", loaded after it";
    }
    return "";
}

const char* reason_key(StepReason r) {
    switch (r) {
    case StepReason::Target:
        return "target";
    case StepReason::Dependency:
        return "dependency";
    case StepReason::SoftdepPre:
        return "softdep-pre";
    case StepReason::SoftdepPost:
        return "softdep-post";
    }
    return "";
}

std::string origin_text(const config::Origin& o) {
    return o.from_kcmdline() ? "kernel command line" : o.describe();
}

void explain_text(Context& ctx, const resolve::Explanation& ex) {
    std::string t = "\"" + ex.input + "\" in " + ctx.dirname + "\n";
    if (ex.invalid) {
        util::Output::write(t + "  not a valid module name or alias (unbalanced brackets)\n");
        return;
    }
    t += "  lookup (the first source that answers wins):\n";
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
    if (ex.modules.empty()) t += "  no module: modprobe would fail with \"not found\"\n";
    for (const auto& m : ex.modules) {
        t += "module " + m.name + "\n";
        t += "  file:      " +
             (m.path ? *m.path : std::string(m.builtin ? "(built into the kernel)" : "(none)")) +
             "\n";
        t += "  state:     " + state_of(ctx, m.name, m.builtin) + "\n";
        t += "  options:   ";
        if (m.options.empty()) t += "none\n";
        for (size_t i = 0; i < m.options.size(); ++i)
            t += std::string(i ? "             " : "") + m.options[i]->options + "  [" +
                 origin_text(m.options[i]->origin) + "]\n";
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
        t += "  install:   ";
        if (m.install == nullptr) {
            t += "none\n";
        } else {
            t += m.install->command + "  [" + origin_text(m.install->origin) + "]";
            bool used = false;
            for (const auto& s : m.plan.steps)
                if (s.is_target && s.kind == StepKind::Install) used = true;
            if (!used) t += "  (ignored: the module has soft dependencies, or -i)";
            t += "\n";
        }
        if (m.plan.blacklisted) {
            t += "  plan:      nothing: blacklisted\n";
            continue;
        }
        t += "  plan (in load order):\n";
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
    }
    util::Output::write(t);
}

void explain_json(Context& ctx, const resolve::Explanation& ex, bool first) {
    using util::json_string;
    std::string j = first ? "" : ",\n";
    j += "{\"input\":" + json_string(ex.input) + ",\"normalized\":" + json_string(ex.normalized) +
         ",\"module_directory\":" + json_string(ctx.dirname) +
         ",\"valid\":" + (ex.invalid ? "false" : "true") + ",\"lookup\":[";
    for (size_t i = 0; i < ex.attempts.size(); ++i) {
        const auto& a = ex.attempts[i];
        j += std::string(i ? "," : "") +
             "{\"source\":" + json_string(resolve::source_name(a.source)) + ",\"matches\":[";
        for (size_t k = 0; k < a.found.size(); ++k)
            j += std::string(k ? "," : "") + "{\"module\":" + json_string(a.found[k].name) +
                 ",\"alias\":" + json_string(a.found[k].alias) +
                 ",\"origin\":" + json_string(a.found[k].origin) + "}";
        j += "]}";
    }
    j += "],\"modules\":[";
    for (size_t i = 0; i < ex.modules.size(); ++i) {
        const auto& m = ex.modules[i];
        j += std::string(i ? "," : "") + "{\"name\":" + json_string(m.name) +
             ",\"alias\":" + (m.alias ? json_string(*m.alias) : "null") +
             ",\"source\":" + json_string(resolve::source_name(m.source)) +
             ",\"file\":" + (m.path ? json_string(*m.path) : "null") +
             ",\"builtin\":" + (m.builtin ? "true" : "false") +
             ",\"state\":" + json_string(state_of(ctx, m.name, m.builtin)) + ",\"options\":[";
        for (size_t k = 0; k < m.options.size(); ++k)
            j += std::string(k ? "," : "") + "{\"options\":" + json_string(m.options[k]->options) +
                 ",\"origin\":" + json_string(origin_text(m.options[k]->origin)) + "}";
        j += "],\"blacklist\":";
        j += m.blacklist == nullptr
                 ? "null"
                 : "{\"origin\":" + json_string(origin_text(m.blacklist->origin)) +
                       ",\"applies\":" + (m.blacklist_applies ? "true" : "false") + "}";
        j += ",\"softdep\":";
        if (m.softdep == nullptr) {
            j += "null";
        } else {
            auto arr = [&](const std::vector<std::string>& v) {
                std::string s = "[";
                for (size_t k = 0; k < v.size(); ++k)
                    s += std::string(k ? "," : "") + json_string(v[k]);
                return s + "]";
            };
            j += "{\"pre\":" + arr(m.softdep_pre) + ",\"post\":" + arr(m.softdep_post) +
                 ",\"origin\":" + json_string(origin_text(m.softdep->origin)) + "}";
        }
        j += ",\"install\":";
        j += m.install == nullptr
                 ? "null"
                 : "{\"command\":" + json_string(m.install->command) +
                       ",\"origin\":" + json_string(origin_text(m.install->origin)) + "}";
        j += ",\"plan\":{\"blacklisted\":" + std::string(m.plan.blacklisted ? "true" : "false") +
             ",\"steps\":[";
        for (size_t k = 0; k < m.plan.steps.size(); ++k) {
            const auto& s = m.plan.steps[k];
            j += std::string(k ? "," : "") + "{\"action\":" + json_string(action_name(s.kind)) +
                 ",\"module\":" + json_string(s.name) +
                 ",\"file\":" + (s.kind == StepKind::Insmod ? json_string(s.path) : "null") +
                 ",\"command\":" +
                 (s.kind == StepKind::Install ? json_string(s.install->command) : "null") +
                 ",\"options\":" + json_string(s.options) +
                 ",\"reason\":" + json_string(reason_key(s.reason)) +
                 ",\"of\":" + (s.reason_of.empty() ? "null" : json_string(s.reason_of)) +
                 ",\"required\":" + (s.required ? "true" : "false") +
                 ",\"state\":" + json_string(state_of(ctx, s.name, s.kind == StepKind::Builtin)) +
                 "}";
        }
        j += "]}}";
    }
    j += "]}";
    util::Output::write(j);
}

} // namespace

int explain(Context& ctx, const std::vector<std::string_view>& args) {
    resolve::ProbeFlags flags;
    flags.ignore_commands = ctx.opt.ignore_commands;
    flags.apply_blacklist = ctx.opt.use_blacklist;
    flags.ignore_loaded = true;
    int err = 0;
    if (ctx.opt.json) util::Output::write("[");
    // Without -a the words after the first are options for it, not modules.
    size_t n = ctx.opt.all ? args.size() : std::min<size_t>(args.size(), 1);
    for (size_t i = 0; i < n; ++i) {
        auto ex = resolve::explain(ctx.resolver, args[i], flags);
        ctx.flush_resolver_messages();
        if (!ex) {
            util::Diag::error(ex.error().describe());
            err = -EINVAL;
            continue;
        }
        if (ctx.opt.json)
            explain_json(ctx, *ex, i == 0);
        else
            explain_text(ctx, *ex);
        if (ex->modules.empty()) err = -ENOENT;
    }
    if (ctx.opt.json) util::Output::write("]\n");
    return err;
}

} // namespace modkit::cli::modprobe

namespace modkit::cli {

// `modkit explain [modprobe options] NAME...`: modprobe --explain under its own name.
int explain_main(int argc, char** argv) {
    std::vector<std::string> store = {"modprobe", "--explain"};
    for (int i = 1; i < argc; ++i)
        store.emplace_back(argv[i]);
    std::vector<char*> args;
    for (auto& s : store)
        args.push_back(s.data());
    args.push_back(nullptr);
    util::Diag::set_program("modprobe");
    return modprobe_main(static_cast<int>(store.size()), args.data());
}

} // namespace modkit::cli
