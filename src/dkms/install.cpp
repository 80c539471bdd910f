// do_install (dkms.in v3.4 order: validate, PRE_INSTALL, per module version check, archive
// the original, copy; then the kernel-K-A link, POST_INSTALL, depmod), transactional.
#include "dkms/install.hpp"
#include "dkms/weak_modules_hook.hpp"
#include "util/atomic_file.hpp"

#include "dkms/abi_gate.hpp"
#include "dkms/build.hpp"
#include "dkms/conf.hpp"
#include "dkms/dependents.hpp"
#include "dkms/depmod_step.hpp"
#include "dkms/scripts.hpp"
#include "dkms/shell.hpp"
#include "dkms/transaction.hpp"
#include "dkms/version_check.hpp"
#include "util/copy_tree.hpp"
#include "util/fs.hpp"
#include "util/mapped_file.hpp"
#include "util/strings.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace modkit::dkms {

namespace {

// compressed_or_uncompressed: <dir>/<name>.ko, else <dir>/<name>.ko<suffix>.
std::string module_in(const std::string& dir, const std::string& name, const std::string& suffix) {
    std::string plain = dir + "/" + name + ".ko";
    if (util::path_exists(plain)) return plain;
    if (!suffix.empty() && util::path_exists(plain + suffix)) return plain + suffix;
    return {};
}

// The names in /usr/share/dkms/modules_to_force_install/*: "<m>" forces the install,
// "<m>_version-override" skips the version check.
void apply_forced_installs(Context& ctx, const std::string& module, Report& report) {
    std::string dir = "/usr/share/dkms/modules_to_force_install";
    for (const auto& f : Tree::list(dir)) {
        auto data = util::read_file(dir + "/" + f);
        if (!data) continue;
        for (auto w : util::split_any(*data, " \t\n")) {
            if (w == module) {
                ctx.force = true;
                report.out("Forcing installation of " + module + "\n");
                return;
            }
            if (w == module + "_version-override") {
                ctx.force_version_override = true;
                report.out("Forcing version override of " + module + "\n");
                return;
            }
        }
    }
}

// Moves the kernel's own copy of a module aside, the first time a package is installed for
// the kernel, and records where it was (<name>.origin), as DKMS 3.1.7+ does.
util::Expected<void> archive_original(const Context& ctx, const Tree& tree, Transaction& tx,
                                      const std::string& m, const KernelArch& t,
                                      const ModuleEntry& e, const std::string& suffix,
                                      Report& report) {
    std::string lib = ctx.install_tree + "/" + t.kernel;
    std::string dir = tree.original_dir(m, t.kernel, t.arch);
    bool active = util::path_exists(tree.kernel_link(m, t.kernel, t.arch));
    if (active) {
        if (!module_in(dir, e.dest_name, suffix).empty())
            report.out("An original module was already stored during a previous install\n");
        return {};
    }
    std::vector<std::string> candidates = {module_in(lib + "/extra", e.dest_name, suffix),
                                           module_in(lib + "/updates", e.dest_name, suffix),
                                           module_in(lib + e.dest_location, e.dest_name, suffix)};
    auto found = find_module_files(lib, e.dest_name, suffix);
    if (found.size() == 1) candidates.push_back(found[0]);
    for (const auto& original : candidates) {
        if (original.empty() || !util::is_regular_file(original)) continue;
        std::string stored = dir + "/" + std::string(util::basename(original));
        report.out("Found pre-existing " + original + ", archiving for uninstallation\n");
        if (auto r = tx.make_directories(dir); !r) return r;
        if (auto r = tx.move(original, stored); !r) return r;
        return tx.write_file(stored + ".origin", original + "\n");
    }
    return {};
}

// do_install's checks before anything changes: the kernel exists, the conf reads, every
// module was built. The files to install, in record order.
std::expected<std::vector<std::pair<const ModuleEntry*, std::string>>, Failure>
modules_to_install(const Tree& tree, const std::string& m, const std::string& v,
                   const KernelArch& t, const DkmsConf& conf, const std::string& suffix) {
    std::string module_dir = tree.built_dir(m, v, t.kernel, t.arch) + "/module";
    std::vector<std::pair<const ModuleEntry*, std::string>> modules;
    for (const auto& e : conf.modules) {
        if (e.excluded) continue;
        std::string file = module_in(module_dir, e.dest_name, suffix);
        if (file.empty())
            return die(exit_code::k_install_failed,
                       {"Missing module " + e.dest_name + " in " + module_dir});
        modules.emplace_back(&e, file);
    }
    return modules;
}

} // namespace

