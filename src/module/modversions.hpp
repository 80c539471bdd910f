// Symbol versions a module carries for the symbols it uses, in both encodings the kernel knows:
//   basic     __versions: entries of { unsigned long crc; char name[64 - sizeof(long)]; }
//   extended  Linux 6.14+ CONFIG_EXTENDED_MODVERSIONS: __version_ext_crcs, an array of u32
//             CRCs, and __version_ext_names, the names NUL-terminated back to back, the i-th
//             name belonging to the i-th CRC (scripts/mod/modpost.c); names of any length,
//             for Rust symbols. With CONFIG_BASIC_MODVERSIONS as well, __versions keeps the
//             names that fit; the kernel prefers the extended tables when a module has them.
// kmod 34.2 reads only __versions.
#pragma once

#include "module/module_file.hpp"
#include "util/error.hpp"

#include <vector>

namespace modkit::module {

// The extended tables. NotFound when the module has neither section; Corrupt when one is
// missing, the CRC table is not a whole number of u32, the name table does not end in NUL, or
// the two disagree on the number of symbols.
util::Expected<std::vector<VersionEntry>> extended_versions(const ModuleFile& mod);

enum class VersionSource : uint8_t { None, Basic, Extended, Both };

struct SymbolVersions {
    VersionSource source = VersionSource::None;
    // What the kernel checks against: the extended entries when present, else __versions.
    std::vector<VersionEntry> entries;
    // __versions entries whose symbol the extended table lacks (listed for --show-modversions).
    std::vector<VersionEntry> basic_only;
};

// Which sections count: every one found by name (what tools show), or only those with
// SHF_ALLOC (what the kernel's loader sees: modprobe --force-modversion clears the flag of
// __versions to hide it).
enum class VersionView : uint8_t { Tools, Loader };

// Both tables together. Fails only for a corrupt table (the reasons above, or a __versions of
// a bad size).
util::Expected<SymbolVersions> symbol_versions(const ModuleFile& mod,
                                               VersionView view = VersionView::Tools);

} // namespace modkit::module
