// DKMS's weak-modules step: after installing or uninstalling modules for one kernel, on the
// distributions whose DKMS calls weak-modules (rhel*, suse*: os-release), unless the package
// says NO_WEAK_MODULES=yes, the other installed kernels' weak-updates/ are brought up to date
// by modkit's own weak-modules (abi/weak_modules.hpp decides with the load prediction). Kept
// small on purpose: src/dkms belongs to the DKMS work; this file only wires the two together.
#pragma once
#include "dkms/context.hpp"
#include "dkms/report.hpp"

#include <string>
#include <vector>

namespace modkit::dkms {

enum class WeakAction { Add, Remove };

// True where DKMS runs weak-modules.
bool distribution_uses_weak_modules(const Context& ctx);

// `modules` are the installed (Add) or removed (Remove) module paths. Failures are reported as
// warnings: the install itself has succeeded.
void run_weak_modules(const Context& ctx, bool no_weak_modules,
                      const std::vector<std::string>& modules, WeakAction action, Report& report);

} // namespace modkit::dkms
