// diff_exports(): one merge over the two sorted tables, then the users of each breaking change.
#include "abi/diff.hpp"

#include "abi/predict.hpp"
#include "module/module_file.hpp"

#include <algorithm>
#include <map>

namespace modkit::abi {
namespace {

void compare(const ExportedSymbol& a, const ExportedSymbol& b, SymbolChange& c) {
    c.crc_changed = a.has_crc && b.has_crc && a.crc != b.crc;
    c.gpl_changed = a.gpl_only != b.gpl_only;
    c.namespace_changed = a.name_space != b.name_space;
    c.owner_changed = a.owner != b.owner;
    c.breaking = c.crc_changed || (b.gpl_only && !a.gpl_only) || c.namespace_changed;
}

} // namespace

DiffResult diff_exports(const ExportTable& old_table, const ExportTable& new_table,
                        const Stablelist* stablelist, const std::vector<ModuleUse>& modules) {
    DiffResult r;
    r.old_count = old_table.size();
    r.new_count = new_table.size();
    const auto& a = old_table.symbols();
    const auto& b = new_table.symbols();
    size_t i = 0, j = 0;
    auto make = [](ChangeKind kind, const ExportedSymbol& s, std::optional<ExportedSymbol> old,
                   std::optional<ExportedSymbol> now) {
        SymbolChange c;
        c.kind = kind;
        c.symbol = s.name;
        c.owner = s.owner;
        c.old = std::move(old);
        c.now = std::move(now);
        return c;
    };
    auto push = [&](SymbolChange c) {
        c.listed = stablelist == nullptr || stablelist->contains(c.symbol);
        r.changes.push_back(std::move(c));
    };
    while (i < a.size() || j < b.size()) {
        // Duplicates of one name (rare: two modules exporting it): the first is what a load sees.
        if (i > 0 && i < a.size() && a[i].name == a[i - 1].name) {
            ++i;
            continue;
        }
        if (j > 0 && j < b.size() && b[j].name == b[j - 1].name) {
            ++j;
            continue;
        }
        if (j >= b.size() || (i < a.size() && a[i].name < b[j].name)) {
            SymbolChange c = make(ChangeKind::Removed, a[i], a[i], std::nullopt);
            c.breaking = true;
            push(std::move(c));
            ++i;
        } else if (i >= a.size() || b[j].name < a[i].name) {
            push(make(ChangeKind::Added, b[j], std::nullopt, b[j]));
            ++j;
        } else {
            SymbolChange c = make(ChangeKind::Changed, b[j], a[i], b[j]);
            compare(a[i], b[j], c);
            if (c.crc_changed || c.gpl_changed || c.namespace_changed || c.owner_changed)
                push(std::move(c));
            ++i;
            ++j;
        }
    }
    std::stable_sort(
        r.changes.begin(), r.changes.end(), [](const SymbolChange& x, const SymbolChange& y) {
            if (x.owner != y.owner)
                return x.owner == "vmlinux" || (y.owner != "vmlinux" && x.owner < y.owner);
            return x.symbol < y.symbol;
        });
    std::map<std::string, std::vector<std::string>> broken;
    for (auto& c : r.changes) {
        switch (c.kind) {
        case ChangeKind::Added:
            ++r.added;
            break;
        case ChangeKind::Removed:
            ++r.removed;
            break;
        case ChangeKind::Changed:
            ++r.changed;
            break;
        }
        if (!c.breaking || !c.listed) continue;
        ++r.breaking;
        for (const auto& m : modules) {
            if (!std::binary_search(m.imports.begin(), m.imports.end(), c.symbol)) continue;
            // Becoming GPL-only breaks only modules that are not GPL.
            if (c.kind == ChangeKind::Changed && !c.crc_changed && !c.namespace_changed && m.gpl)
                continue;
            c.breaks.push_back(m.path);
            broken[m.path].push_back(c.symbol);
        }
    }
    r.broken_modules.assign(broken.begin(), broken.end());
    return r;
}

util::Expected<ModuleUse> module_use(const std::string& path) {
    auto mod = module::ModuleFile::open(path, module::ModuleFile::Load::OnDemand);
    if (!mod) return util::fail(std::move(mod.error()));
    ModuleUse use;
    use.path = path;
    std::string_view license = "unspecified";
    if (auto info = mod->modinfo())
        for (const auto& e : *info)
            if (e.key == "license") license = e.value;
    use.gpl = license_is_gpl_compatible(license);
    auto table = mod->elf().symbol_table();
    if (table)
        for (size_t i = 1; i < table->count; ++i) {
            auto sym = mod->elf().symbol(*table, i);
            if (sym && sym->shndx == elf::k_shn_undef && !sym->name.empty())
                use.imports.emplace_back(sym->name);
        }
    std::sort(use.imports.begin(), use.imports.end());
    use.imports.erase(std::unique(use.imports.begin(), use.imports.end()), use.imports.end());
    return use;
}

} // namespace modkit::abi
