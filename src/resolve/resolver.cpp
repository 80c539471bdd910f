// Resolver: libkmod's module pool over a module directory and a modprobe.d configuration.
#include "resolve/resolver.hpp"

#include "module/names.hpp"
#include "util/strings.hpp"

#include <cstring>
#include <sys/stat.h>

namespace modkit::resolve {

Resolver::Resolver(const index::ModuleDirectory& dir, const config::ModprobeConfig& config,
                   util::LogFn log)
    : m_dir(dir)
    , m_config(config)
    , m_log(std::move(log)) {}

ModId Resolver::intern(std::string name, std::optional<std::string> alias) {
    std::string key = alias ? name + "\\" + *alias : name;
    auto it = m_pool.find(key);
    if (it != m_pool.end()) return it->second;
    ModObject obj;
    obj.name = std::move(name);
    obj.alias = std::move(alias);
    ModId id;
    if (!m_free.empty()) {
        id = m_free.back();
        m_free.pop_back();
        m_objects[id] = std::move(obj);
        m_live[id] = true;
    } else {
        id = static_cast<ModId>(m_objects.size());
        m_objects.push_back(std::move(obj));
        m_live.push_back(true);
    }
    m_pool.emplace(std::move(key), id);
    if (m_track_created) m_created.push_back(id);
    return id;
}

void Resolver::release(ModId id) {
    if (!alive(id)) return;
    ModObject& m = m_objects[id];
    m_pool.erase(m.alias ? m.name + "\\" + *m.alias : m.name);
    m = ModObject{};
    m_live[id] = false;
    m_free.push_back(id);
}

ModId Resolver::by_name(std::string_view name) {
    return intern(module::modname_normalize(name), std::nullopt);
}

util::Expected<ModId> Resolver::by_path(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) return util::fail_errno(errno, path, "could not stat");
    // Only a path without a last component has no name; "." and ".." name the module "", as
    // they do in libkmod (the name is cut at the first '.').
    if (util::basename(path).empty())
        return util::fail(util::ErrorKind::NotFound, ENOENT, path, "no module name");
    std::string name = module::path_to_modname(path);
    ModId id = intern(name, std::nullopt);
    ModObject& m = m_objects[id];
    if (!m.path) {
        m.path = path;
    } else if (*m.path != path) {
        util::emit(m_log, util::LogLevel::Error,
                   "kmod_module '" + name + "' already exists with different path: new-path='" +
                       path + "' old-path='" + *m.path + "'");
        return util::fail(util::ErrorKind::Invalid, EEXIST, path,
                          "module exists with another path");
    }
    m.builtin = false;
    return id;
}

util::Expected<std::vector<ModId>> Resolver::lookup(std::string_view input) {
    auto found = resolve::lookup(m_dir, &m_config, input);
    if (!found) return std::unexpected(found.error());
    return intern_found(*found);
}

util::Expected<std::vector<ModId>> Resolver::lookup_name(std::string_view name) {
    auto found = resolve::lookup_name(m_dir, name);
    if (!found) return std::unexpected(found.error());
    return intern_found(*found);
}

std::vector<ModId> Resolver::intern_found(std::vector<Found>& found) {
    std::vector<ModId> out;
    out.reserve(found.size());
    for (Found& f : found) {
        ModId id;
        switch (f.source) {
        case Source::ModulesDep:
            id = by_name(f.name);
            if (m_eager_deps) (void)load_dep(id);
            break;
        case Source::Builtin:
            id = by_name(f.name);
            m_objects[id].builtin = true;
            break;
        case Source::Command:
            id = by_name(f.name);
            if (f.install_command != nullptr) m_objects[id].forced_install = f.install_command;
            if (f.remove_command != nullptr) m_objects[id].forced_remove = f.remove_command;
            break;
        default:
            id = intern(f.name, f.alias);
            if (f.source == Source::BuiltinAlias) m_objects[id].builtin = true;
            break;
        }
        ModObject& m = m_objects[id];
        m.source = f.source;
        if (!f.origin.empty()) m.origin = f.origin;
        out.push_back(id);
    }
    return out;
}

