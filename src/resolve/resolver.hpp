// The world modprobe resolves against: one module directory's indexes plus the modprobe.d
// configuration, with libkmod's module objects. A module object is identified, as in libkmod,
// by its name or by "name\alias" when it was reached through an alias; options, blacklist and
// probe state belong to the object, so two routes to one module can behave differently,
// exactly as they do in kmod. No kernel state is read here.
#pragma once

#include "config/modprobe_config.hpp"
#include "index/module_dir.hpp"
#include "resolve/lookup.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace modkit::resolve {

using ModId = uint32_t;

struct ModObject {
    std::string name;
    std::optional<std::string> alias; // config alias pattern, or the normalised input
    Source source = Source::ModulesDep;
    std::string origin; // file:line of a config alias
    // Lazily filled from modules.dep.bin (kmod_module_get_path / get_dependencies).
    bool dep_loaded = false;
    std::optional<std::string> path; // absolute path of the .ko
    std::vector<ModId> deps;         // in kmod's order (the dep line, reversed)
    std::optional<bool> builtin;     // known from the lookup source or modules.builtin.bin
    // Set by install/remove-command lookups (kmod_module_set_*_commands).
    const config::Command* forced_install = nullptr;
    const config::Command* forced_remove = nullptr;
    // Probe-list state (kmod_module_get_probe_list).
    bool visited = false;
    bool required = false;
    bool ignorecmd = false;
};

class Resolver {
public:
    Resolver(const index::ModuleDirectory& dir, const config::ModprobeConfig& config);

    const index::ModuleDirectory& dir() const { return m_dir; }
    const config::ModprobeConfig& config() const { return m_config; }

    // kmod_module_new_from_lookup: every module the input names, via the first source that
    // answers. EINVAL (kind Invalid) on unbalanced brackets.
    util::Expected<std::vector<ModId>> lookup(std::string_view input);
    // kmod_module_new_from_name: the object named `name` (normalised, cut at the first '.').
    ModId by_name(std::string_view name);
    // kmod_module_new_from_path: the object for a file; EEXIST if the name is already bound
    // to another path.
    util::Expected<ModId> by_path(const std::string& path);

    ModObject& get(ModId id) { return m_objects[id]; }
    const ModObject& get(ModId id) const { return m_objects[id]; }

    // The module file (nullopt when modules.dep does not list the name: builtin or absent).
    util::Expected<std::optional<std::string>> path(ModId id);
    // Direct dependencies in load order (providers of providers first), as libkmod lists them.
    util::Expected<std::vector<ModId>> dependencies(ModId id);
    // modules.builtin.bin knows the name (or the object came from a builtin lookup).
    util::Expected<bool> is_builtin(ModId id);
    // Options from modprobe.d and the kernel command line for this object (name or alias).
    std::string options(ModId id) const;
    std::vector<const config::Options*> option_entries(ModId id) const;
    const config::Command* install_command(ModId id) const;
    const config::Command* remove_command(ModId id) const;
    bool is_blacklisted(ModId id) const;
    // The first matching softdep line, its pre: and post: names resolved by full lookups
    // (a failed lookup is reported and skipped, as kmod does).
    struct Softdeps {
        const config::Softdep* entry = nullptr;
        std::vector<ModId> pre, post;
    };
    util::Expected<Softdeps> softdeps(ModId id);

    // Clears the probe flags of every object (kmod_set_modules_visited/required(false)).
    void reset_probe_state();
    // Forgets every module object, as libkmod's pool empties when a top-level lookup's
    // objects are released: nothing carries over from one modprobe argument to the next.
    void forget_modules();

    // Messages libkmod would log while resolving (e.g. a soft dependency that fails to look
    // up), in order; the CLI prints them.
    std::vector<std::string>& messages() { return m_messages; }

private:
    ModId intern(std::string name, std::optional<std::string> alias);
    util::Expected<void> load_dep(ModId id);

    const index::ModuleDirectory& m_dir;
    const config::ModprobeConfig& m_config;
    std::vector<ModObject> m_objects;
    std::unordered_map<std::string, ModId> m_pool; // "name" or "name\alias"
    std::vector<std::string> m_messages;
};

} // namespace modkit::resolve
