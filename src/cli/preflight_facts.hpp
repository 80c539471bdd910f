// What `preflight` needs to know about a system, gathered for abi/preflight.hpp to judge.
#pragma once

#include "abi/kernel_target.hpp"
#include "abi/preflight.hpp"
#include "resolve/hardware.hpp"

#include <string>

namespace modkit::cli {

struct PreflightContext {
    std::string root = "/";          // --basedir
    std::string kernel;              // KVER
    const abi::KernelTarget* target; // KVER, loaded
    resolve::SysView sys;            // /proc and /sys of the running system (or ROOT's)
};

abi::PreflightInput gather_preflight(const PreflightContext& c);

} // namespace modkit::cli
