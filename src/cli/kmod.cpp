// `kmod`: the multicall front end. `kmod COMMAND` runs help, list (lsmod) or static-nodes;
// the compat tools (insmod, lsmod, ...) are reached through their own names in the dispatch
// table, as kmod's symlinks reach them.
#include "cli/kernel_tools.hpp"
#include "cli/option_table.hpp"
#include "cli/tools.hpp"

#include "util/diag.hpp"
#include "util/output.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <cstring>
#include <string>

namespace modkit::cli {

namespace {

struct Command {
    const char* name;
    int (*run)(int argc, char** argv, KernelToolEnv& env);
    const char* help;
};

int help_command(int argc, char** argv, KernelToolEnv& env);

constexpr Command k_commands[] = {
    {"help", help_command, "Show help message"},
    {"list", lsmod_run, "list currently loaded modules"},
    {"static-nodes", static_nodes_run,
     "outputs the static-node information installed with the currently running kernel"},
};

constexpr const char* k_compat[][2] = {
    {"lsmod", "compat lsmod command"},       {"rmmod", "compat rmmod command"},
    {"insmod", "compat insmod command"},     {"modinfo", "compat modinfo command"},
    {"modprobe", "compat modprobe command"}, {"depmod", "compat depmod command"},
};

constexpr OptionSpec k_kmod_options[] = {
    {'V', "version", 'V', ValueKind::None, "show version"},
    {'h', "help", 'h', ValueKind::None, "show this help"},
};

std::string entry(const char* name, const char* help) {
    char line[512];
    std::snprintf(line, sizeof line, "  %-12s %s\n", name, help);
    return line;
}

// kmod_help(): the usage names basename(argv[0]), so `kmod help` says "help".
int help_command(int argc, char** argv, KernelToolEnv&) {
    std::string self = argc > 0 ? std::string(util::basename(argv[0])) : "kmod";
    std::string text = "kmod - Manage kernel modules: list, load, unload, etc\n"
                       "Usage:\n"
                       "\t" +
                       self +
                       " [options] command [command_options]\n\n"
                       "Options:\n"
                       "\t-V, --version     show version\n"
                       "\t-h, --help        show this help\n\n"
                       "Commands:\n";
    for (const Command& c : k_commands)
        text += entry(c.name, c.help);
    text += "\nkmod also handles gracefully if called from following symlinks:\n";
    for (const auto& c : k_compat)
        text += entry(c[0], c[1]);
    util::Output::write(text);
    return 0;
}

} // namespace

std::span<const OptionSpec> kmod_options() {
    return k_kmod_options;
}

int kmod_run(int argc, char** argv, KernelToolEnv& env) {
    optind = 0;
    OptionParser parser(k_kmod_options, "+");
    for (;;) {
        int c = parser.next(argc, argv);
        if (c == -1) break;
        switch (c) {
        case 'h':
            return help_command(argc, argv, env);
        case 'V':
            return print_kmod_version();
        default:
            return 1;
        }
    }
    if (optind >= argc) {
        util::Diag::raw("missing command\n");
        help_command(argc, argv, env);
        return 1;
    }
    const std::string cmd = argv[optind];
    for (const Command& c : k_commands) {
        if (cmd == c.name) {
            // As kmod: the command sees argv shifted by one and getopt carries on from here.
            env.continue_getopt = true;
            return c.run(argc - 1, argv + 1, env);
        }
    }
    util::Diag::raw("invalid command '" + cmd + "'\n");
    help_command(argc, argv, env);
    return 1;
}

int kmod_main(int argc, char** argv) {
    KernelToolEnv env{exec::real_system()};
    return kmod_run(argc, argv, env);
}

} // namespace modkit::cli
