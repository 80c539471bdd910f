// modprobe --explain (and `modkit explain`): for each argument, how the lookup chain answered,
// which configuration lines matter, and in what order modules would be loaded (or, with -r,
// removed), with the running kernel's state of each. The views are in explain_text.cpp and
// explain_json.cpp; the data comes from resolve::explain.
#include "cli/explain.hpp"

#include "cli/tools.hpp"
#include "daemon/config.hpp"
#include "daemon/history.hpp"
#include "exec/kernel_state.hpp"
#include "module/params.hpp"
#include "util/diag.hpp"
#include "util/json.hpp"
#include "util/mapped_file.hpp"
#include "util/output.hpp"

#include <ctime>

namespace modkit::cli::modprobe {

using resolve::StepKind;
using resolve::StepReason;

std::string state_of(Context& ctx, const std::string& name, bool builtin) {
    if (builtin) return "builtin";
    auto state = exec::initstate(ctx.system, name, [](util::LogLevel, const std::string&) {});
    if (!state) return "not loaded";
    switch (*state) {
    case exec::InitState::Live:
        return "loaded";
    case exec::InitState::Coming:
        return "loading";
    case exec::InitState::Going:
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

const char* removal_reason_key(resolve::RemovalReason r) {
    switch (r) {
    case resolve::RemovalReason::Target:
        return "target";
    case resolve::RemovalReason::SoftdepPost:
        return "softdep-post";
    case resolve::RemovalReason::Holder:
        return "holder";
    case resolve::RemovalReason::Dependency:
        return "dependency";
    case resolve::RemovalReason::SoftdepPre:
        return "softdep-pre";
    }
    return "";
}

namespace {

// What modkitd did with each module on demand (its history file, named by modkitd.conf), after
// the explanation; nothing when modkitd never ran.
void on_demand_history(const resolve::Explanation& ex) {
    auto cfg = daemon::load_daemon_config("/etc/modkit/modkitd.conf");
    if (!cfg) return;
    auto text = util::read_file(cfg->history_file);
    if (!text) return;
    auto history = daemon::parse_history(*text);
    std::string out;
    for (const resolve::ExplainedModule& m : ex.modules) {
        std::string lines;
        for (const daemon::HistoryEntry& e : history.entries) {
            if (e.module != m.name) continue;
            char when[32] = "?";
            std::time_t t = static_cast<std::time_t>(e.time);
            std::tm tm{};
            if (::gmtime_r(&t, &tm) != nullptr)
                std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
            lines += "    " + std::string(when) + " " + daemon::history_event_name(e.event) + ": " +
                     e.reason + "\n";
        }
        if (!lines.empty())
            out += "  on demand (modkitd, " + cfg->history_file + "), " + m.name + ":\n" + lines;
    }
    util::Output::write(out);
}

} // namespace

int explain(Context& ctx, const std::vector<std::string_view>& args) {
    resolve::ProbeFlags flags;
    flags.ignore_commands = ctx.opt.ignore_commands;
    flags.apply_blacklist = ctx.opt.use_blacklist;
    flags.ignore_loaded = true;
    resolve::RemovalFlags removal;
    removal.ignore_commands = ctx.opt.ignore_commands;
    removal.first_time = ctx.opt.first_time;
    removal.remove_holders = ctx.opt.remove_holders;
    removal.wait = ctx.opt.wait_msec != 0;
    // Without -a (or -r) the words after the first are options for it, not modules.
    const bool many = ctx.opt.all || ctx.opt.remove;
    size_t n = many ? args.size() : std::min<size_t>(args.size(), 1);
    std::optional<std::string> extra;
    if (!many && args.size() > 1) extra = module::join_options(std::span(args).subspan(1));
    util::JsonWriter j;
    if (ctx.opt.json) j.begin_array();
    int err = 0;
    for (size_t i = 0; i < n; ++i) {
        auto ex = resolve::explain(ctx.resolver, args[i], flags, extra ? &*extra : nullptr,
                                   ctx.opt.remove ? &removal : nullptr);
        if (!ex) {
            util::Diag::error(ex.error().describe());
            err = -EINVAL;
            continue;
        }
        if (ctx.opt.json)
            explain_json(ctx, *ex, j);
        else {
            explain_text(ctx, *ex);
            on_demand_history(*ex);
        }
        if (ex->modules.empty()) err = -ENOENT;
    }
    if (ctx.opt.json) {
        j.end_array();
        util::Output::write(j.str());
        util::Output::write("\n");
    }
    return err;
}

} // namespace modkit::cli::modprobe

namespace modkit::cli {

namespace {

void explain_help() {
    util::Output::write(
        "Usage:\n"
        "\tmodkit explain [options] modulename [module parameters]\n"
        "\tmodkit explain [options] -a modulename [modulename...]\n"
        "\tmodkit explain [options] -r modulename [modulename...]\n"
        "\n"
        "Explains how modprobe resolves each name: which source of the lookup chain answers,\n"
        "every configuration line (file:line) that adds options, a blacklist, soft\n"
        "dependencies or an install/remove command, and the plan to load (or, with -r,\n"
        "remove) the modules, step by step with the reason for each. Nothing is loaded.\n"
        "The same as modprobe --explain.\n"
        "\n"
        "Options:\n"
        "\t-a, --all                   Explain every argument as a module name\n"
        "\t-r, --remove                Explain removal instead of loading\n"
        "\t    --remove-holders        With -r: also remove the modules holding it\n"
        "\t    --first-time            A module already loaded (or not loaded, -r) is an error\n"
        "\t-i, --ignore-install        Ignore install and remove commands and soft dependencies\n"
        "\t-b, --use-blacklist         Apply the blacklist to modules named directly too\n"
        "\t    --json                  Print the explanation as JSON\n"
        "\t-C, --config=FILE           Use FILE instead of the default configuration\n"
        "\t-d, --dirname=DIR           Use DIR as filesystem root for /lib/modules\n"
        "\t-S, --set-version=VERSION   Use VERSION instead of `uname -r`\n"
        "\t-h, --help                  Show this help\n");
}

} // namespace

// `modkit explain [modprobe options] NAME...`: modprobe --explain under its own name.
int explain_main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--") break;
        if (a == "-h" || a == "--help") {
            explain_help();
            return 0;
        }
    }
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
