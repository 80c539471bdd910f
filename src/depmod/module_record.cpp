// extract_record(): the libkmod calls depmod makes per module (get_symbols, get_info,
// get_dependency_symbols), copied into one arena per record.
#include "depmod/module_record.hpp"

#include <cstring>

namespace modkit::depmod {

namespace {

// Collects strings, then copies them into one heap block and hands out stable views.
class ArenaBuilder {
public:
    size_t add(std::string_view s) {
        size_t at = m_bytes.size();
        m_bytes.append(s);
        m_spans.push_back({at, s.size()});
        return m_spans.size() - 1;
    }
    std::unique_ptr<char[]> finish() {
        auto block = std::make_unique<char[]>(m_bytes.size() + 1);
        std::memcpy(block.get(), m_bytes.data(), m_bytes.size());
        m_base = block.get();
        return block;
    }
    std::string_view view(size_t id) const {
        return {m_base + m_spans[id].first, m_spans[id].second};
    }

private:
    std::string m_bytes;
    std::vector<std::pair<size_t, size_t>> m_spans;
    const char* m_base = nullptr;
};

} // namespace

ModuleRecord extract_record(const module::ModuleFile& mod) {
    ModuleRecord rec;
    ArenaBuilder arena;
    struct Pending {
        size_t id;
        uint64_t crc;
        bool weak;
    };
    std::vector<Pending> exports, imports;
    std::vector<size_t> aliases, softdeps, weakdeps;
    for (const auto& e : mod.exports())
        exports.push_back({arena.add(e.name), e.crc, false});
    if (auto imp = mod.imports())
        for (const auto& i : *imp)
            imports.push_back({arena.add(i.name), i.crc, i.weak});
    if (auto info = mod.modinfo()) {
        for (const auto& e : *info) {
            if (e.key == "alias")
                aliases.push_back(arena.add(e.value));
            else if (e.key == "softdep")
                softdeps.push_back(arena.add(e.value));
            else if (e.key == "weakdep")
                weakdeps.push_back(arena.add(e.value));
        }
    }
    rec.arena = arena.finish();
    rec.exports.reserve(exports.size());
    for (const auto& p : exports)
        rec.exports.push_back({arena.view(p.id), p.crc, false});
    rec.imports.reserve(imports.size());
    for (const auto& p : imports)
        rec.imports.push_back({arena.view(p.id), p.crc, p.weak});
    for (size_t id : aliases)
        rec.aliases.push_back(arena.view(id));
    for (size_t id : softdeps)
        rec.softdeps.push_back(arena.view(id));
    for (size_t id : weakdeps)
        rec.weakdeps.push_back(arena.view(id));
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
