// explain(): the lookup chain replayed source by source, and each answer's configuration and
// plan.
#include "resolve/explain.hpp"

#include "module/names.hpp"
#include "util/fs.hpp"

namespace modkit::resolve {

namespace {

DirectoryState directory_state(const index::ModuleDirectory& dir) {
    if (!util::is_directory(dir.dirname())) return DirectoryState::NoDirectory;
    if (!util::target_exists(dir.file("modules.dep.bin"))) return DirectoryState::NoDependencies;
    return DirectoryState::Ready;
}

} // namespace

util::Expected<Explanation> explain(Resolver& r, std::string_view input, const ProbeFlags& flags,
                                    const std::string* extra_options, const RemovalFlags* removal) {
    Explanation ex;
    ex.input = std::string(input);
    ex.directory = directory_state(r.dir());
    auto normalized = module::alias_normalize(input);
    if (!normalized) {
        ex.invalid = true;
        return ex;
    }
    ex.normalized = *normalized;
    for (Source s : {Source::ConfigAlias, Source::ModulesDep, Source::Symbols, Source::Command,
                     Source::Alias, Source::Builtin, Source::BuiltinAlias}) {
        auto found = lookup_source(r.dir(), &r.config(), s, ex.normalized);
        if (!found) return std::unexpected(found.error());
        bool answered = !found->empty();
        ex.attempts.push_back({s, std::move(*found)});
        if (answered) break;
    }
    auto mods = r.lookup(input);
    if (!mods) return std::unexpected(mods.error());
    for (ModId id : *mods) {
        ExplainedModule m;
        // Copied first: resolving the path below adds the dependencies' objects to the pool,
        // which may move every object.
        const ModObject& obj = r.get(id);
        m.mod = id;
        m.name = obj.name;
        m.alias = obj.alias;
        m.source = obj.source;
        m.origin = obj.origin;
        auto path = r.path(id);
        if (!path) return std::unexpected(path.error());
        m.path = *path;
        auto builtin = r.is_builtin(id);
        if (!builtin) return std::unexpected(builtin.error());
        m.builtin = *builtin;
        m.blacklist = r.config().blacklist_entry(m.name);
        m.blacklist_applies = m.blacklist != nullptr && (m.alias || flags.apply_blacklist);
        m.options = r.option_entries(id);
        m.install = r.install_command(id);
        auto sd = r.softdeps(id);
        if (!sd) return std::unexpected(sd.error());
        m.softdep = sd->entry;
        for (ModId p : sd->pre)
            m.softdep_pre.push_back(r.get(p).name);
        for (ModId p : sd->post)
            m.softdep_post.push_back(r.get(p).name);
        if (extra_options != nullptr) m.cmdline_options = *extra_options;
        if (removal != nullptr) {
            auto plan = plan_removal(r, id, *removal);
            if (!plan) return std::unexpected(plan.error());
            m.removal = std::move(*plan);
        } else {
            auto plan = plan_probe(r, id, extra_options, flags);
            if (!plan) return std::unexpected(plan.error());
            m.plan = std::move(*plan);
        }
        ex.modules.push_back(std::move(m));
    }
    return ex;
}

} // namespace modkit::resolve
