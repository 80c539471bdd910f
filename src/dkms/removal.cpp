// uninstall, unbuild, remove and the kernel hooks that take modules away (kernel_preinst,
// kernel_prerm): dkms.in's uninstall_module, unbuild_module, remove_module and their loops
// over kernels, with DKMS's messages and blank lines, under the tree lock.
#include "dkms/action_support.hpp"
#include "dkms/actions.hpp"
#include "dkms/build.hpp"
#include "dkms/depmod_step.hpp"
#include "dkms/install.hpp"
#include "util/atomic_file.hpp"
#include "util/copy_tree.hpp"

#include <sys/stat.h>

namespace modkit::dkms {

namespace {

using util::is_directory;

// Whether the package has any BUILD_EXCLUSIVE directive (then DKMS does not say it is not
// installed: it may have been excluded on purpose).
bool has_build_exclusive(const Context& ctx, const std::string& m, const std::string& v,
                         const KernelArch& t) {
    Tree tree{ctx};
    std::string path = tree.source_link(m, v) + "/dkms.conf";
    if (!util::path_exists(path)) return false;
    BufferedReport quiet;
    ConfRequest cr{m, v, path, make_target(ctx, t.kernel, t.arch), false};
    cr.remember = false;
    auto conf = read_conf(ctx, cr, quiet);
    return conf && conf->has_build_exclusive;
}

// maybe_uninstall_module.
Outcome maybe_uninstall(const Context& ctx, const std::string& m, const std::string& v,
                        const KernelArch& t, Report& report, Depmod depmod) {
    if (Tree{ctx}.is_installed(m, v, t.kernel, t.arch))
        return uninstall_one(ctx, m, v, t, report, depmod);
    if (!has_build_exclusive(ctx, m, v, t))
        report.out("Module " + m + "/" + v + " is not installed for kernel " + t.kernel + " (" +
                   t.arch + "). Skipping...\n");
    return {};
}

// maybe_unbuild_module.
void maybe_unbuild(const Context& ctx, const std::string& m, const std::string& v,
                   const KernelArch& t, Report& report) {
    if (!Tree{ctx}.is_built(m, v, t.kernel, t.arch)) {
        report.out("Module " + m + "/" + v + " is not built for kernel " + t.kernel + " (" +
                   t.arch + "). Skipping...\n");
        return;
    }
    unbuild_one(ctx, m, v, t);
}

// unbuild_module for one package, every target: uninstall and unbuild.
Outcome unbuild_targets(const Context& ctx, const std::string& m, const std::string& v,
                        const std::vector<KernelArch>& targets, Report& report, Depmod depmod) {
    Outcome last;
    for (size_t i = 0; i < targets.size(); ++i) {
        if (i > 0) report.out("\n");
        last = maybe_uninstall(ctx, m, v, targets[i], report, depmod);
        if (!last) return last;
        maybe_unbuild(ctx, m, v, targets[i], report);
    }
    return last;
}

// kernel_preinst and kernel_prerm: every package built for the kernel (preinst: only the
// AUTOINSTALL ones) is unbuilt, with one depmod at the end.
Outcome unbuild_for_kernel(Context& ctx, const std::string& hook, const KernelArch& target,
                           bool only_autoinstall, Report& report) {
    return locked(ctx, report, MissingTree::NothingToLock, [&]() -> Outcome {
        Tree tree{ctx};
        std::string failed;
        bool pending_depmod = false;
        for (const auto& m : tree.modules())
            for (const auto& v : tree.versions(m)) {
                if (!tree.is_built(m, v, target.kernel, target.arch)) continue;
                if (only_autoinstall) {
                    ConfRequest cr{m, v, tree.source_link(m, v) + "/dkms.conf",
                                   make_target(ctx, target.kernel, target.arch), false};
                    auto conf = read_conf(ctx, cr, report);
                    if (!conf) return conf_failure(cr.conf_path, conf.error());
                    if (!conf->autoinstall) continue;
                }
                report.err("dkms: removing module " + m + "/" + v + " for kernel " + target.kernel +
                           " (" + target.arch + ")\n");
                bool was_installed = tree.is_installed(m, v, target.kernel, target.arch);
                auto r = reported(unbuild_targets(ctx, m, v, {target}, report, Depmod::Deferred),
                                  report);
                // dkms.in marks depmod pending only where an uninstall happened (a broken
                // module fails before it).
                if (r && was_installed) pending_depmod = true;
                if (!r) failed += " " + m + "/" + v + "(" + std::to_string(r.error().code) + ")";
                if (!only_autoinstall) report.out("\n");
            }
        if (pending_depmod) {
            auto tx = Transaction::begin(ctx, "depmod for " + target.kernel);
            if (tx && run_depmod_step(ctx, target.kernel, *tx, report)) tx->commit();
        }
        // dkms.in: find "$install_tree/$kernelver" -type d -empty -delete
        std::string lib = ctx.install_tree + "/" + target.kernel;
        if (is_directory(lib)) remove_empty_directories(lib);
        if (!failed.empty())
            return die(exit_code::k_kernel_hook_failed,
                       {"dkms " + hook + " for kernel " + target.kernel + " (" + target.arch +
                        ") failed for module(s)" + failed + "."});
        return {};
    });
}

} // namespace

Outcome uninstall_action(Context& ctx, const Selection& sel, Report& report) {
    return locked(ctx, report, MissingTree::NothingToLock, [&]() -> Outcome {
        Outcome last;
        for (size_t i = 0; i < sel.targets.size(); ++i) {
            if (i > 0) report.out("\n");
            last =
                maybe_uninstall(ctx, sel.module, sel.version, sel.targets[i], report, Depmod::Now);
            if (!last) return last;
        }
        return last;
    });
}

Outcome unbuild_action(Context& ctx, const Selection& sel, Report& report) {
    return locked(ctx, report, MissingTree::NothingToLock, [&] {
        return unbuild_targets(ctx, sel.module, sel.version, sel.targets, report, Depmod::Now);
    });
}

Outcome remove_action(Context& ctx, const Selection& sel, Report& report) {
    return locked(ctx, report, MissingTree::NothingToLock, [&]() -> Outcome {
        Tree tree{ctx};
        std::string vdir = tree.version_dir(sel.module, sel.version);
        // Leftovers of interrupted builds, then empty kernel directories.
        for (const auto& k : Tree::list(vdir))
            for (const auto& e : list_all(vdir + "/" + k))
                if (e.rfind(".tmp_", 0) == 0) (void)util::remove_tree(vdir + "/" + k + "/" + e);
        for (const auto& k : Tree::list(vdir))
            if (is_directory(vdir + "/" + k) && Tree::list(vdir + "/" + k).empty())
                rmdir((vdir + "/" + k).c_str());
        for (const auto& t : sel.targets) {
            if (auto r = maybe_uninstall(ctx, sel.module, sel.version, t, report, Depmod::Now); !r)
                return r;
            maybe_unbuild(ctx, sel.module, sel.version, t, report);
            report.out("\n");
        }
        bool kernels_left = false;
        for (const auto& e : Tree::list(vdir)) {
            if (e == "build" || e == "tarball" || e == "driver_disk" || e == "rpm" || e == "deb" ||
                e == "source")
                continue;
            if (is_directory(vdir + "/" + e)) kernels_left = true;
        }
        if (!kernels_left) {
            report.out("Deleting module " + sel.module + "/" + sel.version +
                       " completely from the DKMS tree.\n");
            (void)util::remove_tree(vdir);
        }
        if (Tree::list(tree.module_dir(sel.module)).empty())
            (void)util::remove_tree(tree.module_dir(sel.module));
        return {};
    });
}

Outcome kernel_preinst_action(Context& ctx, const KernelArch& target, Report& report) {
    return unbuild_for_kernel(ctx, "kernel_preinst", target, true, report);
}

Outcome kernel_prerm_action(Context& ctx, const KernelArch& target, Report& report) {
    return unbuild_for_kernel(ctx, "kernel_prerm", target, false, report);
}

} // namespace modkit::dkms
