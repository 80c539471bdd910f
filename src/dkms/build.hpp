// Building a package for one kernel/arch (dkms.in's prepare_build + actual_build), and
// several of them at once. Each build works in its own staging directory
// <m>/<v>/<K>/.tmp_<A>_XXXXXX that becomes <m>/<v>/<K>/<A> only when everything succeeded.
// The package's commands still see <dkms_tree>/<m>/<v>/build, as DKMS's do: with private
// mounts available (root), each build bind-mounts its own copy there in a private mount
// namespace, so builds of one package for several kernels run concurrently; without them,
// builds of one package take turns in the real build/ directory.
#pragma once
#include "dkms/conf.hpp"
#include "dkms/context.hpp"
#include "dkms/outcome.hpp"
#include "dkms/report.hpp"
#include "dkms/tree.hpp"

#include <string>
#include <vector>

namespace modkit::dkms {

struct BuildJob {
    std::string module, version;
    KernelArch target;
};

// Runs the jobs (at most ctx.build_jobs at once), printing each job's messages whole and in
// job order. Returns one Outcome per job. An already built job is skipped with DKMS's
// message (or rebuilt with --force).
std::vector<Outcome> run_builds(const Context& ctx, const std::vector<BuildJob>& jobs,
                                Report& report);

// One build, now, with its messages going to `report`.
Outcome build_one(const Context& ctx, const BuildJob& job, Report& report);

// The suffix modules get in the target tree: "", ".gz", ".xz" or ".zst" (DKMS 3.4 looks at
// the modules already installed for the kernel; zst beats xz beats gz).
std::string module_compression_suffix(const Context& ctx, const std::string& kernelver);

} // namespace modkit::dkms
