// lsmod (and `kmod list`): the loaded modules in /proc/modules order, each with its size
// (coresize), reference count and holders from /sys/module, in kmod's exact format.
#include "cli/kernel_tools.hpp"
#include "cli/option_table.hpp"
#include "cli/tools.hpp"

#include "exec/kernel_state.hpp"
#include "util/diag.hpp"
#include "util/json.hpp"
#include "util/output.hpp"

#include <cstdio>
#include <cstring>
#include <string>

namespace modkit::cli {

namespace {

void help() {
    util::Output::write("Usage:\n"
                        "\t" +
                        util::Diag::program() +
                        " [options]\n"
                        "Options:\n"
                        "\t-s, --syslog      print to syslog, not stderr\n"
                        "\t-v, --verbose     enables more messages\n"
                        "\t    --json        print the modules as JSON (modkit)\n"
                        "\t-V, --version     show version\n"
                        "\t-h, --help        show this help\n");
}

// printf("%-19s %8ld  %d", name, size, refcnt).
std::string row(const std::string& name, long size, int use_count) {
    std::string out = name;
    if (out.size() < 19) out.append(19 - out.size(), ' ');
    char nums[64];
    std::snprintf(nums, sizeof nums, " %8ld  %d", size, use_count);
    return out + nums;
}

enum { k_json = 256 };
constexpr OptionSpec k_options[] = {
    {'s', "syslog", 's', ValueKind::None, "print to syslog, not stderr"},
    {'v', "verbose", 'v', ValueKind::None, "enables more messages"},
    {k_json, "json", 0, ValueKind::None, "print the modules as JSON (modkit)"},
    {'V', "version", 'V', ValueKind::None, "show version"},
    {'h', "help", 'h', ValueKind::None, "show this help"},
};

// The /proc/modules state column as /sys/module/M/initstate names it.
std::string_view state_word(std::string_view proc_state) {
    if (proc_state == "Live") return "live";
    if (proc_state == "Loading") return "coming";
    if (proc_state == "Unloading") return "going";
    return "unknown";
}

// lsmod --json (docs/json.md): the same modules, sizes, counts and holders as the table,
// with each module's state and taint flags.
std::string lsmod_json(exec::System& sys, const std::vector<exec::LoadedModule>& loaded) {
    util::JsonWriter w;
    w.begin_object().field("version", 1).key("modules").begin_array();
    for (const exec::LoadedModule& m : loaded) {
        w.begin_object();
        w.field("name", m.name);
        w.field("size", exec::module_size(sys, m.name));
        w.field("refcount", exec::refcnt(sys, m.name));
        w.key("holders").begin_array();
        if (auto holders = exec::holders(sys, m.name))
            for (const std::string& h : *holders)
                w.value(h);
        w.end_array();
        w.field("state", state_word(m.state));
        auto taint = sys.read_file("/sys/module/" + m.name + "/taint");
        std::string flags = taint ? *taint : "";
        while (!flags.empty() && (flags.back() == '\n' || flags.back() == ' '))
            flags.pop_back();
        w.field("taint", flags);
        w.end_object();
    }
    w.end_array().end_object();
    return w.take();
}

} // namespace

std::span<const OptionSpec> lsmod_options() {
    return k_options;
}

int lsmod_run(int argc, char** argv, KernelToolEnv& env) {
    if (!env.continue_getopt) optind = 0;
    OptionParser parser(k_options);
    bool use_syslog = false;
    int verbose = 0;
    bool json = false;
    for (;;) {
        int c = parser.next(argc, argv);
        if (c == -1) break;
        switch (c) {
        case 's':
            use_syslog = true;
            break;
        case 'v':
            ++verbose;
            break;
        case k_json:
            json = true;
            break;
        case 'h':
            help();
            return 0;
        case 'V':
            return print_kmod_version();
        default:
            return 1;
        }
    }
    util::Diag::set_syslog(use_syslog);
    if (optind < argc) {
        util::Diag::error("too many arguments provided.");
        return 1;
    }
    util::Diag::set_level(verbosity_level(verbose));

    auto loaded = exec::loaded_modules(env.sys);
    if (!loaded) {
        util::Diag::error(std::string("could not get list of modules: ") +
                          std::strerror(-loaded.error()));
        return 1;
    }
    if (json) {
        util::Output::write(lsmod_json(env.sys, *loaded));
        return 0;
    }
    util::Output::write("Module                  Size  Used by\n");
    for (const exec::LoadedModule& m : *loaded) {
        int use_count = exec::refcnt(env.sys, m.name);
        long size = exec::module_size(env.sys, m.name);
        std::string line = row(m.name, size, use_count);
        // Written before the holders are read, so a holders error lands after it, as in kmod.
        util::Output::write(line);
        if (auto holders = exec::holders(env.sys, m.name)) {
            char sep = ' ';
            for (const std::string& h : *holders) {
                util::Output::put(sep);
                sep = ',';
                util::Output::write(h);
            }
        }
        util::Output::put('\n');
    }
    return 0;
}

int lsmod_main(int argc, char** argv) {
    KernelToolEnv env{exec::real_system()};
    return lsmod_run(argc, argv, env);
}

} // namespace modkit::cli
