// `dkms`: DKMS's command line (dkms.in's option loop and dispatch), calling the actions in
// src/dkms/. Options, defaults and exit codes are DKMS's; docs/compat.md lists the
// differences.
#include "cli/tools.hpp"
#include "dkms/actions.hpp"
#include "dkms/add.hpp"
#include "dkms/compare.hpp"
#include "dkms/shell.hpp"
#include "util/diag.hpp"
#include "util/output.hpp"
#include "util/parallel.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cstdlib>
#include <fcntl.h>
#include <regex.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace modkit::cli {

namespace {

using dkms::Context;
using dkms::KernelArch;
using dkms::Outcome;

void usage(const std::string& prog) {
    util::Output::write(
        "Usage: " + prog +
        " [action] [options]\n"
        "  [action]  = { add | remove | build | unbuild | install | uninstall | match |\n"
        "                autoinstall | mktarball | ldtarball | generate_mok | status |\n"
        "                kernel_preinst | kernel_postinst | kernel_prerm }\n"
        "  [options] = [-m module] [-v module-version] [-k kernel-version] [-a arch]\n"
        "              [-c dkms.conf-location] [-q] [--force] [--force-version-override] [--all]\n"
        "              [--templatekernel=kernel] [--directive='cli-directive=cli-value']\n"
        "              [--config=kernel-.config-location] [--archive=tarball-location]\n"
        "              [--kernelsourcedir=source-location]\n"
        "              [--binaries-only] [--source-only] [--verbose]\n"
        "              [--no-depmod] [--modprobe-on-install] [-j number] [--version]\n"
        "              [--jobs=concurrent-builds] [--skip-abi-check]\n");
}

bool is_action(const std::string& s) {
    static const char* actions[] = {"remove",         "install",         "autoinstall",
                                    "uninstall",      "match",           "mktarball",
                                    "build",          "unbuild",         "add",
                                    "status",         "ldtarball",       "generate_mok",
                                    "kernel_preinst", "kernel_postinst", "kernel_prerm"};
    return std::find(std::begin(actions), std::end(actions), s) != std::end(actions);
}

struct Args {
    std::string action;
    std::string module, version;
    std::vector<std::string> kernels, arches;
    std::string source_path;
    bool failed = false;
    int rc = 0;
};

// "m/v" -> module, version (split on the first '/').
void parse_module_version(const std::string& s, Args& a) {
    size_t slash = s.find('/');
    if (slash == std::string::npos) {
        a.module = s;
        return;
    }
    a.module = s.substr(0, slash);
    a.version = s.substr(slash + 1);
}

void parse_kernel_arch(const std::string& s, Args& a) {
    size_t slash = s.find('/');
    if (slash == std::string::npos) {
        a.kernels.push_back(s);
        return;
    }
    a.kernels.push_back(s.substr(0, slash));
    a.arches.push_back(s.substr(slash + 1));
}

bool is_file(const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_dir(const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

int fail(const dkms::Failure& f) {
    if (f.lines.empty()) return f.code;
    std::string text = f.warning ? "Warning: " : "Error! ";
    for (const auto& l : f.lines)
        text += l + "\n";
    util::Diag::raw(text);
    return f.code;
}

int finish(const Outcome& o) {
    util::Output::flush();
    return o ? 0 : fail(o.error());
}

void environment_defaults(Context& ctx) {
    auto env = [](const char* n) -> std::string {
        const char* v = std::getenv(n);
        return v != nullptr ? v : "";
    };
    ctx.parallel_jobs = env("parallel_jobs");
    ctx.sign_file = env("sign_file");
    ctx.mok_signing_key = env("mok_signing_key");
    ctx.mok_certificate = env("mok_certificate");
    ctx.try_sign_modules = env("try_sign_modules");
    ctx.post_transaction = env("post_transaction");
    ctx.modprobe_on_install = !env("modprobe_on_install").empty();
    ctx.autoinstall_all_kernels = !env("autoinstall_all_kernels").empty();
    ctx.addon_modules_dir = env("ADDON_MODULES_DIR");
    if (!env("TMPDIR").empty()) ctx.tmp_location = env("TMPDIR");
    struct utsname u;
    if (uname(&u) == 0) {
        ctx.current_kernel = u.release;
        ctx.current_os = u.sysname;
        ctx.machine = u.machine;
    }
    if (ctx.addon_modules_dir.empty()) {
        auto distro = dkms::detect_distribution();
        ctx.running_distribution = distro ? *distro : "unknown";
    }
}

// read_arg: "-x value" or "--x=value". Returns false when the value is missing.
bool take_value(int argc, char** argv, int& i, std::string& out) {
    std::string arg = argv[i];
    size_t eq = arg.find('=');
    if (eq != std::string::npos && arg[0] == '-' && arg.size() > 1 && arg[1] == '-') {
        out = arg.substr(eq + 1);
        return true;
    }
    if (i + 1 < argc) {
        out = argv[++i];
        return true;
    }
    out.clear();
    return true;
}

bool long_opt(const std::string& arg, const char* name) {
    return util::starts_with(arg, name);
}

// The option loop. Returns false with args.rc set when the program must exit.
bool parse(int argc, char** argv, Context& ctx, Args& args) {
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::string value;
        if (long_opt(arg, "--module") || arg == "-m") {
            take_value(argc, argv, i, value);
            parse_module_version(value, args);
        } else if (arg == "-v") {
            take_value(argc, argv, i, args.version);
        } else if (long_opt(arg, "--kernelver") || arg == "-k") {
            take_value(argc, argv, i, value);
            parse_kernel_arch(value, args);
        } else if (long_opt(arg, "--templatekernel")) {
            take_value(argc, argv, i, ctx.template_kernel);
        } else if (arg == "-c") {
            take_value(argc, argv, i, ctx.conf);
        } else if (arg == "--quiet" || arg == "-q") {
            int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
            if (null_fd >= 0) {
                util::Output::flush();
                dup2(null_fd, 1);
                dup2(null_fd, 2);
                close(null_fd);
            }
            ctx.quiet = true;
        } else if (arg == "--version" || arg == "-V") {
            util::Output::write("dkms-3.4.3 (modkit " MODKIT_VERSION ")\n");
            args.rc = 0;
            return false;
        } else if (arg == "-h" || arg == "--help") {
            usage(argv[0]);
            args.rc = 0;
            return false;
        } else if (arg == "--no-initrd" || arg == "--no-clean-kernel" ||
                   arg == "--no-prepare-kernel") {
            util::Diag::raw("Deprecated feature: " + arg + "\n");
        } else if (arg == "--binaries-only") {
            ctx.binaries_only = true;
        } else if (arg == "--source-only") {
            ctx.source_only = true;
        } else if (arg == "--force") {
            ctx.force = true;
        } else if (arg == "--force-version-override") {
            ctx.force_version_override = true;
        } else if (arg == "--all") {
            ctx.all = true;
        } else if (arg == "--verbose") {
            ctx.verbose = true;
        } else if (arg == "--rpm_safe_upgrade" || arg == "--debug") {
            // rpm transactions and bash tracing have no meaning here
        } else if (long_opt(arg, "--dkmstree")) {
            take_value(argc, argv, i, ctx.dkms_tree);
        } else if (long_opt(arg, "--sourcetree")) {
            take_value(argc, argv, i, ctx.source_tree);
        } else if (long_opt(arg, "--installtree")) {
            take_value(argc, argv, i, ctx.install_tree);
        } else if (arg == "--symlink-modules") {
            ctx.symlink_modules = true;
        } else if (long_opt(arg, "--config")) {
            take_value(argc, argv, i, ctx.cli_kernel_config);
        } else if (long_opt(arg, "--archive")) {
            take_value(argc, argv, i, ctx.archive_location);
        } else if (long_opt(arg, "--arch") || arg == "-a") {
            take_value(argc, argv, i, value);
            args.arches.push_back(value);
        } else if (long_opt(arg, "--kernelsourcedir")) {
            take_value(argc, argv, i, ctx.cli_kernel_source_dir);
        } else if (long_opt(arg, "--directive")) {
            take_value(argc, argv, i, value);
            size_t eq = value.find('=');
            ctx.directives.emplace_back(value.substr(0, eq),
                                        eq == std::string::npos ? "" : value.substr(eq + 1));
        } else if (arg == "--no-depmod") {
            ctx.no_depmod = true;
        } else if (arg == "--modprobe-on-install") {
            ctx.modprobe_on_install = true;
        } else if (arg == "--skip-abi-check") {
            ctx.skip_abi_check = true;
        } else if (long_opt(arg, "--jobs")) {
            take_value(argc, argv, i, value);
            ctx.build_jobs = static_cast<unsigned>(std::strtoul(value.c_str(), nullptr, 10));
        } else if (arg == "-j") {
            take_value(argc, argv, i, ctx.parallel_jobs);
        } else if (!arg.empty() && arg[0] == '-') {
            util::Diag::raw("Error!  Unknown option: " + arg + "\n");
            usage(argv[0]);
            util::Output::flush();
            args.rc = 2;
            return false;
        } else if (is_action(arg)) {
            if (!args.action.empty()) {
                util::Diag::raw("Error! Cannot specify more than one action.\n");
                args.rc = 4;
                return false;
            }
            args.action = arg;
        } else if (is_file(arg) && util::ends_with(arg, "dkms.conf")) {
            args.source_path = arg.substr(0, arg.size() - 9) + "./";
        } else if (is_dir(arg) && is_file(arg + "/dkms.conf")) {
            args.source_path = arg;
        } else if (is_file(arg)) {
            ctx.archive_location = arg;
        } else if (args.module.empty()) {
            parse_module_version(arg, args);
        } else {
            util::Diag::raw("Warning: I do not know how to handle " + arg + ".\n");
        }
    }
    return true;
}

int die(int code, std::vector<std::string> lines) {
    return fail(dkms::Failure{code, std::move(lines)});
}

// setup_kernels_arches: --all, the defaults (uname -r, uname -m) and arch replication.
std::vector<KernelArch> targets_for(const Context& ctx, const Args& args) {
    std::vector<std::string> kernels = args.kernels, arches = args.arches;
    if (ctx.all && args.action != "status") {
        dkms::Tree tree{ctx};
        auto built = tree.built_for(args.module, args.version);
        std::erase_if(built, [&](const KernelArch& ka) {
            return !tree.is_built(args.module, args.version, ka.kernel, ka.arch);
        });
        std::stable_sort(built.begin(), built.end(), [](const KernelArch& a, const KernelArch& b) {
            int c = dkms::ver_compare(a.kernel, b.kernel);
            return c != 0 ? c < 0 : a.arch < b.arch;
        });
        for (auto& ka : built) {
            kernels.push_back(ka.kernel);
            arches.push_back(ka.arch);
        }
    }
    if (args.action != "status") {
        if (kernels.empty() && !ctx.all) kernels.push_back(ctx.current_kernel);
        if (arches.empty()) arches.push_back(ctx.machine);
    }
    if (arches.size() == 1)
        while (arches.size() < kernels.size())
            arches.push_back(arches[0]);
    std::vector<KernelArch> out;
    for (size_t i = 0; i < kernels.size(); ++i)
        out.push_back({kernels[i], i < arches.size() ? arches[i] : std::string()});
    return out;
}

bool is_root() {
    return geteuid() == 0;
}

} // namespace

int dkms_main(int argc, char** argv) {
    dkms::prepare_dkms_environment();
    Context ctx;
    environment_defaults(ctx);
    if (auto r = dkms::read_framework(ctx, dkms::framework_names()); !r)
        util::Diag::raw("Warning: " + r.error().describe() + "\n");
    Args args;
    if (!parse(argc, argv, ctx, args)) {
        util::Output::flush();
        return args.rc;
    }
    if (ctx.binaries_only && ctx.source_only)
        return die(8, {" You have specified both --binaries-only and --source-only.",
                       "You cannot do this."});
    if (args.kernels.size() != args.arches.size() && args.arches.size() > 1)
        return die(
            1, {" If more than one arch is specified on the command line, then there",
                "must be an equal number of kernel versions also specified (1:1 relationship)."});
    if (!args.kernels.empty() && ctx.all)
        return die(2, {" You cannot specify a kernel version and also specify",
                       "--all on the command line."});
    if (!args.arches.empty() && ctx.all)
        return die(3,
                   {" You cannot specify an arch and also specify", "--all on the command line."});
    if (ctx.parallel_jobs.empty()) ctx.parallel_jobs = std::to_string(util::default_jobs());
    if (ctx.parallel_jobs == "0") ctx.parallel_jobs.clear();

    dkms::ConsoleReport report;
    dkms::Selection sel;
    sel.module = args.module;
    sel.version = args.version;
    sel.source_path = args.source_path;
    sel.targets = targets_for(ctx, args);
    const std::string& action = args.action;
    auto need_root = [&]() -> bool { return is_root(); };
    auto rw_tree = [&]() -> bool { return access(ctx.dkms_tree.c_str(), W_OK) == 0; };
    auto root_error = [] { return die(1, {"You must be root to use this command."}); };
    auto rw_error = [&] { return die(1, {"No write access to DKMS tree at " + ctx.dkms_tree}); };
    auto one_kernel = [&]() -> int {
        if (sel.targets.size() != 1)
            return die(
                4, {"The action " + action +
                    " does not support multiple kernel version parameters on the command line."});
        if (ctx.all)
            return die(5, {"The action " + action + " does not support the --all parameter."});
        return 0;
    };

    if (action == "remove" || action == "unbuild" || action == "uninstall") {
        if (auto r = dkms::check_module_args(action, sel.module, sel.version); !r)
            return fail(r.error());
        dkms::Tree tree{ctx};
        if (!tree.is_added(sel.module, sel.version))
            return die(3, {"The module/version combo: " + sel.module + "-" + sel.version +
                           " is not located in the DKMS tree."});
        if (action == "uninstall" ? !need_root() : !rw_tree())
            return action == "uninstall" ? root_error() : rw_error();
        if (action == "remove") return finish(dkms::remove_action(ctx, sel, report));
        if (action == "unbuild") return finish(dkms::unbuild_action(ctx, sel, report));
        return finish(dkms::uninstall_action(ctx, sel, report));
    }
    if (action == "add" || action == "build" || action == "install") {
        if (ctx.all)
            return die(5, {"The action " + action + " does not support the --all parameter."});
        if (action == "install" ? !need_root() : !rw_tree())
            return action == "install" ? root_error() : rw_error();
        if (action == "add") {
            dkms::AddRequest req{sel.module, sel.version, sel.targets[0].kernel,
                                 sel.targets[0].arch, sel.source_path};
            if (!ctx.archive_location.empty() && sel.module.empty() && sel.version.empty())
                return finish(dkms::ldtarball_action(ctx, sel, report));
            return finish(dkms::add_module(ctx, req, report));
        }
        if (action == "build") return finish(dkms::build_action(ctx, sel, report));
        return finish(dkms::install_action(ctx, sel, report));
    }
    if (action == "autoinstall" || action == "kernel_postinst" || action == "kernel_preinst" ||
        action == "kernel_prerm") {
        if (!need_root()) return root_error();
        if (action == "autoinstall")
            return finish(dkms::autoinstall_action(ctx, sel.targets, report));
        if (args.kernels.size() != 1)
            return die(4, {"The action " + action +
                           " requires exactly one kernel version parameter on the command line."});
        if (action == "kernel_postinst")
            return finish(dkms::kernel_postinst_action(ctx, sel.targets[0], report));
        if (action == "kernel_preinst")
            return finish(dkms::kernel_preinst_action(ctx, sel.targets[0], report));
        return finish(dkms::kernel_prerm_action(ctx, sel.targets[0], report));
    }
    if (action == "match") {
        if (!need_root()) return root_error();
        if (int rc = one_kernel(); rc != 0) return rc;
        return finish(dkms::match_action(ctx, sel, report));
    }
    if (action == "mktarball") {
        if (auto r = dkms::check_module_args(action, sel.module, sel.version); !r)
            return fail(r.error());
        dkms::Tree tree{ctx};
        if (!tree.is_added(sel.module, sel.version))
            return die(3, {"The module/version combo: " + sel.module + "-" + sel.version +
                           " is not located in the DKMS tree."});
        return finish(dkms::mktarball_action(ctx, sel, report));
    }
    if (action == "ldtarball") {
        if (!is_root() && ctx.force)
            return die(1, {"You must be root to use this command with the --force option."});
        return finish(dkms::ldtarball_action(ctx, sel, report));
    }
    if (action == "generate_mok") return finish(dkms::generate_mok_action(ctx, report));
    if (action == "status") {
        dkms::StatusFilter filter{sel.module, sel.version, "", ""};
        dkms::status_action(ctx, filter, sel.targets, report);
        util::Output::flush();
        return 0;
    }
    util::Diag::raw("Error! Unknown action specified: \"" + action + "\"\n");
    usage(argv[0]);
    util::Output::flush();
    return 0;
}

} // namespace modkit::cli
