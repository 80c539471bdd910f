// Where the configuration sets each parameter of a module: the `options` lines of modprobe.d
// and `module.param=value` on the kernel command line, in the order modprobe passes them to
// the kernel, so the last setting of a parameter is the one the kernel keeps. With the values
// the running kernel reports (exec/module_params.hpp) this answers "which options is this
// loaded module running with, and where does each come from?".
#pragma once

#include "config/modprobe_config.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modkit::resolve {

struct ConfiguredParam {
    std::string name;                 // as written, '-' turned into '_' as the kernel does
    std::optional<std::string> value; // nullopt for a bare "param" (a bool set to true)
    config::Origin origin;            // the modprobe.d line, or the kernel command line
};

// The kernel's split of an options string (next_arg): words at spaces, double quotes group
// (and are dropped), "name=value" or a bare "name".
std::vector<std::pair<std::string, std::optional<std::string>>> split_options(std::string_view s);

// The last setting of each parameter of `module` (a module name), in the order of first
// mention.
std::vector<ConfiguredParam> configured_params(const config::ModprobeConfig& cfg,
                                               std::string_view module);

// Whether the value sysfs shows is what `configured` asked for: equal, or the same boolean
// (sysfs shows Y/N for 1/0/y/n/true/false, and a bare name is Y).
bool same_param_value(std::string_view sysfs, const std::optional<std::string>& configured);

} // namespace modkit::resolve
