// The gate between building and installing: every built module must be for the target
// kernel (vermagic and, where Module.symvers is available, symbol CRCs). DKMS never checks;
// a Makefile that builds against `uname -r` instead of KERNELRELEASE would otherwise
// install a module that cannot load.
#pragma once
#include "dkms/conf.hpp"
#include "dkms/context.hpp"
#include "dkms/outcome.hpp"
#include "dkms/report.hpp"

#include <string>
#include <vector>

namespace modkit::dkms {

// Fails (exit 10 after a build, `code` in general) naming each module and what is wrong.
Outcome check_abi(const Context& ctx, const ConfTarget& target,
                  const std::vector<std::string>& modules, Report& report, int code = 10);

} // namespace modkit::dkms
