// The parameters of a loaded module as the running kernel reports them: every file of
// /sys/module/<name>/parameters with its value (nullopt when the file cannot be read: a
// parameter with mode 0200, or one whose mode hides it is not listed at all).
#pragma once

#include "exec/system.hpp"

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::exec {

struct LiveParam {
    std::string name;
    std::optional<std::string> value; // without the trailing newline
};

// Sorted by name; -errno when the module has no /sys/module entry (not loaded, not built in).
std::expected<std::vector<LiveParam>, int> module_parameters(System& sys, std::string_view module);

} // namespace modkit::exec
