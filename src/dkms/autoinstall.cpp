// autoinstall (and kernel_postinst), dkms.in's autoinstall(): for one kernel, the newest
// version of every added package that has AUTOINSTALL and is not installed yet, in rounds of
// BUILD_DEPENDS order. DKMS builds and installs one package after the other; modkit builds all
// packages of a round concurrently and installs them one at a time, and the transcript is
// DKMS's ("Autoinstall of module m/v for kernel K (A)", each package's build and install, the
// summary lines). A BUILD_EXCLUSIVE skip (77) is not a failure; a package whose BUILD_DEPENDS
// are not registered with DKMS is deferred, and autoinstall still succeeds (3.4.1).
#include "dkms/action_support.hpp"
#include "dkms/actions.hpp"
#include "dkms/build.hpp"
#include "dkms/compare.hpp"
#include "dkms/conf.hpp"
#include "dkms/depmod_step.hpp"
#include "dkms/install.hpp"
#include "dkms/signing.hpp"

#include <algorithm>
#include <map>
#include <unistd.h>

namespace modkit::dkms {

namespace {

struct Candidate {
    std::string module, version;
    std::vector<std::string> depends; // BUILD_DEPENDS not installed (or skipped) yet
};

struct Plan {
    std::vector<std::string> known;     // every added module, in tree order
    std::vector<std::string> installed; // installed for the kernel (before and during the run)
    std::vector<std::string> skipped, failed, deferred, unresolved;
    std::vector<Candidate> todo;
};

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v)
        out += (out.empty() ? "" : " ") + s;
    return out;
}

// The newest version of each module, the installed ones, and what is to be installed.
Outcome make_plan(const Context& ctx, const KernelArch& t, Plan& plan, Report& report) {
    Tree tree{ctx};
    std::map<std::string, std::string> latest;
    for (const auto& m : tree.modules())
        for (const auto& v : tree.versions(m)) {
            if (tree.is_broken(m, v)) {
                report.error({m + "/" + v +
                                  " is broken! Missing the source directory or the "
                                  "symbolic link pointing to it.",
                              "Manual intervention is required!"});
                continue;
            }
            if (!tree.is_added(m, v)) continue;
            if (!latest.count(m)) {
                plan.known.push_back(m);
                latest[m] = v;
            } else if (ver_key(v) > ver_key(latest[m])) {
                latest[m] = v;
            }
        }
    for (const auto& m : plan.known) {
        const std::string& v = latest[m];
        if (tree.is_installed(m, v, t.kernel, t.arch)) {
            plan.installed.push_back(m);
            continue;
        }
        ConfRequest cr{m, v, tree.source_link(m, v) + "/dkms.conf",
                       make_target(ctx, t.kernel, t.arch), false};
        auto conf = read_conf(ctx, cr, report);
        if (!conf) return conf_failure(cr.conf_path, conf.error());
        if (!conf->autoinstall) continue;
        plan.todo.push_back({m, v, conf->build_depends});
    }
    return {};
}

// One round: every package whose dependencies are installed, built concurrently and installed
// in order. False when nothing was ready.
std::expected<bool, Failure> run_round(const Context& ctx, const KernelArch& t, Plan& plan,
                                       bool& prepared, Report& report) {
    for (auto& c : plan.todo)
        std::erase_if(c.depends, [&](const std::string& d) {
            return contains(plan.installed, d) || contains(plan.skipped, d);
        });
    std::vector<Candidate> ready, waiting;
    for (auto& c : plan.todo)
        (c.depends.empty() ? ready : waiting).push_back(std::move(c));
    plan.todo = std::move(waiting);
    if (ready.empty()) return false;

    Tree tree{ctx};
    std::vector<BuildJob> jobs;
    std::vector<size_t> job_of(ready.size(), SIZE_MAX);
    size_t prologue_slot = SIZE_MAX;
    ConfTarget target = make_target(ctx, t.kernel, t.arch);
    for (size_t i = 0; i < ready.size(); ++i) {
        const Candidate& c = ready[i];
        if (tree.is_built(c.module, c.version, t.kernel, t.arch)) continue;
        if (!prepared) {
            // prepare_kernel_and_signing, once, before the first package that needs a build.
            if (auto r = prepare_kernel(ctx, target); !r) return std::unexpected(r.error());
            (void)ctx.prepared_kernels->first_time(target.kernelver + "/" + target.arch);
            prologue_slot = i;
            prepared = true;
        }
        job_of[i] = jobs.size();
        jobs.push_back({c.module, c.version, t, false});
    }
    Context build_ctx = ctx;
    build_ctx.force = false;
    run_builds_then(
        build_ctx, jobs, job_of, report,
        [&](size_t i, Report& slot, const Outcome* built) {
            const Candidate& c = ready[i];
            Outcome o = built != nullptr && !*built
                            ? *built
                            : reported(install_one(ctx, c.module, c.version, t, slot), slot);
            int status = o ? 0 : o.error().code;
            if (status == 0)
                plan.installed.push_back(c.module);
            else if (status == exit_code::k_build_exclusive)
                plan.skipped.push_back(c.module);
            else
                plan.failed.push_back(c.module + "(" + std::to_string(status) + ")");
            slot.out("\n");
        },
        [&](size_t i, Report& slot) {
            if (i == prologue_slot) {
                (void)prepare_signing(ctx, target, slot);
                slot.out("\n");
            }
            slot.out("Autoinstall of module " + ready[i].module + "/" + ready[i].version +
                     " for kernel " + t.kernel + " (" + t.arch + ")\n");
        });
    return true;
}

