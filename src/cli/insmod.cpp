// insmod: insert one module file, with kmod 34's options (--force-modversion,
// --force-vermagic, -s, -v) and messages (mod_strerror); parameters joined by module/params.
#include "cli/kernel_tools.hpp"
#include "cli/option_table.hpp"
#include "cli/tools.hpp"

#include "exec/load.hpp"
#include "module/names.hpp"
#include "module/params.hpp"
#include "util/diag.hpp"
#include "util/fs.hpp"
#include "util/output.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace modkit::cli {

namespace {

void help() {
    util::Output::write("Usage:\n"
                        "\t" +
                        util::Diag::program() +
                        " [options] filename [module options]\n"
                        "Options:\n"
                        "\t-f, --force              DANGEROUS: forces a module load, may cause\n"
                        "\t                         data corruption and crash your machine.\n"
                        "\t                         implies --force-modversion and\n"
                        "\t                         --force-vermagic\n"
                        "\t    --force-modversion   Ignore module's version\n"
                        "\t    --force-vermagic     Ignore module's version magic\n"
                        "\t-s, --syslog             print to syslog, not stderr\n"
                        "\t-v, --verbose            enables more messages\n"
                        "\t-V, --version            show version\n"
                        "\t-h, --help               show this help\n");
}

// insmod's own wording for the errors a kernel gives most often.
std::string mod_strerror(int err) {
    switch (err) {
    case ENOEXEC:
        return "Invalid module format";
    case ENOENT:
        return "Unknown symbol in module";
    case ESRCH:
        return "Module has wrong symbol version";
    case EINVAL:
        return "Invalid parameters";
    default:
        return std::strerror(err);
    }
}

constexpr int k_force_vermagic = 256, k_force_modversion = 257;
constexpr OptionSpec k_options[] = {
    {'f', "force", 'f', ValueKind::None, "DANGEROUS: forces a module load"},
    {k_force_modversion, "force-modversion", 0, ValueKind::None, "Ignore module's version"},
    {k_force_vermagic, "force-vermagic", 0, ValueKind::None, "Ignore module's version magic"},
    {'s', "syslog", 's', ValueKind::None, "print to syslog, not stderr"},
    {'v', "verbose", 'v', ValueKind::None, "enables more messages"},
    {'V', "version", 'V', ValueKind::None, "show version"},
    {'h', "help", 'h', ValueKind::None, "show this help"},
};

} // namespace

std::span<const OptionSpec> insmod_options() {
    return k_options;
}

int insmod_run(int argc, char** argv, KernelToolEnv& env) {
    if (!env.continue_getopt) optind = 0;
    OptionParser parser(k_options);
    module::ForceFlags force;
    int verbose = 0;
    bool use_syslog = false;
    for (;;) {
        int c = parser.next(argc, argv);
        if (c == -1) break;
        switch (c) {
        case 'f':
            force = {true, true};
            break;
        case k_force_modversion:
            force.modversion = true;
            break;
        case k_force_vermagic:
            force.vermagic = true;
            break;
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
    if (optind >= argc) {
        util::Diag::error("missing filename.");
        return 1;
    }
    const std::string filename = argv[optind];
    if (filename == "-") {
        util::Diag::error("this tool does not support loading from stdin!");
        return 1;
    }
    std::vector<std::string_view> words(argv + optind + 1, argv + argc);
    const std::string opts = module::join_options(words);
    util::Diag::set_level(verbosity_level(verbose));

    // kmod_module_new_from_path: the file must exist and have a module name.
    const std::string abspath = util::absolute_path(filename);
    struct stat st {};
    int err = ::stat(abspath.c_str(), &st) < 0 ? errno : 0;
    if (err == 0 && module::path_to_modname(filename).empty()) err = ENOENT;
    if (err != 0) {
        util::Diag::error("could not load module " + filename + ": " + std::strerror(err));
        return 1;
    }

    int r = exec::insert_module(env.sys, abspath, opts, force);
    if (r < 0) {
        util::Diag::info("Failed to insert module '" + abspath + "': " + std::strerror(-r));
        util::Diag::error("could not insert module " + filename + ": " + mod_strerror(-r));
        return 1;
    }
    return 0;
}

int insmod_main(int argc, char** argv) {
    KernelToolEnv env{exec::real_system()};
    return insmod_run(argc, argv, env);
}

} // namespace modkit::cli
