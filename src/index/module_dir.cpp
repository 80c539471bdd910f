// ModuleDirectory: lazy access to a module directory's indexes.
#include "index/module_dir.hpp"

#include "util/strings.hpp"

namespace modkit::index {

const char* index_base_name(IndexKind kind) {
    switch (kind) {
    case IndexKind::Dep:
        return "modules.dep";
    case IndexKind::Alias:
        return "modules.alias";
    case IndexKind::Symbols:
        return "modules.symbols";
    case IndexKind::Builtin:
        return "modules.builtin";
    case IndexKind::BuiltinAlias:
        return "modules.builtin.alias";
    }
    return "";
}

ModuleDirectory::ModuleDirectory(std::string dirname)
    : m_dirname(std::move(dirname)) {}

util::Expected<const IndexReader*> ModuleDirectory::index(IndexKind kind) const {
    auto& slot = m_indexes[static_cast<size_t>(kind)];
    if (!slot) slot.emplace(IndexReader::open(m_dirname + "/" + index_base_name(kind) + ".bin"));
    if (*slot) return &**slot;
    const util::Error& err = slot->error();
    // Missing or unreadable files mean "this source has no answer", as in libkmod.
    if (err.kind == util::ErrorKind::NotFound || err.kind == util::ErrorKind::Io)
        return static_cast<const IndexReader*>(nullptr);
    return std::unexpected(err);
}

std::string ModuleDirectory::join(std::string_view relpath) const {
    if (relpath.starts_with('/')) return std::string(relpath);
    std::string out = m_dirname;
    out += '/';
    out += relpath;
    return out;
}

DepLine parse_dep_line(std::string_view line) {
    DepLine d;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return d;
    d.path = std::string(line.substr(0, colon));
    for (auto dep : util::split_any(line.substr(colon + 1), " \t"))
        d.deps.emplace_back(dep);
    return d;
}

util::Expected<std::optional<DepLine>> ModuleDirectory::dep(std::string_view modname) const {
    auto idx = index(IndexKind::Dep);
    if (!idx) return std::unexpected(idx.error());
    if (*idx == nullptr) return std::nullopt;
    auto line = (*idx)->search(modname);
    if (!line) return std::unexpected(line.error());
    if (!*line) return std::nullopt;
    DepLine d = parse_dep_line(**line);
    if (d.path.empty()) return std::nullopt;
    d.path = join(d.path);
    for (auto& dep : d.deps)
        dep = join(dep);
    return d;
}

util::Expected<bool> ModuleDirectory::is_builtin(std::string_view modname) const {
    auto idx = index(IndexKind::Builtin);
    if (!idx) return std::unexpected(idx.error());
    if (*idx == nullptr) return false;
    auto v = (*idx)->search(modname);
    if (!v) return std::unexpected(v.error());
    return v->has_value();
}

} // namespace modkit::index
