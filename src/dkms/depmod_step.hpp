// What DKMS does after changing a kernel's module directory: run depmod (in-process here,
// incrementally, on the --installtree DKMS itself ignores), and the framework's
// post_transaction command.
#pragma once
#include "dkms/context.hpp"
#include "dkms/report.hpp"
#include "dkms/transaction.hpp"

#include <string>

namespace modkit::dkms {

// depmod for <install_tree>/<kernelver>, with the current indexes kept in `tx` for rollback.
// Skipped (true) with --no-depmod or when modules.dep is missing (the kernel image is not
// installed, DKMS 3.0.13+). False when depmod failed.
bool run_depmod_step(const Context& ctx, const std::string& kernelver, Transaction& tx,
                     Report& report);

// post_transaction, eval'd with its output appended to <dkms_tree>/post_transaction.log.
void run_post_transaction(const Context& ctx, const std::string& kernelver);

} // namespace modkit::dkms
