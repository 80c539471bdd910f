// The lookup chain, source by source.
#include "resolve/lookup.hpp"

#include "config/modprobe_config.hpp"
#include "module/names.hpp"

namespace modkit::resolve {

using index::IndexKind;

const char* source_name(Source s) {
    switch (s) {
    case Source::ConfigAlias:
        return "config alias";
    case Source::ModulesDep:
        return "modules.dep";
    case Source::Symbols:
        return "modules.symbols";
    case Source::Command:
        return "install/remove command";
    case Source::Alias:
        return "modules.alias";
    case Source::Builtin:
        return "modules.builtin";
    case Source::BuiltinAlias:
        return "modules.builtin.alias";
    }
    return "";
}

namespace {

util::Expected<std::vector<Found>> from_wild_index(const index::ModuleDirectory& dir,
                                                   IndexKind kind, Source source,
                                                   std::string_view key) {
    std::vector<Found> out;
    auto idx = dir.index(kind);
    if (!idx) return std::unexpected(idx.error());
    if (*idx == nullptr) return out;
    auto values = (*idx)->search_wild(key);
    if (!values) return std::unexpected(values.error());
    for (const auto& v : *values) {
        Found f;
        f.name = std::string(v.value);
        f.alias = std::string(key);
        f.source = source;
        f.builtin = source == Source::BuiltinAlias;
        out.push_back(std::move(f));
    }
    return out;
}

} // namespace

util::Expected<std::vector<Found>> lookup_source(const index::ModuleDirectory& dir,
                                                 const config::ModprobeConfig* config, Source s,
                                                 std::string_view name) {
    std::vector<Found> out;
    switch (s) {
    case Source::ConfigAlias:
        // Every alias line whose pattern matches, in file order; the module name is taken as
        // written (kmod_lookup_alias_from_config).
        if (config == nullptr) return out;
        for (const config::Alias* a : config->aliases_matching(name)) {
            Found f;
            f.name = a->module;
            f.alias = a->pattern;
            f.source = Source::ConfigAlias;
            f.origin = a->origin.describe();
            out.push_back(std::move(f));
        }
        return out;
    case Source::Command: {
        // The first install command named exactly so, else the first remove command.
        if (config == nullptr) return out;
        Found f;
        f.name = module::modname_normalize(name);
        f.source = Source::Command;
        if (const config::Command* c = config->command_exact(config::CommandKind::Install, name)) {
            f.install_command = c;
            f.origin = c->origin.describe();
            out.push_back(std::move(f));
        } else if (const config::Command* r =
                       config->command_exact(config::CommandKind::Remove, name)) {
            f.remove_command = r;
            f.origin = r->origin.describe();
            out.push_back(std::move(f));
        }
        return out;
    }
    case Source::ModulesDep: {
        if (name.find(':') != std::string_view::npos) return out; // names never contain ':'
        auto dep = dir.dep(name);
        if (!dep) return std::unexpected(dep.error());
        if (*dep) out.push_back({std::string(name), {}, Source::ModulesDep, false, {}});
        return out;
    }
    case Source::Symbols:
        if (!name.starts_with("symbol:")) return out;
        return from_wild_index(dir, IndexKind::Symbols, Source::Symbols, name);
    case Source::Alias:
        return from_wild_index(dir, IndexKind::Alias, Source::Alias, name);
    case Source::Builtin: {
        auto builtin = dir.is_builtin(name);
        if (!builtin) return std::unexpected(builtin.error());
        if (*builtin) out.push_back({std::string(name), {}, Source::Builtin, true, {}});
        return out;
    }
    case Source::BuiltinAlias:
        return from_wild_index(dir, IndexKind::BuiltinAlias, Source::BuiltinAlias, name);
    }
    return out;
}

util::Expected<std::vector<Found>> lookup(const index::ModuleDirectory& dir,
                                          const config::ModprobeConfig* config,
                                          std::string_view input) {
    auto normalized = module::alias_normalize(input);
    if (!normalized)
        return util::fail(util::ErrorKind::Invalid, EINVAL, {},
                          "invalid alias: " + std::string(input));
    for (Source s : {Source::ConfigAlias, Source::ModulesDep, Source::Symbols, Source::Command,
                     Source::Alias, Source::Builtin, Source::BuiltinAlias}) {
        auto found = lookup_source(dir, config, s, *normalized);
        if (!found) return found;
        if (!found->empty()) return found;
    }
    return std::vector<Found>{};
}

util::Expected<std::vector<Found>> lookup_name(const index::ModuleDirectory& dir,
                                               std::string_view name) {
    std::string normalized = module::modname_normalize(name);
    for (Source s : {Source::ModulesDep, Source::Builtin, Source::BuiltinAlias}) {
        auto found = lookup_source(dir, nullptr, s, normalized);
        if (!found) return found;
        if (!found->empty()) return found;
    }
    return std::vector<Found>{};
}

} // namespace modkit::resolve
