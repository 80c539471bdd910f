// extract_record(): the libkmod calls depmod makes per module (get_symbols, get_info,
// get_dependency_symbols), as plain data.
#include "depmod/module_record.hpp"

#include <cstring>

namespace modkit::depmod {

ModuleRecord extract_record(const module::ModuleFile& mod) {
    ModuleRecord rec;
    for (const auto& e : mod.exports()) rec.exports.push_back({std::string(e.name), e.crc, false});
    if (auto imports = mod.imports()) {
        rec.imports.reserve(imports->size());
        for (const auto& i : *imports) rec.imports.push_back({std::string(i.name), i.crc, i.weak});
    }
    if (auto info = mod.modinfo()) {
        for (const auto& e : *info) {
            if (e.key == "alias")
                rec.aliases.emplace_back(e.value);
            else if (e.key == "softdep")
                rec.softdeps.emplace_back(e.value);
            else if (e.key == "weakdep")
                rec.weakdeps.emplace_back(e.value);
        }
    }
    return rec;
}

ModuleRecord extract_record(const std::string& path, util::MemoryBudget* budget) {
    auto mod = module::ModuleFile::open(path, module::ModuleFile::Load::OnDemand, budget);
    if (!mod) {
        ModuleRecord rec;
        // kmod: "failed to load symbols from %s: %s" with the errno of the failed open.
        rec.load_error = "failed to load symbols from " + path + ": " +
                         std::strerror(mod.error().sys_errno != 0 ? mod.error().sys_errno : EINVAL);
        if (mod.error().kind == util::ErrorKind::Corrupt) rec.load_detail = mod.error().describe();
        return rec;
    }
    return extract_record(*mod);
}

} // namespace modkit::depmod
