// kmod's lookup chain: turn what the user typed (a module name, an alias, "symbol:foo") into
// modules, trying each source in order and stopping at the first that answers. Each result
// records which source matched, so "explain" can say why.
#pragma once

#include "index/module_dir.hpp"
#include "util/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace modkit::config {
class ModprobeConfig;
struct Command;
} // namespace modkit::config

namespace modkit::resolve {

enum class Source {
    ConfigAlias,  // an "alias" line in modprobe.d
    ModulesDep,   // the name is in modules.dep.bin
    Symbols,      // "symbol:..." in modules.symbols.bin
    Command,      // an install/remove command with exactly this name
    Alias,        // modules.alias.bin (wildcards)
    Builtin,      // modules.builtin.bin
    BuiltinAlias, // modules.builtin.alias.bin (wildcards)
};

const char* source_name(Source s);

struct Found {
    std::string name;  // module name
    std::string alias; // the alias it was reached through (empty for direct names)
    Source source = Source::ModulesDep;
    bool builtin = false;
    // For config aliases: the file and line of the alias directive.
    std::string origin;
    // For command lookups: the install or remove command that named the module.
    const config::Command* install_command = nullptr;
    const config::Command* remove_command = nullptr;
};

// The full chain of kmod_module_new_from_lookup. `config` may be null (no modprobe.d), as for
// modinfo. Fails with EINVAL if the input has unbalanced brackets.
util::Expected<std::vector<Found>> lookup(const index::ModuleDirectory& dir,
                                          const config::ModprobeConfig* config,
                                          std::string_view input);

// modinfo -m: modules.dep, then builtin, then builtin aliases (kmod_module_new_from_name_lookup).
util::Expected<std::vector<Found>> lookup_name(const index::ModuleDirectory& dir,
                                               std::string_view name);

// One source on its own (used by the chain and by explain).
util::Expected<std::vector<Found>> lookup_source(const index::ModuleDirectory& dir,
                                                 const config::ModprobeConfig* config, Source s,
                                                 std::string_view normalized);

} // namespace modkit::resolve