Outcome install_built(const Context& base_ctx, const std::string& m, const std::string& v,
                      const KernelArch& t, Report& report) {
    Context ctx = base_ctx;
    apply_forced_installs(ctx, m, report);
    Tree tree{ctx};
    std::string lib = ctx.install_tree + "/" + t.kernel;
    if (!util::path_exists(lib))
        return die(exit_code::k_install_failed,
                   {"The directory " + lib + " doesn't exist.",
                    "You cannot install a module onto a non-existent kernel."});
    std::string suffix = module_compression_suffix(ctx, t.kernel);
    ConfRequest cr{m, v, ctx.conf.empty() ? tree.source_link(m, v) + "/dkms.conf" : ctx.conf,
                   make_target(ctx, t.kernel, t.arch), true};
    auto conf = read_conf(ctx, cr, report);
    if (!conf) return conf_failure(cr.conf_path, conf.error());
    auto modules = modules_to_install(tree, m, v, t, *conf, suffix);
    if (!modules) return std::unexpected(modules.error());
    if (tree.is_installed(m, v, t.kernel, t.arch))
        return die(exit_code::k_banned, {"This module/version combo is already installed for "
                                         "kernel " +
                                         t.kernel + " (" + t.arch + ")."});
    if (!ctx.skip_abi_check) {
        std::vector<std::string> files;
        for (const auto& [e, f] : *modules)
            files.push_back(f);
        if (auto r = check_abi(ctx, cr.target, files, report, exit_code::k_install_failed); !r)
            return r;
    }
    ScriptRun pre{ScriptKind::PreInstall, conf->pre_install, m, v, -1, "", ""};
    if (run_package_script(ctx, pre, report) != 0 && !ctx.force)
        return die(exit_code::k_pre_install_failed, {"pre_install failed, aborting install.",
                                                     "You may override by specifying --force."});

    auto tx = Transaction::begin(ctx, "install " + m + "/" + v + " for " + t.kernel + " (" +
                                          t.arch + ")");
    if (!tx) return die(exit_code::k_install_failed, {tx.error().describe()});
    auto aborted = [](const util::Error& e) {
        return die(exit_code::k_install_failed, {e.describe(), "Installation aborted."});
    };
    bool any_installed = false;
    std::vector<std::string> installed_paths; // for weak-modules
    for (const auto& [e, file] : *modules) {
        if (!check_version_sanity(ctx, t.kernel, conf->obsolete_by, e->dest_name, file, suffix,
                                  report))
            continue; // refused: this module is not installed
        if (auto r = archive_original(ctx, tree, *tx, m, t, *e, suffix, report); !r)
            return aborted(r.error());
        std::string dest_dir = lib + e->dest_location;
        std::string dest = dest_dir + "/" + std::string(util::basename(file));
        report.out("Installing " + dest + "\n");
        if (auto r = tx->make_directories(dest_dir); !r) return aborted(r.error());
        if (auto r = tx->install_file(file, dest, ctx.symlink_modules); !r)
            return aborted(r.error());
        any_installed = true;
        installed_paths.push_back(dest);
    }
    // Nothing changed: the transaction rolls back to exactly where it started.
    if (!modules->empty() && !any_installed)
        return die(exit_code::k_install_failed, {"Installation aborted."});
    if (auto r = tx->set_symlink(tree.kernel_link(m, t.kernel, t.arch),
                                 v + "/" + t.kernel + "/" + t.arch);
        !r)
        return aborted(r.error());
    ScriptRun post{ScriptKind::PostInstall, conf->post_install, m, v, -1, "", ""};
    if (int rc = run_package_script(ctx, post, report); rc != 0 && !ctx.force) {
        tx->rollback();
        return die(exit_code::k_install_failed,
                   {"post_install failed (exit status " + std::to_string(rc) +
                        "), installation rolled back.",
                    "You may override by specifying --force."});
    }
    if (!run_depmod_step(ctx, t.kernel, *tx, report)) {
        tx->rollback();
        return die(exit_code::k_install_failed,
                   {"Problems with depmod detected. Automatically uninstalling this module.",
                    "Install Failed (depmod problems). Module rolled back to built state."});
    }
    tx->commit();
    run_weak_modules(ctx, conf->no_weak_modules, installed_paths, WeakAction::Add, report);
    if (ctx.modprobe_on_install && t.kernel == ctx.current_kernel) {
        ShellCommand cmd;
        cmd.script = "find /sys/devices -name modalias -print0 | xargs -0 cat | sort -u | "
                     "xargs modprobe -a -b -q; "
                     "[ -f /lib/systemd/system/systemd-modules-load.service ] && "
                     "systemctl restart systemd-modules-load.service; true";
        (void)run_shell(cmd);
    }
    rebuild_dependents(ctx, t, report);
    return {};
}

Outcome install_one(const Context& ctx, const std::string& m, const std::string& v,
                    const KernelArch& t, Report& report) {
    Tree tree{ctx};
    if (tree.is_installed(m, v, t.kernel, t.arch)) {
        if (!ctx.force) {
            report.out("Module " + m + "/" + v + " already installed on kernel " + t.kernel + " (" +
                       t.arch + "), skip. You may override by specifying --force.\n");
            return {};
        }
        if (auto r = uninstall_one(ctx, m, v, t, report, Depmod::Now); !r) return r;
        report.out("\n");
    }
    if (!tree.is_built(m, v, t.kernel, t.arch)) {
        Context build_ctx = ctx;
        build_ctx.force = false; // an unbuilt package needs no rebuild
        if (auto r = build_one(build_ctx, {m, v, t}, report); !r) return r;
    }
    return install_built(ctx, m, v, t, report);
}

void unbuild_one(const Context& ctx, const std::string& m, const std::string& v,
                 const KernelArch& t) {
    Tree tree{ctx};
    (void)util::remove_tree(tree.built_dir(m, v, t.kernel, t.arch));
    std::string kdir = tree.version_dir(m, v) + "/" + t.kernel;
    bool has_dirs = false;
    for (const auto& e : Tree::list(kdir)) {
        struct stat st;
        if (stat((kdir + "/" + e).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) has_dirs = true;
    }
    if (!has_dirs) (void)util::remove_tree(kdir);
}

} // namespace modkit::dkms
