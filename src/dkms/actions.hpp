// The DKMS actions, one entry point each. They report progress through Report and end with
// an Outcome carrying DKMS's exit code; cli/dkms.cpp parses the command line and calls them.
#pragma once
#include "dkms/context.hpp"
#include "dkms/outcome.hpp"
#include "dkms/report.hpp"
#include "dkms/status.hpp"
#include "dkms/tree.hpp"

#include <string>
#include <vector>

namespace modkit::dkms {

// What the command line named.
struct Selection {
    std::string module, version;
    std::vector<KernelArch> targets; // kernel/arch pairs (after --all and defaults)
    std::string source_path;         // a source directory or dkms.conf argument
};

Outcome build_action(Context& ctx, Selection& sel, Report& report);
Outcome install_action(Context& ctx, Selection& sel, Report& report);
Outcome uninstall_action(Context& ctx, const Selection& sel, Report& report);
Outcome unbuild_action(Context& ctx, const Selection& sel, Report& report);
Outcome remove_action(Context& ctx, const Selection& sel, Report& report);
Outcome autoinstall_action(Context& ctx, const std::vector<KernelArch>& targets, Report& report);
Outcome match_action(Context& ctx, const Selection& sel, Report& report);
Outcome mktarball_action(Context& ctx, const Selection& sel, Report& report);
Outcome ldtarball_action(Context& ctx, Selection& sel, Report& report);
Outcome generate_mok_action(Context& ctx, Report& report);
Outcome kernel_preinst_action(Context& ctx, const KernelArch& target, Report& report);
Outcome kernel_postinst_action(Context& ctx, const KernelArch& target, Report& report);
Outcome kernel_prerm_action(Context& ctx, const KernelArch& target, Report& report);
void status_action(const Context& ctx, const StatusFilter& filter,
                   const std::vector<KernelArch>& kernels, Report& report);

} // namespace modkit::dkms
