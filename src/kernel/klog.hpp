// Where the kernel layer's messages go. libkmod logs some failures itself (a holders directory
// that cannot be opened, a corrupt compressed module, a failed delete_module); these functions
// do the same, through a caller-supplied sink or, by default, util::Diag.
#pragma once

#include "util/diag.hpp"

#include <functional>
#include <string>

namespace modkit::kernel {

using LogFn = std::function<void(util::LogLevel, const std::string&)>;

// Sends `msg` to `log`, or to util::Diag when `log` is empty.
inline void emit(const LogFn& log, util::LogLevel level, const std::string& msg) {
    if (log)
        log(level, msg);
    else
        util::Diag::log(level, msg);
}

} // namespace modkit::kernel
