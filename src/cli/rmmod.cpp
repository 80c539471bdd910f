// rmmod: remove modules by name or path. Without -f each module is checked first, as kmod
// does: built in, not loaded, held by other modules, in use, or a kernel without module
// unloading. A failed removal is reported and the next argument is tried; exit 1 at the end.
#include "cli/kernel_tools.hpp"
#include "cli/option_table.hpp"
#include "cli/tools.hpp"

#include "exec/remove_exec.hpp"
#include "index/module_dir.hpp"
#include "module/names.hpp"
#include "resolve/removal.hpp"
#include "util/diag.hpp"
#include "util/fs.hpp"
#include "util/output.hpp"

#include <cerrno>
#include <cstring>
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

class Arguments {
public:
    explicit Arguments(KernelToolEnv& env)
        : m_dir(env.module_root + "/" + env.sys.kernel_release()) {}

    // Resolves `arg`; nullopt after printing why the module object cannot be created.
    std::optional<Target> resolve(const std::string& arg) {
        struct stat st {};
        if (::stat(arg.c_str(), &st) != 0) return Target{module::modname_normalize(arg), true};
        std::string name = module::path_to_modname(arg);
        int err = name.empty() ? ENOENT : 0;
        if (err == 0) {
            std::string abspath = util::absolute_path(arg);
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

    bool is_builtin(const Target& t) {
        if (!t.maybe_builtin) return false;
        auto r = m_dir.is_builtin(t.name);
        if (!r) {
            util::Diag::error(r.error().describe());
            return false;
        }
        return *r;
    }

private:
    index::ModuleDirectory m_dir;
    std::map<std::string, std::string> m_paths; // module name -> path it was given by
};

// Prints check_module_inuse()'s refusals in rmmod's wording.
void print_refusal(const exec::Refusal& why, bool use_syslog) {
    using Kind = exec::Refusal::Kind;
    const std::string& m = why.module;
    switch (why.kind) {
    case Kind::Builtin:
        util::Diag::error("Module " + m + " is builtin.");
        break;
    case Kind::NotLoaded:
        util::Diag::error("Module " + m + " is not currently loaded");
        break;
    case Kind::HeldBy: {
        std::string list;
        for (const std::string& h : why.holders)
            list += " " + h;
        if (use_syslog) { // kmod logs the head and prints the names on stderr
            util::Diag::error("Module " + m + " is in use by:");
            util::Diag::raw(list + "\n");
        } else {
            util::Diag::error("Module " + m + " is in use by:" + list);
        }
        break;
    }
    case Kind::InUse:
        util::Diag::error("Module " + m + " is in use");
        break;
    case Kind::NoUnload: // no refcnt file; any other error of reading it fails silently
        if (why.err == ENOENT) util::Diag::error("Module unloading is not supported");
        break;
    case Kind::CommandFailed:
    case Kind::SoftdepsFailed:
        break; // not part of an rmmod plan
    }
}

constexpr OptionSpec k_options[] = {
    {'f', "force", 'f', ValueKind::None, "forces a module unload. DANGEROUS"},
    {'s', "syslog", 's', ValueKind::None, "print to syslog, not stderr"},
    {'v', "verbose", 'v', ValueKind::None, "enables more messages"},
    {'V', "version", 'V', ValueKind::None, "show version"},
    {'h', "help", 'h', ValueKind::None, "show this help"},
};

} // namespace

std::span<const OptionSpec> rmmod_options() {
    return k_options;
}

int rmmod_run(int argc, char** argv, KernelToolEnv& env) {
    if (!env.continue_getopt) optind = 0;
    OptionParser parser(k_options);
    bool force = false, use_syslog = false;
    int verbose = 0;
    for (;;) {
        int c = parser.next(argc, argv);
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

    Arguments args(env);
    exec::RemoveRunOptions run;
    run.force = force;
    exec::Effects fx{env.sys, exec::run_shell_command, [](std::string_view) {}, {}};
    bool refused = false; // a check said why; otherwise the kernel's refusal gets a line
    const exec::RefusalFn on_refusal = [&](const exec::Refusal& why) {
        refused = true;
        print_refusal(why, use_syslog);
    };
    int failures = 0;
    for (int i = optind; i < argc; ++i) {
        const std::string arg = argv[i];
        auto target = args.resolve(arg);
        if (!target) break; // kmod stops here, keeping the exit status so far
        auto plan = resolve::plan_rmmod(target->name, !force && args.is_builtin(*target), force);
        refused = false;
        int err = exec::run_removal(nullptr, plan, run, util::LogLevel::Error, fx, on_refusal);
        if (err < 0) {
            if (!refused)
                util::Diag::error("could not remove module " + arg + ": " + std::strerror(-err));
            ++failures;
        }
    }
    return failures == 0 ? 0 : 1;
}

int rmmod_main(int argc, char** argv) {
    KernelToolEnv env{exec::real_system()};
    return rmmod_run(argc, argv, env);
}

} // namespace modkit::cli