util::Expected<void> Resolver::load_dep(ModId id) {
    if (m_objects[id].dep_loaded) return {};
    m_objects[id].dep_loaded = true;
    auto line = m_dir.dep(m_objects[id].name);
    if (!line) return std::unexpected(line.error());
    if (!*line) return {};
    if (!m_objects[id].path) m_objects[id].path = (*line)->path;
    // kmod_module_parse_depline prepends each dependency: the list ends up reversed.
    std::vector<ModId> deps;
    for (auto it = (*line)->deps.rbegin(); it != (*line)->deps.rend(); ++it) {
        auto dep = by_path(*it);
        if (!dep) {
            util::emit(m_log, util::LogLevel::Error,
                       "ctx path=" + *it + " error=" + std::strerror(dep.error().sys_errno));
            // libkmod drops the partial list and reads the line again next time.
            m_objects[id].deps.clear();
            m_objects[id].dep_loaded = false;
            return {};
        }
        deps.push_back(*dep);
    }
    m_objects[id].deps = std::move(deps);
    return {};
}

util::Expected<std::optional<std::string>> Resolver::path(ModId id) {
    if (m_objects[id].path) return m_objects[id].path;
    if (auto r = load_dep(id); !r) return std::unexpected(r.error());
    return m_objects[id].path;
}

util::Expected<std::vector<ModId>> Resolver::dependencies(ModId id) {
    if (auto r = load_dep(id); !r) return std::unexpected(r.error());
    return m_objects[id].deps;
}

util::Expected<bool> Resolver::is_builtin(ModId id) {
    ModObject& m = m_objects[id];
    if (!m.builtin) {
        auto b = m_dir.is_builtin(m.name);
        if (!b) return std::unexpected(b.error());
        m.builtin = *b;
    }
    return *m.builtin;
}

std::string Resolver::options(ModId id) const {
    const ModObject& m = m_objects[id];
    return m_config.options_for(m.name,
                                m.alias ? std::optional<std::string_view>(*m.alias) : std::nullopt);
}

std::vector<const config::Options*> Resolver::option_entries(ModId id) const {
    const ModObject& m = m_objects[id];
    return m_config.options_entries(m.name, m.alias ? std::optional<std::string_view>(*m.alias)
                                                    : std::nullopt);
}

const config::Command* Resolver::install_command(ModId id) const {
    const ModObject& m = m_objects[id];
    if (m.forced_install != nullptr) return m.forced_install;
    return m_config.command_for(config::CommandKind::Install, m.name);
}

const config::Command* Resolver::remove_command(ModId id) const {
    const ModObject& m = m_objects[id];
    if (m.forced_remove != nullptr) return m.forced_remove;
    return m_config.command_for(config::CommandKind::Remove, m.name);
}

bool Resolver::is_blacklisted(ModId id) const {
    return m_config.is_blacklisted(m_objects[id].name);
}

void Resolver::lookup_all(const std::vector<std::string>& names, std::vector<ModId>& out) {
    for (const std::string& name : names) {
        auto found = lookup(name);
        if (!found) {
            util::emit(m_log, util::LogLevel::Error,
                       "failed to lookup soft dependency '" + name + "', continuing anyway.");
            continue;
        }
        out.insert(out.end(), found->begin(), found->end());
    }
}

util::Expected<Resolver::Softdeps> Resolver::softdeps(ModId id) {
    Softdeps out;
    out.entry = m_config.softdep_for(m_objects[id].name);
    if (out.entry == nullptr) return out;
    lookup_all(out.entry->pre, out.pre);
    lookup_all(out.entry->post, out.post);
    return out;
}

util::Expected<Resolver::Weakdeps> Resolver::weakdeps(ModId id) {
    Weakdeps out;
    out.entry = m_config.weakdep_for(m_objects[id].name);
    if (out.entry != nullptr) lookup_all(out.entry->deps, out.deps);
    return out;
}

void Resolver::forget_modules() {
    m_objects.clear();
    m_pool.clear();
    m_live.clear();
    m_free.clear();
    m_created.clear();
}

void Resolver::reset_probe_state() {
    for (auto& m : m_objects) { // released slots are reset anyway
        m.visited = false;
        m.required = false;
    }
}

} // namespace modkit::resolve
