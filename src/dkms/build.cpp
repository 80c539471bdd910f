// The build of one package for one kernel, and the runner that does several at once.
#include "dkms/build.hpp"

#include "dkms/action_support.hpp"
#include "dkms/add.hpp"
#include "dkms/build_steps.hpp"
#include "dkms/shell.hpp"
#include "dkms/signing.hpp"
#include "module/names.hpp"
#include "util/atomic_file.hpp"
#include "util/copy_tree.hpp"
#include "util/fs.hpp"
#include "util/parallel.hpp"
#include "util/strings.hpp"

#include <condition_variable>
#include <cstdio>
#include <fcntl.h>
#include <ftw.h>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace modkit::dkms {

namespace {

// What a finished (or failed) build leaves for the runner to tidy up once no other build of
// the same package is running: a failed build's directory, shown as <m>/<v>/build.
struct Leftover {
    bool built = false;       // a build ran to completion
    std::string failed_build; // shown as <m>/<v>/build afterwards
};

// do_unbuild: rm -rf <m>/<v>/<K>/<A>, and <K> when it is left empty.
void unbuild_dir(const Tree& tree, const BuildJob& job) {
    (void)util::remove_tree(
        tree.built_dir(job.module, job.version, job.target.kernel, job.target.arch));
    rmdir((tree.version_dir(job.module, job.version) + "/" + job.target.kernel).c_str());
}

Outcome build_impl(const Context& ctx, const BuildJob& job, Report& report, Leftover& leftover) {
    Tree tree{ctx};
    const std::string& m = job.module;
    const std::string& v = job.version;
    const std::string& k = job.target.kernel;
    const std::string& a = job.target.arch;
    if (tree.is_built(m, v, k, a)) {
        if (!ctx.force) {
            report.out("Module " + m + "/" + v + " already built for kernel " + k + " (" + a +
                       "), skip. You may override by specifying --force.\n");
            return {};
        }
        unbuild_dir(tree, job);
    }
    BuildSteps steps(ctx, job, report);
    auto outcome = steps.run();
    if (outcome)
        leftover.built = true;
    else
        leftover.failed_build = steps.failed_build_dir();
    return outcome;
}

// Adds the packages that are not added yet (DKMS's do_build adds first, then prints a blank
// line), in the caller's thread so two builds of one package never race to add it. `report_of`
// gives the report of each job's slot.
std::vector<std::optional<Outcome>> add_missing(const Context& ctx,
                                                const std::vector<BuildJob>& jobs,
                                                const std::function<Report&(size_t)>& report_of) {
    std::vector<std::optional<Outcome>> early(jobs.size());
    Tree tree{ctx};
    std::map<std::string, Outcome> added;
    for (size_t i = 0; i < jobs.size(); ++i) {
        const auto& j = jobs[i];
        std::string key = j.module + "/" + j.version;
        if (tree.is_added(j.module, j.version) && !added.count(key)) continue;
        if (!added.count(key)) {
            Report& r = report_of(i);
            AddRequest req{j.module, j.version, j.target.kernel, j.target.arch, ""};
            Outcome o = add_module(ctx, req, r);
            if (o) r.out("\n");
            added.emplace(key, o);
        }
        if (!added.at(key)) early[i] = added.at(key);
    }
    return early;
}

// Each package's build/ once all of its builds are over: the last failure in job order is left
// there for inspection, as DKMS leaves its failed build.
void tidy_build_dirs(const Tree& tree, const std::vector<BuildJob>& jobs,
                     const std::vector<Leftover>& leftovers, const std::set<std::string>& created) {
    std::map<std::string, Leftover> by_package;
    std::map<std::string, std::pair<std::string, std::string>> packages;
    for (size_t i = 0; i < jobs.size(); ++i) {
        std::string key = jobs[i].module + "/" + jobs[i].version;
        packages[key] = {jobs[i].module, jobs[i].version};
        Leftover& sum = by_package[key];
        sum.built = sum.built || leftovers[i].built;
        const std::string& failed = leftovers[i].failed_build;
        if (!failed.empty()) {
            if (!sum.failed_build.empty() && sum.failed_build != failed)
                (void)util::remove_tree(sum.failed_build);
            sum.failed_build = failed;
        }
    }
    for (const auto& [key, mv] : packages)
        finish_build_dir(tree, mv.first, mv.second, by_package[key].built,
                         by_package[key].failed_build, created.count(key) != 0);
}

} // namespace

std::string module_compression_suffix(const Context& ctx, const std::string& kernelver) {
    static thread_local int found; // bit 1 gz, 2 xz, 4 zst
    found = 0;
    std::string dir = ctx.install_tree + "/" + kernelver;
    nftw(
        dir.c_str(),
        [](const char* path, const struct stat*, int type, struct FTW*) -> int {
            if (type != FTW_F) return 0;
            std::string_view ext = module::module_extension(path);
            if (ext == ".ko.gz")
                found |= 1;
            else if (ext == ".ko.xz")
                found |= 2;
            else if (ext == ".ko.zst")
                found |= 4;
            return 0;
        },
        32, FTW_PHYS);
    if (found & 4) return ".zst";
    if (found & 2) return ".xz";
    if (found & 1) return ".gz";
    return "";
}

