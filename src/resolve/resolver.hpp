// The world modprobe resolves against: one module directory's indexes plus the modprobe.d
// configuration, with libkmod's module objects. A module object is identified, as in libkmod,
// by its name or by "name\alias" when it was reached through an alias; options, blacklist and
// probe state belong to the object, so two routes to one module can behave differently,
// exactly as they do in kmod. No kernel state is read here.
#pragma once

#include "config/modprobe_config.hpp"
#include "index/module_dir.hpp"
#include "resolve/lookup.hpp"
#include "util/diag.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
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
    // `log` receives what libkmod would log while resolving (a soft dependency that fails to
    // look up, a module bound to two paths), at ERROR, as it happens; empty: util::Diag.
    Resolver(const index::ModuleDirectory& dir, const config::ModprobeConfig& config,
             util::LogFn log = {});

    // Where messages go from now on (modules-load collects them entry by entry); returns the
    // previous sink.
    util::LogFn set_log(util::LogFn log) { return std::exchange(m_log, std::move(log)); }

    const index::ModuleDirectory& dir() const { return m_dir; }
    const config::ModprobeConfig& config() const { return m_config; }

    // kmod_module_new_from_lookup: every module the input names, via the first source that
    // answers. EINVAL (kind Invalid) on unbalanced brackets.
    util::Expected<std::vector<ModId>> lookup(std::string_view input);
    // kmod_module_new_from_name_lookup: modules.dep, then built-in modules and their aliases.
    util::Expected<std::vector<ModId>> lookup_name(std::string_view name);
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
    // The first matching weakdep line, its names resolved the same way (kmod 33+). Weak
    // dependencies are never loaded; they only inform (initramfs tools).
    struct Weakdeps {
        const config::Weakdep* entry = nullptr;
        std::vector<ModId> deps;
    };
    util::Expected<Weakdeps> weakdeps(ModId id);

    // Clears the probe flags of every object (kmod_set_modules_visited/required(false)).
    void reset_probe_state();
    // Forgets every module object, as libkmod's pool empties when a top-level lookup's
    // objects are released: nothing carries over from one modprobe argument to the next.
    void forget_modules();

    // For a caller that manages object lifetimes as libkmod does (src/libkmod): objects live
    // while referenced, and a freed object's key leaves the pool. release() forgets one object
    // (its id may be reused; the caller must hold no copy); take_created() hands out the ids
    // created since the last call, once tracking is on.
    void release(ModId id);
    bool alive(ModId id) const { return id < m_objects.size() && m_live[id]; }
    void track_created(bool on) { m_track_created = on; }
    // libkmod reads a module's dependency line as soon as a lookup finds it in modules.dep, so
    // the dependencies join the pool at once (the tools read it when they need it).
    void eager_deps(bool on) { m_eager_deps = on; }
    std::vector<ModId> take_created() { return std::exchange(m_created, {}); }

private:
    ModId intern(std::string name, std::optional<std::string> alias);
    std::vector<ModId> intern_found(std::vector<Found>& found);
    // Full lookups of each name, appended to `out`; a failed lookup is reported and skipped.
    void lookup_all(const std::vector<std::string>& names, std::vector<ModId>& out);
    util::Expected<void> load_dep(ModId id);

    const index::ModuleDirectory& m_dir;
    const config::ModprobeConfig& m_config;
    std::vector<ModObject> m_objects;
    std::unordered_map<std::string, ModId> m_pool; // "name" or "name\alias"
    std::vector<bool> m_live;                      // per slot: in use
    std::vector<ModId> m_free;                     // released slots, reused first
    bool m_track_created = false;
    bool m_eager_deps = false;
    std::vector<ModId> m_created;
    util::LogFn m_log;
};

} // namespace modkit::resolve
