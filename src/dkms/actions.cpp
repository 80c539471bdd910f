// build, install, status, match and generate_mok: the loops over kernels (dkms.in's
// build_module, install_module, run_match) and the locking around them. Builds for several
// kernels run concurrently; their messages, and each kernel's install after its build, come out
// in the order DKMS prints them (JobSequencer). The work is in build.cpp and install.cpp.
#include "dkms/actions.hpp"

#include "dkms/action_support.hpp"
#include "dkms/add.hpp"
#include "dkms/build.hpp"
#include "dkms/install.hpp"
#include "dkms/signing.hpp"
#include "dkms/transaction.hpp"
#include "util/atomic_file.hpp"
#include "util/fs.hpp"

namespace modkit::dkms {

namespace {

// dkms add of a source-tree argument before build/install (add_source_tree).
Outcome add_named_source(Context& ctx, Selection& sel, Report& report) {
    if (sel.source_path.empty() || !sel.module.empty()) return {};
    AddRequest req{"", "", sel.targets[0].kernel, sel.targets[0].arch, sel.source_path};
    if (auto r = add_source_tree(ctx, req, sel.source_path, report); !r) return r;
    sel.module = req.module;
    sel.version = req.version;
    return {};
}

} // namespace

Outcome build_action(Context& ctx, Selection& sel, Report& report) {
    return locked(ctx, report, MissingTree::Create, [&]() -> Outcome {
        if (auto r = add_named_source(ctx, sel, report); !r) return r;
        if (auto r = check_module_args("build", sel.module, sel.version); !r) return r;
        std::vector<BuildJob> jobs;
        for (const auto& t : sel.targets)
            jobs.push_back({sel.module, sel.version, t});
        auto outcomes = run_builds(ctx, jobs, report);
        return outcomes.empty() ? Outcome{} : outcomes.back();
    });
}

Outcome install_action(Context& ctx, Selection& sel, Report& report) {
    return locked(ctx, report, MissingTree::Create, [&]() -> Outcome {
        if (auto r = add_named_source(ctx, sel, report); !r) return r;
        if (auto r = check_module_args("install", sel.module, sel.version); !r) return r;
        // maybe_install_module per kernel, in order; the builds it needs start at once.
        Tree tree{ctx};
        std::vector<BuildJob> jobs;
        std::vector<size_t> job_of(sel.targets.size(), SIZE_MAX);
        for (size_t i = 0; i < sel.targets.size(); ++i) {
            const auto& t = sel.targets[i];
            if (tree.is_installed(sel.module, sel.version, t.kernel, t.arch) && !ctx.force)
                continue;
            if (tree.is_built(sel.module, sel.version, t.kernel, t.arch)) continue;
            if (tree.is_installed(sel.module, sel.version, t.kernel, t.arch)) continue;
            bool dup = false;
            for (const auto& j : jobs)
                dup = dup || j.target == t;
            if (dup) continue;
            job_of[i] = jobs.size();
            jobs.push_back({sel.module, sel.version, t});
        }
        Context build_ctx = ctx;
        build_ctx.force = false;
        Outcome last;
        run_builds_then(
            build_ctx, jobs, job_of, report, [&](size_t i, Report& slot, const Outcome* built) {
                const KernelArch& t = sel.targets[i];
                if (built != nullptr && !*built) {
                    last = *built;
                    return;
                }
                last = reported(install_one(ctx, sel.module, sel.version, t, slot), slot);
            });
        return last;
    });
}

void status_action(const Context& ctx, const StatusFilter& filter,
                   const std::vector<KernelArch>& kernels, Report& report) {
    Tree tree{ctx};
    // A transaction a killed command left would show a half-changed tree: undo it first if
    // we may (nobody holds the lock and the tree is writable).
    if (util::path_exists(ctx.dkms_tree + "/.modkit-transaction") &&
        access(ctx.dkms_tree.c_str(), W_OK) == 0)
        if (auto lock = TreeLock::try_acquire(ctx)) (void)recover(ctx, report);
    std::vector<StatusFilter> filters;
    if (kernels.empty()) filters.push_back(filter);
    for (const auto& ka : kernels)
        filters.push_back({filter.module, filter.version, ka.kernel, ka.arch});
    std::vector<StatusLine> lines;
    for (const auto& f : filters) {
        for (auto& line : collect_status(tree, f)) {
            if (!ctx.json) report.out(line.text + "\n");
            if (line.broken) report.err(broken_message(line.module, line.version));
            lines.push_back(std::move(line));
        }
    }
    if (ctx.json) report.out(status_json(lines));
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
    StatusFilter f{"", "", ctx.template_kernel, target.arch};
    std::vector<StatusLine> installed;
    for (auto& line : collect_status(tree, f))
        if (line.state == StatusLine::State::Installed &&
            (sel.module.empty() || line.module == sel.module))
            installed.push_back(line);
    if (!sel.module.empty() && !util::is_directory(tree.module_dir(sel.module)))
        return die(exit_code::k_exists,
                   {"The module: " + sel.module + " is not located in the DKMS tree."});
    report.out("\nMatching modules in kernel: " + target.kernel + " (" + target.arch +
               ")\n"
               "to the configuration of kernel: " +
               ctx.template_kernel + " (" + target.arch + ")\n");
    if (installed.empty()) {
        report.out("\nThere is nothing to be done for this match.\n");
        return {};
    }
    if (auto r = prepare_kernel(ctx, make_target(ctx, target.kernel, target.arch)); !r) return r;
    return locked(ctx, report, MissingTree::Create, [&]() -> Outcome {
        Outcome last;
        for (const auto& line : installed) {
            report.out("Module:  " + line.module + "\nVersion: " + line.version + "\n");
            if (tree.is_broken(line.module, line.version)) {
                report.error({line.module + "/" + line.version + " is broken!",
                              "Missing the source directory or the symbolic link pointing to it.",
                              "Manual intervention is required!"});
                continue;
            }
            BuildJob job{line.module, line.version, target};
            last = reported(build_one(ctx, job, report), report);
            last = reported(install_one(ctx, line.module, line.version, target, report), report);
        }
        return last;
    });
}

Outcome generate_mok_action(Context& ctx, Report& report) {
    if (auto r =
            read_framework(ctx, framework_signing_names(), {{"kernelver", ctx.current_kernel}});
        !r)
        report.warning({r.error().describe()});
    MokPaths mok = mok_paths(ctx);
    report.out("Signing key: " + mok.key + "\nPublic certificate (MOK): " + mok.cert + "\n");
    // The tree holds the default key pair: create it if apt removed it with the dkms package
    // (when that fails, creating the key says so).
    if (ctx.mok_signing_key.empty() || ctx.mok_certificate.empty()) (void)make_tree_writable(ctx);
    if (!ensure_signing_key(mok.key, mok.cert, report)) return die(exit_code::k_generic, {});
    return {};
}

} // namespace modkit::dkms
