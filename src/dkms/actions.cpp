// build, install, uninstall, unbuild, remove, status, match, generate_mok and the kernel
// hooks: the loops over kernels and the locking around them. The work is in build.cpp,
// install.cpp and uninstall.cpp.
#include "dkms/actions.hpp"
#include "util/atomic_file.hpp"

#include "dkms/add.hpp"
#include "dkms/build.hpp"
#include "dkms/depmod_step.hpp"
#include "dkms/install.hpp"
#include "dkms/signing.hpp"
#include "dkms/transaction.hpp"
#include "util/copy_tree.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace modkit::dkms {

namespace {

using util::is_directory;

// Every change happens under the tree lock, after rolling back what a killed command left.
template <class Fn> Outcome locked(const Context& ctx, Report& report, Fn&& fn) {
    auto lock = TreeLock::acquire(ctx, report);
    if (!lock) return die(exit_code::k_generic, {lock.error().describe()});
    if (auto r = recover(ctx, report); !r) return die(exit_code::k_generic, {r.error().describe()});
    return fn();
}

// DKMS runs each kernel of build/install in a subshell: every kernel is attempted and the
// exit status is the last one's.
Outcome last_of(const std::vector<Outcome>& outcomes) {
    return outcomes.empty() ? Outcome{} : outcomes.back();
}

void report_failure(const Outcome& o, Report& report) {
    if (o) return;
    if (o.error().warning)
        report.warning(o.error().lines);
    else
        report.error(o.error().lines);
}

} // namespace

Outcome build_action(Context& ctx, Selection& sel, Report& report) {
    return locked(ctx, report, [&]() -> Outcome {
        if (!sel.source_path.empty() && sel.module.empty()) {
            AddRequest req{"", "", sel.targets[0].kernel, sel.targets[0].arch, sel.source_path};
            if (auto r = add_source_tree(ctx, req, sel.source_path, report); !r) return r;
            sel.module = req.module;
            sel.version = req.version;
        }
        if (auto r = check_module_args("build", sel.module, sel.version); !r) return r;
        std::vector<BuildJob> jobs;
        for (const auto& t : sel.targets)
            jobs.push_back({sel.module, sel.version, t});
        auto outcomes = run_builds(ctx, jobs, report);
        for (size_t i = 0; i + 1 < outcomes.size(); ++i)
            report_failure(outcomes[i], report);
        return last_of(outcomes);
    });
}

Outcome install_action(Context& ctx, Selection& sel, Report& report) {
    return locked(ctx, report, [&]() -> Outcome {
        if (!sel.source_path.empty() && sel.module.empty()) {
            AddRequest req{"", "", sel.targets[0].kernel, sel.targets[0].arch, sel.source_path};
            if (auto r = add_source_tree(ctx, req, sel.source_path, report); !r) return r;
            sel.module = req.module;
            sel.version = req.version;
        }
        if (auto r = check_module_args("install", sel.module, sel.version); !r) return r;
        // Build what is missing for all kernels at once, then install one kernel at a time.
        Tree tree{ctx};
        std::vector<BuildJob> jobs;
        std::vector<size_t> job_of(sel.targets.size(), SIZE_MAX);
        for (size_t i = 0; i < sel.targets.size(); ++i) {
            const auto& t = sel.targets[i];
            if (tree.is_installed(sel.module, sel.version, t.kernel, t.arch)) continue;
            if (tree.is_built(sel.module, sel.version, t.kernel, t.arch)) continue;
            job_of[i] = jobs.size();
            jobs.push_back({sel.module, sel.version, t});
        }
        Context build_ctx = ctx;
        build_ctx.force = false;
        std::vector<Outcome> built =
            jobs.size() > 1 ? run_builds(build_ctx, jobs, report) : std::vector<Outcome>();
        std::vector<Outcome> outcomes;
        for (size_t i = 0; i < sel.targets.size(); ++i) {
            if (job_of[i] != SIZE_MAX && !built.empty() && !built[job_of[i]]) {
                outcomes.push_back(built[job_of[i]]);
                continue;
            }
            outcomes.push_back(install_one(ctx, sel.module, sel.version, sel.targets[i], report));
            if (outcomes.back()) run_post_transaction(ctx, sel.targets[i].kernel);
        }
        for (size_t i = 0; i + 1 < outcomes.size(); ++i)
            report_failure(outcomes[i], report);
        return last_of(outcomes);
    });
}

