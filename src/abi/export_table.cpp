// ExportTable: a sorted vector, looked up by binary search (25,000 symbols: 15 comparisons).
#include "abi/export_table.hpp"

#include "util/strings.hpp"

#include <algorithm>

namespace modkit::abi {

ExportTable ExportTable::from_symvers(const Symvers& symvers, bool modversions) {
    ExportTable t;
    t.origin = symvers.path();
    t.m_symbols.reserve(symvers.size());
    for (const auto& e : symvers.entries()) {
        ExportedSymbol s;
        s.name = e.symbol;
        s.owner = e.module;
        s.name_space = e.name_space;
        s.crc = static_cast<uint32_t>(e.crc);
        s.has_crc = modversions;
        s.gpl_only = e.export_type.ends_with("_GPL") || e.export_type.ends_with("_GPL_FUTURE");
        t.m_symbols.push_back(std::move(s));
    }
    t.finish();
    return t;
}

void ExportTable::add(std::string_view owner, const std::vector<module::KernelExport>& exports) {
    for (const auto& e : exports)
        m_symbols.push_back(
            {e.name, std::string(owner), e.name_space, e.crc, e.has_crc, e.gpl_only});
}

void ExportTable::finish() {
    // Stable: among duplicates the first added stays first, and find() returns it.
    std::stable_sort(
        m_symbols.begin(), m_symbols.end(),
        [](const ExportedSymbol& a, const ExportedSymbol& b) { return a.name < b.name; });
}

const ExportedSymbol* ExportTable::find(std::string_view name) const {
    auto it =
        std::lower_bound(m_symbols.begin(), m_symbols.end(), name,
                         [](const ExportedSymbol& s, std::string_view n) { return s.name < n; });
    if (it == m_symbols.end() || it->name != name) return nullptr;
    return &*it;
}

std::string owner_module_name(std::string_view owner) {
    std::string out(util::basename(owner));
    for (char& c : out)
        if (c == '-') c = '_';
    return out;
}

} // namespace modkit::abi
