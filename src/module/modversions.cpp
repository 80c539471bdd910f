// Reading __version_ext_crcs/__version_ext_names and merging them with __versions.
#include "module/modversions.hpp"

#include <unordered_set>

namespace modkit::module {

using util::ErrorKind;

util::Expected<std::vector<VersionEntry>> extended_versions(const ModuleFile& mod) {
    const elf::ElfFile& elf = mod.elf();
    auto crcs = elf.section_data("__version_ext_crcs");
    auto names = elf.section_data("__version_ext_names");
    if (!crcs && !names)
        return util::fail(ErrorKind::NotFound, ENOENT, mod.path(), "no extended modversions");
    auto corrupt = [&](std::string what) {
        return util::fail(ErrorKind::Corrupt, EINVAL, mod.path(), std::move(what));
    };
    if (!crcs || !names)
        return corrupt(std::string("extended modversions: ") +
                       (crcs ? "__version_ext_names" : "__version_ext_crcs") + " is missing");
    if (crcs->size() % 4 != 0)
        return corrupt("extended modversions: __version_ext_crcs is not a whole number of CRCs");
    std::string_view text = names->chars();
    if (!text.empty() && text.back() != '\0')
        return corrupt("extended modversions: __version_ext_names does not end in NUL");
    std::vector<VersionEntry> out;
    out.reserve(crcs->size() / 4);
    size_t pos = 0;
    for (size_t i = 0; i < crcs->size() / 4; ++i) {
        if (pos >= text.size()) return corrupt("extended modversions: fewer names than CRCs");
        size_t end = text.find('\0', pos);
        out.push_back({text.substr(pos, end - pos), *crcs->u32(4 * i)});
        pos = end + 1;
    }
    if (pos != text.size()) return corrupt("extended modversions: more names than CRCs");
    return out;
}

namespace {

bool hidden_from_loader(const ModuleFile& mod, std::string_view section) {
    const elf::Section* s = mod.elf().find(section);
    return s != nullptr && (s->flags & elf::k_shf_alloc) == 0;
}

} // namespace

util::Expected<SymbolVersions> symbol_versions(const ModuleFile& mod, VersionView view) {
    SymbolVersions out;
    const bool loader = view == VersionView::Loader;
    auto basic = mod.versions();
    if (!basic && basic.error().kind != ErrorKind::NotFound) return util::fail(basic.error());
    if (basic && loader && hidden_from_loader(mod, "__versions"))
        basic = util::fail(ErrorKind::NotFound, ENOENT, mod.path(), "__versions is not allocated");
    auto ext = extended_versions(mod);
    if (!ext && ext.error().kind != ErrorKind::NotFound) return util::fail(ext.error());
    if (ext && loader &&
        (hidden_from_loader(mod, "__version_ext_crcs") ||
         hidden_from_loader(mod, "__version_ext_names")))
        ext = util::fail(ErrorKind::NotFound, ENOENT, mod.path(),
                         "extended modversions not allocated");
    if (ext) {
        out.source = basic ? VersionSource::Both : VersionSource::Extended;
        std::unordered_set<std::string_view> known;
        for (const auto& v : *ext)
            known.insert(v.name);
        if (basic)
            for (const auto& v : *basic)
                if (!known.contains(v.name)) out.basic_only.push_back(v);
        out.entries = std::move(*ext);
    } else if (basic) {
        out.source = VersionSource::Basic;
        out.entries = std::move(*basic);
    }
    return out;
}

} // namespace modkit::module
