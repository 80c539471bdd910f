// do_uninstall, transactional: delete the installed copies, put archived originals back
// where their .origin says they came from, drop the kernel-K-A link, POST_REMOVE, depmod.
#include "dkms/build.hpp"
#include "dkms/conf.hpp"
#include "dkms/depmod_step.hpp"
#include "dkms/install.hpp"
#include "dkms/scripts.hpp"
#include "dkms/transaction.hpp"
#include "dkms/weak_modules_hook.hpp"
#include "module/names.hpp"
#include "util/atomic_file.hpp"
#include "util/fs.hpp"
#include "util/mapped_file.hpp"
#include "util/strings.hpp"

#include <sys/stat.h>

namespace modkit::dkms {

namespace {

// The installed copy of `name` among the places DKMS may have put it.
std::string installed_copy(const Context& ctx, const std::string& kernel, const ModuleEntry& e) {
    std::string lib = ctx.install_tree + "/" + kernel;
    for (const std::string& loc : {e.dest_location, e.conf_location}) {
        for (std::string_view ext : module::k_module_extensions) {
            std::string p = lib + loc + "/" + e.dest_name + std::string(ext);
            if (util::path_exists(p)) return p;
        }
    }
    return {};
}

// Where an archived original goes back: its .origin (which must be inside the kernel's
// module directory), else <DEST_MODULE_LOCATION>/<file> as DKMS before 3.1.7 did.
std::string origin_of(const Context& ctx, const std::string& kernel, const std::string& stored,
                      const ModuleEntry& e) {
    std::string lib = ctx.install_tree + "/" + kernel;
    if (auto data = util::read_file(stored + ".origin")) {
        std::string path(util::trim(*data));
        if (util::starts_with(path, lib + "/") && path.find("/../") == std::string::npos)
            return path;
    }
    return lib + e.conf_location + "/" + std::string(util::basename(stored));
}

} // namespace

Outcome uninstall_one(const Context& ctx, const std::string& m, const std::string& v,
                      const KernelArch& t, Report& report, Depmod depmod) {
    Tree tree{ctx};
    report.out("Module " + m + "/" + v + " for kernel " + t.kernel + " (" + t.arch + "):\n");
    ConfRequest cr{m, v, ctx.conf.empty() ? tree.source_link(m, v) + "/dkms.conf" : ctx.conf,
                   make_target(ctx, t.kernel, t.arch), false};
    auto conf = read_conf(ctx, cr, report);
    if (!conf) return conf_failure(cr.conf_path, conf.error());
    auto tx = Transaction::begin(ctx, "uninstall " + m + "/" + v + " from " + t.kernel + " (" +
                                          t.arch + ")");
    if (!tx) return die(exit_code::k_install_failed, {tx.error().describe()});
    auto failed = [&](const util::Error& e) {
        return die(exit_code::k_install_failed, {e.describe()});
    };
    std::string lib = ctx.install_tree + "/" + t.kernel;
    std::vector<std::string> removed; // for weak-modules
    bool was_active = tree.is_installed(m, v, t.kernel, t.arch);
    std::string suffix = module_compression_suffix(ctx, t.kernel);
    if (was_active) {
        report.out("Before uninstall, this module version was ACTIVE on this kernel.\n");
        std::string originals = tree.original_dir(m, t.kernel, t.arch);
        for (const auto& e : conf->modules) {
            std::string installed = installed_copy(ctx, t.kernel, e);
            if (installed.empty()) {
                report.out("Module " + e.dest_name + ".ko" + suffix + " was not found within " +
                           lib + "/\n");
            } else {
                report.out("Deleting " + installed + "\n");
                if (auto r = tx->remove(installed); !r) return failed(r.error());
                removed.push_back(installed);
                if (auto r =
                        tx->remove_empty_directories(std::string(util::dirname(installed)), lib);
                    !r)
                    return failed(r.error());
            }
            for (std::string_view ext : module::k_module_extensions) {
                std::string stored = originals + "/" + e.dest_name + std::string(ext);
                if (!util::path_exists(stored)) continue;
                std::string back = origin_of(ctx, t.kernel, stored, e);
                report.out("Restoring archived original module " + back + "\n");
                if (auto r = tx->make_directories(std::string(util::dirname(back))); !r)
                    return failed(r.error());
                if (auto r = tx->move(stored, back); !r) return failed(r.error());
                if (auto r = tx->remove(stored + ".origin"); !r) return failed(r.error());
            }
        }
        if (auto r = tx->remove(tree.kernel_link(m, t.kernel, t.arch)); !r)
            return failed(r.error());
        if (auto r = tx->remove_empty_directories(originals, tree.module_dir(m)); !r)
            return failed(r.error());
    } else {
        report.out("This module version was INACTIVE for this kernel.\n");
    }
    ScriptRun post{ScriptKind::PostRemove, conf->post_remove, m, v, -1, "", ""};
    run_package_script(ctx, post, report);
    if (depmod == Depmod::Now && !run_depmod_step(ctx, t.kernel, *tx, report)) {
        tx->rollback();
        return die(exit_code::k_install_failed,
                   {"Problems with depmod detected; the module was left installed."});
    }
    tx->commit();
    run_weak_modules(ctx, conf->no_weak_modules, removed, WeakAction::Remove, report);
    return {};
}

} // namespace modkit::dkms
