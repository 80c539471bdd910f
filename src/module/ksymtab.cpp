// Export tables of modules (through .symtab) and of vmlinux (through the tables' own layout).
#include "module/ksymtab.hpp"

#include <unordered_map>

namespace modkit::module {
namespace {

using util::ErrorKind;

constexpr std::string_view k_ksymtab_prefix = "__ksymtab_";
constexpr std::string_view k_nsprefix = "__kstrtabns_";
constexpr std::string_view k_crc_prefix = "__crc_";

// The bytes of the section called `name`, or an empty reader.
util::ByteReader section_or_empty(const elf::ElfFile& elf, std::string_view name) {
    auto data = elf.section_data(name);
    return data ? *data : util::ByteReader();
}

// The string at `offset` of a string section, if it is inside and terminated.
std::string string_at(const util::ByteReader& strings, uint64_t offset) {
    auto s = strings.cstring(offset);
    return s ? std::string(*s) : std::string();
}

} // namespace

util::Expected<std::vector<KernelExport>> module_exports(const ModuleFile& mod) {
    const elf::ElfFile& elf = mod.elf();
    std::vector<KernelExport> out;
    auto table = elf.symbol_table();
    if (!table) return out;
    const elf::Section* gpl_sec = elf.find("__ksymtab_gpl");
    const elf::Section* ksymtab = elf.find("__ksymtab");
    util::ByteReader flags = section_or_empty(elf, "__kflagstab");
    util::ByteReader strings = section_or_empty(elf, "__ksymtab_strings");
    uint64_t entry_size = 0;
    if (flags.size() > 0) {
        if (ksymtab == nullptr || ksymtab->size % flags.size() != 0)
            return util::fail(ErrorKind::Corrupt, EINVAL, mod.path(),
                              "__kflagstab does not have one byte per __ksymtab entry");
        entry_size = ksymtab->size / flags.size();
    }

    std::unordered_map<std::string_view, std::string> namespaces;
    bool has_crcs = false;
    // First pass: namespaces, which may come after the entry symbol in .symtab.
    for (size_t i = 1; i < table->count; ++i) {
        auto sym = elf.symbol(*table, i);
        if (!sym) continue;
        if (sym->name.starts_with(k_crc_prefix)) has_crcs = true;
        if (!sym->name.starts_with(k_nsprefix)) continue;
        std::string ns = string_at(strings, sym->value);
        if (!ns.empty()) namespaces.emplace(sym->name.substr(k_nsprefix.size()), std::move(ns));
    }
    // The CRCs as libkmod reads them (the __crc_<name> symbols), when the module has any.
    std::unordered_map<std::string_view, uint64_t> crcs;
    if (has_crcs)
        for (const auto& e : mod.exports())
            crcs.emplace(e.name, e.crc);
    for (size_t i = 1; i < table->count; ++i) {
        auto sym = elf.symbol(*table, i);
        if (!sym || !sym->name.starts_with(k_ksymtab_prefix)) continue;
        if (sym->shndx == elf::k_shn_undef) continue;
        KernelExport e;
        e.name = sym->name.substr(k_ksymtab_prefix.size());
        if (gpl_sec != nullptr && sym->shndx == gpl_sec->index) e.gpl_only = true;
        if (entry_size != 0 && ksymtab != nullptr && sym->shndx == ksymtab->index) {
            auto f = flags.u8(sym->value / entry_size);
            e.gpl_only = f && (*f & k_ksym_flag_gpl_only) != 0;
        }
        if (auto it = crcs.find(e.name); it != crcs.end()) {
            e.crc = static_cast<uint32_t>(it->second);
            e.has_crc = true;
        }
        if (auto it = namespaces.find(e.name); it != namespaces.end()) e.name_space = it->second;
        out.push_back(std::move(e));
    }
    return out;
}

namespace {

// Reads one struct kernel_symbol table of vmlinux.
struct TableReader {
    const elf::ElfFile& elf;
    const elf::Section& strings;
    util::ByteReader string_data;
    const std::string& path;

    // The string at virtual address `addr`, or nullopt if it is not inside __ksymtab_strings.
    std::optional<std::string> string_at_addr(uint64_t addr) const {
        if (addr < strings.addr || addr - strings.addr >= strings.size) return std::nullopt;
        auto s = string_data.cstring(addr - strings.addr);
        if (!s) return std::nullopt;
        return std::string(*s);
    }