Outcome uninstall_action(Context& ctx, const Selection& sel, Report& report) {
    return locked(ctx, report, [&]() -> Outcome {
        Tree tree{ctx};
        Outcome last;
        for (const auto& t : sel.targets) {
            if (!tree.is_installed(sel.module, sel.version, t.kernel, t.arch)) {
                report.out("Module " + sel.module + " " + sel.version +
                           " is not installed for kernel " + t.kernel + " (" + t.arch +
                           "). Skipping...\n");
                continue;
            }
            last = uninstall_one(ctx, sel.module, sel.version, t, report);
            if (!last) return last;
            run_post_transaction(ctx, t.kernel);
        }
        return last;
    });
}

namespace {

// unbuild_module: uninstall when installed, then remove the build.
Outcome unbuild_targets(const Context& ctx, const Selection& sel, Report& report) {
    Tree tree{ctx};
    for (const auto& t : sel.targets) {
        if (tree.is_installed(sel.module, sel.version, t.kernel, t.arch)) {
            if (auto r = uninstall_one(ctx, sel.module, sel.version, t, report); !r) return r;
        } else {
            report.out("Module " + sel.module + " " + sel.version +
                       " is not installed for kernel " + t.kernel + " (" + t.arch +
                       "). Skipping...\n");
        }
        if (!tree.is_built(sel.module, sel.version, t.kernel, t.arch)) {
            report.out("Module " + sel.module + " " + sel.version + " is not built for kernel " +
                       t.kernel + " (" + t.arch + "). Skipping...\n");
            continue;
        }
        unbuild_one(ctx, sel.module, sel.version, t);
        run_post_transaction(ctx, t.kernel);
    }
    return {};
}

} // namespace

Outcome unbuild_action(Context& ctx, const Selection& sel, Report& report) {
    return locked(ctx, report, [&] { return unbuild_targets(ctx, sel, report); });
}

