// BUILD_DEPENDS_REBUILD (DKMS 3.2.0): a build records the version of each BUILD_DEPENDS module
// it was built against (<m>/<v>/<K>/<A>/.dep_<dependency>), and every install for a kernel
// rebuilds and reinstalls the packages whose recorded versions are no longer the newest built
// ("Rebuilding module m/v due to updated dependencies"), as dkms.in's
// check_and_rebuild_dependent_modules does, quirks included (its dependency order check is
// inverted, so every such package is rebuilt in the first pass).
#pragma once
#include "dkms/conf.hpp"
#include "dkms/context.hpp"
#include "dkms/report.hpp"
#include "dkms/tree.hpp"

namespace modkit::dkms {

// The newest version (sort -V) of `dependency` built or installed for the kernel/arch, or "".
std::string newest_built_version(const Tree& tree, const std::string& dependency,
                                 const KernelArch& target);

// After a successful build: writes .dep_<d> for each BUILD_DEPENDS d that is built, when the
// package asks for BUILD_DEPENDS_REBUILD (and --force was not given).
void record_dependency_versions(const Context& ctx, const DkmsConf& conf,
                                const std::string& built_dir, const KernelArch& target);

// After an install for `target`: the rebuilds and reinstalls described above.
void rebuild_dependents(const Context& ctx, const KernelArch& target, Report& report);

} // namespace modkit::dkms
