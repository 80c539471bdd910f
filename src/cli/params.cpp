// `modkit params MODULE...`: the parameters a loaded module is running with (the values in
// /sys/module/<name>/parameters) and where each comes from: the modprobe.d line or the kernel
// command line that sets it, or the module's default when nothing configures it. What the
// handbook asks `systool -v -m MODULE` for, with the provenance systool cannot give.
#include "cli/option_table.hpp"
#include "cli/tools.hpp"

#include "config/config_files.hpp"
#include "exec/module_params.hpp"
#include "module/names.hpp"
#include "resolve/module_params.hpp"
#include "util/diag.hpp"
#include "util/fs.hpp"
#include "util/json.hpp"
#include "util/output.hpp"

#include <cstring>

namespace modkit::cli {

namespace {

enum { k_json = 256 };
constexpr OptionSpec k_options[] = {
    {'C', "config", 'C', ValueKind::File, "read FILE or DIR instead of the modprobe.d directories"},
    {'d', "dirname", 'd', ValueKind::Directory, "read configuration under ROOT"},
    {k_json, "json", 0, ValueKind::None, "print JSON (docs/json.md)"},
    {'h', "help", 'h', ValueKind::None, "show this help"},
};

void help() {
    util::Output::write(
        "Usage: modkit params [options] MODULE...\n"
        "The parameters each loaded MODULE is running with (/sys/module/MODULE/parameters)\n"
        "and where each value comes from: the modprobe.d line (file:line) or the kernel\n"
        "command line that sets it, or the module's default.\n"
        "Options:\n"
        "  -C, --config=FILE    read FILE or DIR instead of the modprobe.d directories\n"
        "  -d, --dirname=ROOT   read configuration under ROOT\n"
        "      --json           print JSON (docs/json.md)\n"
        "  -h, --help           show this help\n");
}

// One parameter's answer.
struct Answer {
    std::string name;
    std::optional<std::string> value;
    std::string source;      // "default", "file:line", "kernel command line", "load time"
    std::string configured;  // with source "load time": what the configuration asks for
    std::string config_from; // and where
};

std::vector<Answer> answer(const std::vector<exec::LiveParam>& live,
                           const std::vector<resolve::ConfiguredParam>& configured) {
    std::vector<Answer> out;
    for (const exec::LiveParam& p : live) {
        Answer a{p.name, p.value, "default", {}, {}};
        for (const auto& c : configured) {
            if (c.name != p.name) continue;
            if (!p.value || resolve::same_param_value(*p.value, c.value)) {
                a.source = c.origin.describe();
            } else {
                // Set otherwise when it was loaded (modprobe/insmod arguments, or a changed
                // configuration since): the configured value is not the one in force.
                a.source = "load time";
                a.configured = c.value.value_or("Y");
                a.config_from = c.origin.describe();
            }
        }
        out.push_back(std::move(a));
    }
    return out;
}

std::string text(const std::string& module, const std::vector<Answer>& answers) {
    std::string out = module + "\n";
    if (answers.empty()) out += "  (no parameters in /sys/module/" + module + "/parameters)\n";
    size_t width = 0;
    for (const Answer& a : answers)
        width = std::max(width, a.name.size() + 3 + (a.value ? a.value->size() : 15));
    for (const Answer& a : answers) {
        std::string left = "  " + a.name + " = " + (a.value ? *a.value : "(not readable)");
        left.append(width + 4 > left.size() ? width + 4 - left.size() : 1, ' ');
        if (a.source == "default")
            left += "default (not set by modprobe.d or the kernel command line)";
        else if (a.source == "load time")
            left += "set when loaded; " + a.config_from + " asks for " + a.configured;
        else
            left += a.source;
        out += left + "\n";
    }
    return out;
}

void json(util::JsonWriter& w, const std::string& module, const std::vector<Answer>& answers) {
    w.begin_object().field("module", module).key("parameters").begin_array();
    for (const Answer& a : answers) {
        w.begin_object().field("name", a.name);
        if (a.value)
            w.field("value", *a.value);
        else
            w.field_null("value");
        w.field("source", a.source == "default" || a.source == "load time" ? a.source
                          : a.source == "kernel command line"              ? "kernel command line"
                                                                           : "modprobe.d");
        if (a.source == "default" || a.source == "load time")
            w.field_null("origin");
        else
            w.field("origin", a.source);
        if (a.source == "load time")
            w.field("configured", a.configured).field("configured_origin", a.config_from);
        else
            w.field_null("configured").field_null("configured_origin");
        w.end_object();
    }
    w.end_array().end_object();
}

} // namespace

std::span<const OptionSpec> params_options() {
    return k_options;
}

int params_run(int argc, char** argv, exec::System& sys) {
    std::vector<std::string> config_paths;
    std::string root;
    bool as_json = false;
    optind = 0;
    OptionParser parser(k_options);
    for (int c; (c = parser.next(argc, argv)) != -1;) {
        switch (c) {
        case 'C':
            config_paths.emplace_back(parser.value());
            break;
        case 'd':
            root = parser.value();
            break;
        case k_json:
            as_json = true;
            break;
        case 'h':
            help();
            return 0;
        default:
            util::Diag::raw("Try 'modkit params --help'.\n");
            return 2;
        }
    }
    if (optind >= argc) {
        util::Diag::error("missing module name. Try 'modkit params --help'.");
        return 2;
    }
    if (config_paths.empty())
        config_paths = config::default_config_dirs(config::ConfigKind::Modprobe, root);
    auto files = config::list_config_files(config_paths, {config::ConfigKind::Modprobe, {}});
    auto cmdline = sys.read_file("/proc/cmdline");
    std::optional<std::string_view> kcmdline;
    if (cmdline) kcmdline = *cmdline;
    auto cfg = config::ModprobeConfig::load(files, kcmdline);

    int rc = 0;
    util::JsonWriter w;
    if (as_json) w.begin_object().field("version", 1).key("modules").begin_array();
    for (int i = optind; i < argc; ++i) {
        const std::string module = module::modname_normalize(argv[i]);
        auto live = exec::module_parameters(sys, module);
        if (!live) {
            util::Diag::error("module " + module + " is not loaded (no /sys/module/" + module +
                              ")");
            rc = 1;
            continue;
        }
        auto answers = answer(*live, resolve::configured_params(cfg, module));
        if (as_json)
            json(w, module, answers);
        else
            util::Output::write(text(module, answers));
    }
    if (as_json) {
        w.end_array().end_object();
        util::Output::write(w.take());
    }
    return rc;
}

int params_main(int argc, char** argv) {
    return params_run(argc, argv, exec::real_system());
}

} // namespace modkit::cli
