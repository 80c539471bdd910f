// autoinstall (and kernel_postinst): for each kernel, the newest version of every package
// with AUTOINSTALL that is not installed yet, in BUILD_DEPENDS order. Unlike DKMS, several
// kernels may be given, and all builds whose dependencies are satisfied run concurrently
// (run_builds); installs then go one at a time. A BUILD_EXCLUSIVE skip (77) is not a
// failure (DKMS 3.0.11+), a dependency DKMS does not know is deferred (3.4.1+), and
// post_transaction runs when something was installed (DKMS 3.4 forgets to).
#include "dkms/actions.hpp"

#include "dkms/build.hpp"
#include "dkms/compare.hpp"
#include "dkms/conf.hpp"
#include "dkms/depmod_step.hpp"
#include "dkms/install.hpp"
#include "dkms/transaction.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unistd.h>

namespace modkit::dkms {

namespace {

struct Candidate {
    std::string module, version;
    KernelArch target;
    std::vector<std::string> depends; // BUILD_DEPENDS still to be installed
    bool done = false;
};

// The packages to install for one kernel, and the names already installed there.
std::vector<Candidate> candidates_for(const Context& ctx, const KernelArch& t,
                                      std::set<std::string>& installed, Report& report) {
    Tree tree{ctx};
    std::vector<Candidate> out;
    for (const auto& m : tree.modules()) {
        std::string best;
        DkmsConf best_conf;
        for (const auto& v : tree.versions(m)) {
            if (!tree.is_added(m, v)) continue;
            if (tree.is_installed(m, v, t.kernel, t.arch)) installed.insert(m);
            ConfRequest cr{m, v, tree.source_link(m, v) + "/dkms.conf",
                           make_target(ctx, t.kernel, t.arch), false};
            auto conf = read_conf(ctx, cr, report);
            if (!conf || !conf->autoinstall) continue;
            if (best.empty() || ver_compare(v, best) > 0) {
                best = v;
                best_conf = std::move(*conf);
            }
        }
        // The newest autoinstall version, unless it is the one installed already (an older
        // installed version is upgraded).
        if (best.empty() || tree.is_installed(m, best, t.kernel, t.arch)) continue;
        out.push_back({m, best, t, best_conf.build_depends, false});
    }
    return out;
}

} // namespace

Outcome autoinstall_action(Context& ctx, const std::vector<KernelArch>& targets, Report& report) {
    if (access((ctx.framework_dir + "/no-autoinstall").c_str(), F_OK) == 0) {
        report.out("Automatic installation of modules has been disabled.\n");
        return {};
    }
    auto lock = TreeLock::acquire(ctx, report);
    if (!lock) return die(exit_code::k_generic, {lock.error().describe()});
    if (auto r = recover(ctx, report); !r) return die(exit_code::k_generic, {r.error().describe()});

    Tree tree{ctx};
    std::vector<Candidate> todo;
    std::map<std::string, std::set<std::string>> installed; // kernel/arch -> modules
    std::set<std::string> known = [&] {
        std::set<std::string> s;
        for (const auto& m : tree.modules())
            s.insert(m);
        return s;
    }();
    for (const auto& t : targets) {
        auto& inst = installed[t.kernel + "/" + t.arch];
        for (auto& c : candidates_for(ctx, t, inst, report))
            todo.push_back(std::move(c));
    }
    bool failed = false;
    std::set<std::string> changed_kernels;
    std::map<size_t, std::string> deferred;
    for (;;) {
        // Ready: every dependency installed for the same kernel, or unknown to DKMS.
        std::vector<size_t> ready;
        for (size_t i = 0; i < todo.size(); ++i) {
            Candidate& c = todo[i];
            if (c.done) continue;
            auto& inst = installed[c.target.kernel + "/" + c.target.arch];
            std::erase_if(c.depends, [&](const std::string& d) {
                if (inst.count(d)) return true;
                if (!known.count(d)) {
                    deferred[i] += (deferred[i].empty() ? "" : " ") + d;
                    return true;
                }
                return false;
            });
            if (c.depends.empty()) ready.push_back(i);
        }
        if (ready.empty()) break;
        std::vector<BuildJob> jobs;
        std::vector<size_t> job_index;
        for (size_t i : ready) {
            const Candidate& c = todo[i];
            if (!tree.is_built(c.module, c.version, c.target.kernel, c.target.arch)) {
                jobs.push_back({c.module, c.version, c.target});
                job_index.push_back(i);
            }
        }
        Context build_ctx = ctx;
        build_ctx.force = false;
        std::vector<Outcome> built = run_builds(build_ctx, jobs, report);
        std::map<size_t, Outcome> build_result;
        for (size_t j = 0; j < jobs.size(); ++j)
            build_result.emplace(job_index[j], built[j]);
        for (size_t i : ready) {
            Candidate& c = todo[i];
            c.done = true;
            if (auto it = build_result.find(i); it != build_result.end() && !it->second) {
                const Failure& f = it->second.error();
                if (f.code == exit_code::k_build_exclusive) {
                    report.warning(f.lines);
                    continue; // skipped, not failed
                }
                report.error(f.lines);
                failed = true;
                continue;
            }
            if (deferred.count(i))
                report.out(c.module + "/" + c.version +
                           ": deferring unknown BUILD_DEPENDS: " + deferred[i] + "\n");
            auto r = install_one(ctx, c.module, c.version, c.target, report);
            if (!r) {
                report.error(r.error().lines);
                failed = true;
                continue;
            }
            installed[c.target.kernel + "/" + c.target.arch].insert(c.module);
            changed_kernels.insert(c.target.kernel);
        }
    }
    for (const auto& c : todo) {
        if (c.done) continue;
        std::string deps;
        for (const auto& d : c.depends)
            deps += (deps.empty() ? "" : " ") + d;
        report.out(c.module + "/" + c.version +
                   " autoinstall failed due to missing dependencies: " + deps + "\n");
        failed = true;
    }
    for (const auto& k : changed_kernels)
        run_post_transaction(ctx, k);
    if (failed)
        return die(exit_code::k_autoinstall_failed,
                   {"One or more modules failed to install during autoinstall.",
                    "Refer to previous errors for more information."});
    return {};
}

} // namespace modkit::dkms