Outcome remove_action(Context& ctx, const Selection& sel, Report& report) {
    return locked(ctx, report, [&]() -> Outcome {
        if (auto r = unbuild_targets(ctx, sel, report); !r) return r;
        Tree tree{ctx};
        std::string vdir = tree.version_dir(sel.module, sel.version);
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

void status_action(const Context& ctx, const StatusFilter& filter,
                   const std::vector<KernelArch>& kernels, Report& report) {
    Tree tree{ctx};
    // A transaction a killed command left would show a half-changed tree: undo it first if
    // we may (nobody holds the lock and the tree is writable).
    if (access((ctx.dkms_tree + "/.modkit-transaction").c_str(), F_OK) == 0 &&
        access(ctx.dkms_tree.c_str(), W_OK) == 0)
        if (auto lock = TreeLock::try_acquire(ctx)) (void)recover(ctx, report);
    std::vector<StatusFilter> filters;
    if (kernels.empty()) filters.push_back(filter);
    for (const auto& ka : kernels)
        filters.push_back({filter.module, filter.version, ka.kernel, ka.arch});
    for (const auto& f : filters) {
        for (const auto& line : collect_status(tree, f)) {
            report.out(line.text + "\n");
            if (line.broken) report.err(broken_message(line.module, line.version));
        }
    }
}

Outcome match_action(Context& ctx, const Selection& sel, Report& report) {
    const KernelArch& target = sel.targets[0];
    if (ctx.template_kernel.empty())
        return die(exit_code::k_generic,
                   {"Invalid number of parameters passed.",
                    "Usage: match --templatekernel=<kernel-version> -k <kernel-version>",
                    "   or: match --templatekernel=<kernel-version> -k <kernel-version> <module>"});
    if (ctx.template_kernel == target.kernel)
        return die(exit_code::k_usage,
                   {"The templatekernel and the specified kernel version are the same."});
    Tree tree{ctx};
    if (!sel.module.empty() && !is_directory(tree.module_dir(sel.module)))
        return die(exit_code::k_exists,
                   {"The module: " + sel.module + " is not located in the DKMS tree."});
    StatusFilter f{sel.module, "", ctx.template_kernel, target.arch};
    std::vector<StatusLine> installed;
    for (auto& line : collect_status(tree, f))
        if (line.state == StatusLine::State::Installed) installed.push_back(line);
    report.out("\nMatching modules in kernel: " + target.kernel + " (" + target.arch +
               ")\n"
               "to the configuration of kernel: " +
               ctx.template_kernel + " (" + target.arch + ")\n");
    if (installed.empty()) {
        report.out("\nThere is nothing to be done for this match.\n");
        return {};
    }
    return locked(ctx, report, [&]() -> Outcome {
        Outcome last;
        for (const auto& line : installed) {
            report.out("Module:  " + line.module + "\nVersion: " + line.version + "\n");
            last = install_one(ctx, line.module, line.version, target, report);
            if (last)
                run_post_transaction(ctx, target.kernel);
            else
                report_failure(last, report);
        }
        return last;
    });
}

Outcome generate_mok_action(Context& ctx, Report& report) {
    if (auto r =
            read_framework(ctx, framework_signing_names(), {{"kernelver", ctx.current_kernel}});
        !r)
        report.warning({r.error().describe()});
    std::string key = ctx.mok_signing_key.empty() ? "/var/lib/dkms/mok.key" : ctx.mok_signing_key;
    std::string cert = ctx.mok_certificate.empty() ? "/var/lib/dkms/mok.pub" : ctx.mok_certificate;
    report.out("Signing key: " + key + "\nPublic certificate (MOK): " + cert + "\n");
    if (!ensure_signing_key(key, cert, report))
        return die(exit_code::k_generic, {"Cannot create the signing key and certificate."});
    return {};
}

namespace {

// Unbuilds the given packages for one kernel, with a single depmod at the end.
Outcome unbuild_for_kernel(Context& ctx, const KernelArch& target, bool only_autoinstall,
                           Report& report) {
    return locked(ctx, report, [&]() -> Outcome {
        Tree tree{ctx};
        bool failed = false;
        Context quiet = ctx;
        quiet.no_depmod = true;
        bool changed = false;
        for (const auto& m : tree.modules()) {
            for (const auto& v : tree.versions(m)) {
                if (!tree.is_added(m, v) || !tree.is_built(m, v, target.kernel, target.arch))
                    continue;
                if (only_autoinstall) {
                    ConfRequest cr{m, v, tree.source_link(m, v) + "/dkms.conf",
                                   make_target(ctx, target.kernel, target.arch), false};
                    auto conf = read_conf(ctx, cr, report);
                    if (!conf || !conf->autoinstall) continue;
                }
                if (tree.is_installed(m, v, target.kernel, target.arch)) {
                    auto r = uninstall_one(quiet, m, v, target, report);
                    if (!r) {
                        report_failure(r, report);
                        failed = true;
                        continue;
                    }
                }
                unbuild_one(ctx, m, v, target);
                changed = true;
            }
        }
        if (changed && !ctx.no_depmod) {
            auto tx = Transaction::begin(ctx, "depmod for " + target.kernel);
            if (tx && run_depmod_step(ctx, target.kernel, *tx, report)) tx->commit();
            run_post_transaction(ctx, target.kernel);
        }
        if (failed)
            return die(
                exit_code::k_kernel_hook_failed,
                {"One or more modules could not be removed for kernel " + target.kernel + "."});
        return {};
    });
}

} // namespace

Outcome kernel_preinst_action(Context& ctx, const KernelArch& target, Report& report) {
    return unbuild_for_kernel(ctx, target, true, report);
}

Outcome kernel_prerm_action(Context& ctx, const KernelArch& target, Report& report) {
    return unbuild_for_kernel(ctx, target, false, report);
}

Outcome kernel_postinst_action(Context& ctx, const KernelArch& target, Report& report) {
    return autoinstall_action(ctx, {target}, report);
}

} // namespace modkit::dkms