// After the rounds: what could not be installed, and why.
void classify_leftovers(const KernelArch& t, Plan& plan, Report& report) {
    for (const auto& c : plan.todo) {
        std::string real, unknown;
        for (const auto& d : c.depends)
            (contains(plan.known, d) ? real : unknown) += " " + d;
        std::string mv = c.module + "/" + c.version;
        if (!real.empty()) {
            report.out(mv + " autoinstall failed due to missing dependencies:" + real + ".\n");
            plan.unresolved.push_back(mv);
        } else {
            report.out(mv + " autoinstall deferred: BUILD_DEPENDS not registered with DKMS:" +
                       unknown + ".\n");
            plan.deferred.push_back(mv);
        }
    }
    if (!plan.deferred.empty())
        report.out("Autoinstall on " + t.kernel + " deferred module(s) " + joined(plan.deferred) +
                   " due to BUILD_DEPENDS not yet registered with DKMS.\n"
                   "These may be provided externally or by a package not yet configured; "
                   "autoinstall will retry on the next trigger.\n");
}

} // namespace

Outcome autoinstall_action(Context& ctx, const std::vector<KernelArch>& targets, Report& report) {
    if (access((ctx.framework_dir + "/no-autoinstall").c_str(), F_OK) == 0) {
        report.out("Automatic installation of modules has been disabled.\n");
        return {};
    }
    const KernelArch& t = targets.at(0);
    return locked(ctx, report, MissingTree::NothingToLock, [&]() -> Outcome {
        Plan plan;
        if (auto r = make_plan(ctx, t, plan, report); !r) return r;
        if (plan.todo.empty()) return {};
        size_t installed_before = plan.installed.size();
        bool prepared = false;
        for (;;) {
            auto progressed = run_round(ctx, t, plan, prepared, report);
            if (!progressed) return std::unexpected(progressed.error());
            if (!*progressed) break;
        }
        if (!plan.installed.empty())
            report.out("Autoinstall on " + t.kernel + " succeeded for module(s) " +
                       joined(plan.installed) + ".\n");
        if (!plan.skipped.empty())
            report.out("Autoinstall on " + t.kernel + " was skipped for module(s) " +
                       joined(plan.skipped) + ".\n");
        if (!plan.failed.empty())
            report.out("Autoinstall on " + t.kernel + " failed for module(s) " +
                       joined(plan.failed) + ".\n");
        classify_leftovers(t, plan, report);
        if (!plan.failed.empty() || !plan.unresolved.empty())
            return die(exit_code::k_autoinstall_failed,
                       {"One or more modules failed to install during autoinstall.",
                        "Refer to previous errors for more information."});
        // DKMS 3.4 means to run post_transaction here but never does (docs/compat.md).
        if (plan.installed.size() > installed_before) run_post_transaction(ctx, t.kernel, report);
        return {};
    });
}

Outcome kernel_postinst_action(Context& ctx, const KernelArch& target, Report& report) {
    return autoinstall_action(ctx, {target}, report);
}

} // namespace modkit::dkms
