// Installing a built package into a kernel's module directory and taking it out again, each
// as one Transaction (see transaction.hpp): on any failure, or after a kill, the module
// directory, its indexes and the DKMS tree are exactly as before.
#pragma once
#include "dkms/context.hpp"
#include "dkms/outcome.hpp"
#include "dkms/report.hpp"
#include "dkms/tree.hpp"

#include <string>

namespace modkit::dkms {

// maybe_install_module: skips an installed package (reinstalls it with --force), builds it
// first when needed, then do_install. The caller holds the TreeLock.
Outcome install_one(const Context& ctx, const std::string& module, const std::string& version,
                    const KernelArch& target, Report& report);

// do_install for a package already built for the target.
Outcome install_built(const Context& ctx, const std::string& module, const std::string& version,
                      const KernelArch& target, Report& report);

// When do_uninstall runs depmod: at once, or once by the caller after several (DKMS's
// delayed_depmod in kernel_prerm and kernel_preinst).
enum class Depmod { Now, Deferred };

// do_uninstall: removes the installed modules (if this version is the active one), restores
// archived originals, runs POST_REMOVE and depmod.
Outcome uninstall_one(const Context& ctx, const std::string& module, const std::string& version,
                      const KernelArch& target, Report& report, Depmod depmod);

// do_unbuild: removes <m>/<v>/<K>/<A> (and <K> when it empties).
void unbuild_one(const Context& ctx, const std::string& module, const std::string& version,
                 const KernelArch& target);

} // namespace modkit::dkms
