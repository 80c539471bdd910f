// rmmod: remove modules by name or path. Without -f each module is checked first, as kmod
// does: built in, not loaded, held by other modules, in use, or a kernel without module
// unloading. A failed removal is reported and the next argument is tried; exit 1 at the end.
#include "cli/kernel_tools.hpp"
#include "cli/tools.hpp"

#include "index/module_dir.hpp"
#include "kernel/insert.hpp"
#include "kernel/module_state.hpp"
#include "kernel/remove.hpp"
#include "module/names.hpp"
#include "util/diag.hpp"
#include "util/output.hpp"

#include <cerrno>
#include <cstring>
#include <getopt.h>
#include <map>
#include <string>
#include <sys/stat.h>

namespace modkit::cli {

namespace {

void help() {
    util::Output::write("Usage:\n"
                        "\t" +
                        util::Diag::program() +
                        " [options] modulename ...\n"
                        "Options:\n"
                        "\t-f, --force       forces a module unload and may crash your\n"
                        "\t                  machine. This requires Forced Module Removal\n"
                        "\t                  option in your kernel. DANGEROUS\n"
                        "\t-s, --syslog      print to syslog, not stderr\n"
                        "\t-v, --verbose     enables more messages\n"
                        "\t-V, --version     show version\n"
                        "\t-h, --help        show this help\n");
}

// One argument, resolved as kmod_module_new_from_path / _new_from_name would.
struct Target {
    std::string name;
    bool maybe_builtin = false; // only a module named (not given by path) can be built in
};

class Remover {
public:
    Remover(KernelToolEnv& env, bool use_syslog)
        : m_env(env)
        , m_syslog(use_syslog)
        , m_dir(env.module_root + "/" + env.sys.kernel_release()) {}

    // Resolves `arg`; nullopt after printing why the module object cannot be created.
    std::optional<Target> resolve(const std::string& arg) {
        struct stat st {};
        if (::stat(arg.c_str(), &st) != 0) return Target{module::modname_normalize(arg), true};
        std::string name = module::path_to_modname(arg);
        int err = name.empty() ? ENOENT : 0;
        if (err == 0) {
            std::string abspath = kernel::absolute_path(arg);
            auto [it, fresh] = m_paths.emplace(name, abspath);
            if (!fresh && it->second != abspath) {
                util::Diag::error("kmod_module '" + name +
                                  "' already exists with different path: " + "new-path='" +
                                  abspath + "' old-path='" + it->second + "'");
                err = EEXIST;
            }
        }
        if (err != 0) {
            util::Diag::error("could not use module " + arg + ": " + std::strerror(err));
            return std::nullopt;
        }
        return Target{name, false};
    }

    // rmmod's check_module_inuse(): negative when the module must not be removed.
    int check_in_use(const Target& t) {
        if (t.maybe_builtin && is_builtin(t.name)) {
            util::Diag::error("Module " + t.name + " is builtin.");
            return -ENOENT;
        }
        if (!kernel::initstate(m_env.sys, t.name)) {
            util::Diag::error("Module " + t.name + " is not currently loaded");
            return -ENOENT;
        }
        auto holders = kernel::holders(m_env.sys, t.name);
        if (holders && !holders->empty()) {
            std::string list;
            for (const std::string& h : *holders)
                list += " " + h;
            if (m_syslog) { // kmod logs the head and prints the names on stderr
                util::Diag::error("Module " + t.name + " is in use by:");
                util::Diag::raw(list + "\n");
            } else {
                util::Diag::error("Module " + t.name + " is in use by:" + list);
            }
            return -EBUSY;
        }
        int ret = kernel::refcnt(m_env.sys, t.name);
        if (ret > 0) {
            util::Diag::error("Module " + t.name + " is in use");
            return -EBUSY;
        }
        if (ret == -ENOENT) util::Diag::error("Module unloading is not supported");
        return ret;
    }

private:
    bool is_builtin(const std::string& name) {
        auto r = m_dir.is_builtin(name);
        if (!r) {
            util::Diag::error(r.error().describe());
            return false;
        }
        return *r;
    }

    KernelToolEnv& m_env;
    bool m_syslog;
    index::ModuleDirectory m_dir;
    std::map<std::string, std::string> m_paths; // module name -> path it was given by
};

} // namespace

int rmmod_run(int argc, char** argv, KernelToolEnv& env) {
    static const option longopts[] = {
        {"force", no_argument, nullptr, 'f'},   {"syslog", no_argument, nullptr, 's'},
        {"verbose", no_argument, nullptr, 'v'}, {"version", no_argument, nullptr, 'V'},
        {"help", no_argument, nullptr, 'h'},    {nullptr, 0, nullptr, 0},
    };
    if (!env.continue_getopt) optind = 0;
    bool force = false, use_syslog = false;
    int verbose = 0;
    for (;;) {
        int c = getopt_long(argc, argv, "fsvVh", longopts, nullptr);
        if (c == -1) break;
        switch (c) {
        case 'f':
            force = true;
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
        util::Diag::error("missing module name.");
        return 1;
    }
    util::Diag::set_level(verbosity_level(verbose));

    Remover remover(env, use_syslog);
    int failures = 0;
    for (int i = optind; i < argc; ++i) {
        const std::string arg = argv[i];
        auto target = remover.resolve(arg);
        if (!target) break; // kmod stops here, keeping the exit status so far
        if (!force && remover.check_in_use(*target) < 0) {
            ++failures;
            continue;
        }
        int err = kernel::remove_module(env.sys, target->name, force ? kernel::k_remove_force : 0);
        if (err < 0) {
            util::Diag::error("could not remove module " + arg + ": " + std::strerror(-err));
            ++failures;
        }
    }
    return failures == 0 ? 0 : 1;
}

int rmmod_main(int argc, char** argv) {
    KernelToolEnv env{kernel::real_system()};
    return rmmod_run(argc, argv, env);
}

} // namespace modkit::cli
