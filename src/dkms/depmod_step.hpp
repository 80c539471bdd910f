// What DKMS does after changing a kernel's module directory: run depmod (in-process here,
// incrementally, on the --installtree DKMS itself ignores), announced as DKMS announces its
// do_depmod; and the framework's post_transaction command once an action succeeded.
#pragma once
#include "dkms/context.hpp"
#include "dkms/report.hpp"
#include "dkms/transaction.hpp"

#include <string>

namespace modkit::dkms {

// "Running depmod... done." and depmod for <install_tree>/<kernelver>, with the current
// indexes kept in `tx` for rollback. Skipped (true, still announced, as DKMS's do_depmod) with
// --no-depmod or when modules.dep is missing (the kernel image is not installed, DKMS 3.0.13+).
// False when depmod failed. Its messages are shown with --verbose only, as DKMS's are.
bool run_depmod_step(const Context& ctx, const std::string& kernelver, Transaction& tx,
                     Report& report);

// post_transaction (when set): "Executing post-transaction command... done.", the command
// eval'd with $kernelver set, its output in <dkms_tree>/post_transaction.log (emptied first)
// inside a "# command:" block, as DKMS 3.2+ does.
void run_post_transaction(const Context& ctx, const std::string& kernelver, Report& report);

} // namespace modkit::dkms