Outcome build_one(const Context& ctx, const BuildJob& job, Report& report) {
    auto early = add_missing(ctx, {job}, [&](size_t) -> Report& { return report; });
    if (early[0]) return *early[0];
    Leftover leftover;
    Tree tree{ctx};
    const std::string build_dir = tree.build_dir(job.module, job.version);
    bool created = private_mounts_available() && !util::path_exists(build_dir);
    if (created) (void)util::make_directories(build_dir);
    Outcome o = build_impl(ctx, job, report, leftover);
    finish_build_dir(tree, job.module, job.version, leftover.built, leftover.failed_build, created);
    return o;
}

std::vector<Outcome> run_builds(const Context& ctx, const std::vector<BuildJob>& jobs,
                                Report& report) {
    std::vector<size_t> job_of_slot(jobs.size());
    for (size_t i = 0; i < jobs.size(); ++i)
        job_of_slot[i] = i;
    std::vector<Outcome> out(jobs.size());
    run_builds_then(ctx, jobs, job_of_slot, report,
                    [&](size_t i, Report&, const Outcome* built) { out[i] = *built; });
    return out;
}

void run_builds_then(const Context& ctx, const std::vector<BuildJob>& jobs,
                     const std::vector<size_t>& job_of_slot, Report& report, const AfterBuild& then,
                     const BeforeBuild& before) {
    std::vector<size_t> slot_of_job(jobs.size(), 0);
    for (size_t s = 0; s < job_of_slot.size(); ++s)
        if (job_of_slot[s] < jobs.size()) slot_of_job[job_of_slot[s]] = s;
    JobSequencer sequencer(report, job_of_slot.size());
    if (before)
        for (size_t s = 0; s < job_of_slot.size(); ++s)
            before(s, sequencer.report_for(s));
    std::vector<std::optional<Outcome>> early = add_missing(
        ctx, jobs, [&](size_t j) -> Report& { return sequencer.report_for(slot_of_job[j]); });
    Tree tree{ctx};
    std::set<std::string> created; // the packages whose build/ mount point this call made
    if (private_mounts_available())
        for (const auto& j : jobs) {
            std::string dir = tree.build_dir(j.module, j.version);
            if (!tree.is_added(j.module, j.version) || util::path_exists(dir)) continue;
            (void)util::make_directories(dir);
            created.insert(j.module + "/" + j.version);
        }

    // A job for the same package and kernel as an earlier one waits for it (DKMS then says the
    // module is built already).
    std::vector<size_t> waits_for(jobs.size(), SIZE_MAX);
    for (size_t j = 0; j < jobs.size(); ++j)
        for (size_t e = 0; e < j; ++e)
            if (jobs[e].module == jobs[j].module && jobs[e].version == jobs[j].version &&
                jobs[e].target == jobs[j].target)
                waits_for[j] = e;
    struct Slot {
        std::optional<Outcome> outcome;
        Leftover leftover;
        bool done = false;
    };
    std::vector<Slot> slots(jobs.size());
    std::mutex mu;
    std::condition_variable cv;
    size_t next = 0;
    auto worker = [&] {
        for (;;) {
            size_t j;
            {
                std::unique_lock<std::mutex> g(mu);
                if (next >= jobs.size()) return;
                j = next++;
                if (waits_for[j] != SIZE_MAX) cv.wait(g, [&] { return slots[waits_for[j]].done; });
            }
            Slot& s = slots[j];
            Report& r = sequencer.report_for(slot_of_job[j]);
            Outcome o = early[j] ? *early[j] : build_impl(ctx, jobs[j], r, s.leftover);
            std::lock_guard<std::mutex> g(mu);
            s.outcome = std::move(o);
            s.done = true;
            cv.notify_all();
        }
    };
    unsigned width = ctx.build_jobs != 0 ? ctx.build_jobs : util::default_jobs();
    width = static_cast<unsigned>(std::max<size_t>(1, std::min<size_t>(width, jobs.size())));
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < width && !jobs.empty(); ++t)
        threads.emplace_back(worker);
    for (size_t s = 0; s < job_of_slot.size(); ++s) {
        size_t j = job_of_slot[s];
        const Outcome* built = nullptr;
        if (j < jobs.size()) {
            std::unique_lock<std::mutex> g(mu);
            cv.wait(g, [&] { return slots[j].done; });
            built = &*slots[j].outcome;
        }
        Report& r = sequencer.report_for(s);
        if (built != nullptr && !*built) {
            // Printed where DKMS prints it; the outcome keeps the exit status.
            slots[j].outcome = reported(*slots[j].outcome, r);
            built = &*slots[j].outcome;
        }
        then(s, r, built);
        sequencer.finished(s);
    }
    for (auto& t : threads)
        t.join();
    std::vector<Leftover> leftovers;
    for (auto& slot : slots)
        leftovers.push_back(slot.leftover);
    tidy_build_dirs(tree, jobs, leftovers, created);
}

} // namespace modkit::dkms