    // Reads entry `i` of `table` with entry size `entry` into name/ns; false if it does not
    // resolve (wrong layout guess or corrupt).
    bool read(const elf::Section& sec, const util::ByteReader& data, uint64_t i, uint64_t entry,
              bool prel32, std::string& name, std::string& ns) const {
        uint64_t base = sec.addr + i * entry;
        uint64_t off = i * entry;
        std::optional<uint64_t> name_addr, ns_addr;
        if (prel32) {
            auto n = data.u32(off + 4), s = data.u32(off + 8);
            if (!n || !s) return false;
            name_addr =
                base + 4 + static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(*n)));
            // A zero offset is "no namespace" (exports made from assembly files).
            ns_addr =
                *s == 0 ? 0
                        : base + 8 +
                              static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(*s)));
        } else {
            unsigned w = elf.word_size();
            name_addr = data.uint(off + w, w);
            ns_addr = data.uint(off + 2 * w, w);
            if (!name_addr || !ns_addr) return false;
        }
        auto n = string_at_addr(*name_addr);
        if (!n || n->empty()) return false;
        name = std::move(*n);
        ns.clear();
        if (*ns_addr != 0) {
            auto s = string_at_addr(*ns_addr);
            if (!s) return false;
            ns = std::move(*s);
        }
        return true;
    }
};

} // namespace

util::Expected<std::vector<KernelExport>> vmlinux_exports(const elf::ElfFile& elf,
                                                          const std::string& path) {
    const elf::Section* ksymtab = elf.find("__ksymtab");
    const elf::Section* strings = elf.find("__ksymtab_strings");
    if (ksymtab == nullptr || strings == nullptr)
        return util::fail(ErrorKind::NotFound, ENOENT, path, "no __ksymtab in the kernel image");
    auto corrupt = [&](std::string what) {
        return util::fail(ErrorKind::Corrupt, EINVAL, path, std::move(what));
    };
    TableReader reader{elf, *strings, *elf.section_data(*strings), path};
    util::ByteReader flags = section_or_empty(elf, "__kflagstab");

    struct Table {
        const char* ksymtab;
        const char* crctab;
        bool gpl;
    };
    std::vector<KernelExport> out;
    for (Table t :
         {Table{"__ksymtab", "__kcrctab", false}, Table{"__ksymtab_gpl", "__kcrctab_gpl", true}}) {
        const elf::Section* sec = elf.find(t.ksymtab);
        if (sec == nullptr) continue;
        util::ByteReader data = *elf.section_data(*sec);
        util::ByteReader crcs = section_or_empty(elf, t.crctab);
        // The entry size: from a parallel table when there is one, else by trying the layouts.
        uint64_t count = 0;
        if (crcs.size() > 0)
            count = crcs.size() / 4;
        else if (!t.gpl && flags.size() > 0)
            count = flags.size();
        std::vector<std::pair<uint64_t, bool>> layouts; // (entry size, prel32)
        if (count != 0) {
            if (data.size() % count != 0)
                return corrupt(std::string(t.ksymtab) + " and its parallel table disagree");
            uint64_t entry = data.size() / count;
            layouts = {{entry, entry == 12}};
        } else {
            layouts = {{12, true}, {3ull * elf.word_size(), false}};
        }
        bool done = false;
        for (auto [entry, prel32] : layouts) {
            if (entry == 0 || data.size() % entry != 0) continue;
            std::vector<KernelExport> part;
            bool ok = true;
            for (uint64_t i = 0; ok && i < data.size() / entry; ++i) {
                KernelExport e;
                ok = reader.read(*sec, data, i, entry, prel32, e.name, e.name_space);
                e.gpl_only = t.gpl;
                if (auto c = crcs.u32(4 * i)) {
                    e.crc = *c;
                    e.has_crc = true;
                }
                if (!t.gpl && flags.size() > 0) {
                    auto f = flags.u8(i);
                    e.gpl_only = f && (*f & k_ksym_flag_gpl_only) != 0;
                }
                part.push_back(std::move(e));
            }
            if (!ok) continue;
            out.insert(out.end(), std::make_move_iterator(part.begin()),
                       std::make_move_iterator(part.end()));
            done = true;
            break;
        }
        if (!done)
            return corrupt(std::string(t.ksymtab) + " entries do not point into __ksymtab_strings");
    }
    return out;
}

} // namespace modkit::module
