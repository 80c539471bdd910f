// lsmod (and `kmod list`): the loaded modules in /proc/modules order, each with its size
// (coresize), reference count and holders from /sys/module, in kmod's exact format.
#include "cli/kernel_tools.hpp"
#include "cli/option_table.hpp"
#include "cli/tools.hpp"

#include "exec/kernel_state.hpp"
#include "util/diag.hpp"
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

constexpr OptionSpec k_options[] = {
    {'s', "syslog", 's', ValueKind::None, "print to syslog, not stderr"},
    {'v', "verbose", 'v', ValueKind::None, "enables more messages"},
    {'V', "version", 'V', ValueKind::None, "show version"},
    {'h', "help", 'h', ValueKind::None, "show this help"},
};

} // namespace

std::span<const OptionSpec> lsmod_options() {
    return k_options;
}

int lsmod_run(int argc, char** argv, KernelToolEnv& env) {
    if (!env.continue_getopt) optind = 0;
    OptionParser parser(k_options);
    bool use_syslog = false;
    int verbose = 0;
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
