// The symbols a module or a kernel image exports, with what the module loader needs to know of
// each: its CRC (modversions), whether only GPL-compatible modules may use it, and its namespace.
// Read from the export tables themselves, for targets without a Module.symvers.
//
//   module (.ko, relocatable): every __ksymtab_<name> symbol of .symtab is an export; it is
//     GPL-only when it lies in section __ksymtab_gpl (up to 6.x), or when bit 0 of its entry's
//     byte in __kflagstab is set (7.x, one byte per __ksymtab entry). __crc_<name> gives the
//     CRC and __kstrtabns_<name> (a string in __ksymtab_strings) the namespace.
//   vmlinux (executable, symbols stripped, as inside a vmlinuz): struct kernel_symbol entries
//     of __ksymtab and __ksymtab_gpl, either three prel32 offsets {value, name, namespace}, each
//     relative to its own field, or three absolute pointers; the CRCs are the u32 entries of
//     __kcrctab / __kcrctab_gpl at the same index; __kflagstab as for modules.
#pragma once

#include "elf/elf_file.hpp"
#include "module/module_file.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace modkit::module {

inline constexpr uint8_t k_ksym_flag_gpl_only = 0x1; // __kflagstab

struct KernelExport {
    std::string name;
    uint32_t crc = 0;
    bool has_crc = false; // the image carries CRCs (CONFIG_MODVERSIONS)
    bool gpl_only = false;
    std::string name_space; // empty: no namespace
};

// The exports of a module, in .symtab order. An empty list for a module that exports nothing.
// Fails (Corrupt) only for tables that contradict each other (a __kflagstab that does not
// cover __ksymtab).
util::Expected<std::vector<KernelExport>> module_exports(const ModuleFile& mod);

// The exports of an executable kernel image, in table order (__ksymtab, then __ksymtab_gpl).
// Fails with NotFound when there is no __ksymtab, Corrupt when an entry points outside
// __ksymtab_strings or the CRC table is shorter than the symbol table.
util::Expected<std::vector<KernelExport>> vmlinux_exports(const elf::ElfFile& elf,
                                                          const std::string& path);

} // namespace modkit::module
