// Every symbol a kernel offers to modules: what vmlinux and each of its modules export, with
// the CRC, the GPL-only flag and the namespace the module loader checks. One shape whatever the
// source: a Module.symvers (from the headers, or /boot/symvers-K.gz), or the export tables of
// the kernel image and of the modules of its tree (module/ksymtab.hpp).
#pragma once

#include "abi/symvers.hpp"
#include "module/ksymtab.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::abi {

struct ExportedSymbol {
    std::string name;
    std::string owner; // "vmlinux" or the module's name (as in Module.symvers: a path without .ko)
    std::string name_space;
    uint32_t crc = 0;
    bool has_crc = false;
    bool gpl_only = false;
};

class ExportTable {
public:
    // From Module.symvers: export types ending in _GPL (EXPORT_SYMBOL_GPL,
    // EXPORT_SYMBOL_GPL_FUTURE) are GPL-only; a CRC of 0 with modversions off is "no CRC".
    static ExportTable from_symvers(const Symvers& symvers, bool modversions);
    // Adds the exports of one owner ("vmlinux" or a module name).
    void add(std::string_view owner, const std::vector<module::KernelExport>& exports);
    // Sorts and indexes; call once after the last add().
    void finish();

    // The export of `name`, or nullptr. With duplicates, the first added wins (as the first line
    // of Module.symvers does).
    const ExportedSymbol* find(std::string_view name) const;
    const std::vector<ExportedSymbol>& symbols() const { return m_symbols; } // sorted by name
    size_t size() const { return m_symbols.size(); }
    // Where the table came from, for messages: "…/Module.symvers" or "vmlinuz-K and 4021 modules".
    std::string origin;

private:
    std::vector<ExportedSymbol> m_symbols;
};

// The last path component of a Module.symvers module field: "drivers/net/dummy" -> "dummy",
// with '-' turned into '_' as module names are.
std::string owner_module_name(std::string_view owner);

} // namespace modkit::abi
