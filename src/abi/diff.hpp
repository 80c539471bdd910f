// The difference between the exports of two kernels (two Module.symvers, two trees, two
// installed kernels): symbols added, removed and changed (CRC, GPL-only, namespace, owner),
// grouped by the module that exports them, whether each change breaks modules built against
// the old kernel, and which given out-of-tree modules it breaks. With a stablelist only the
// listed symbols count as breaks, as a distribution's kABI check does.
#pragma once

#include "abi/export_table.hpp"
#include "abi/stablelist.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace modkit::abi {

enum class ChangeKind : uint8_t { Added, Removed, Changed };

struct SymbolChange {
    ChangeKind kind = ChangeKind::Changed;
    std::string symbol;
    std::string owner;                 // the new owner (the old one for Removed)
    std::optional<ExportedSymbol> old; // absent for Added
    std::optional<ExportedSymbol> now; // absent for Removed
    bool crc_changed = false;
    bool gpl_changed = false;
    bool namespace_changed = false;
    bool owner_changed = false;
    // A module built against the old kernel and using the symbol would not load: removed, CRC
    // changed (both with CRCs), became GPL-only, or moved to another namespace.
    bool breaking = false;
    bool listed = false;             // in the stablelist (always true without one)
    std::vector<std::string> breaks; // paths of given modules that use it, when breaking
};

// What one out-of-tree module uses: its undefined symbols.
struct ModuleUse {
    std::string path;
    bool gpl = true;
    std::vector<std::string> imports; // sorted
};

struct DiffResult {
    std::vector<SymbolChange> changes; // by owner, then symbol
    size_t old_count = 0, new_count = 0;
    size_t added = 0, removed = 0, changed = 0;
    size_t breaking = 0; // breaking and listed
    // For each given module that some breaking, listed change breaks: the symbols.
    std::vector<std::pair<std::string, std::vector<std::string>>> broken_modules;
};

DiffResult diff_exports(const ExportTable& old_table, const ExportTable& new_table,
                        const Stablelist* stablelist, const std::vector<ModuleUse>& modules);

// The undefined symbols of a module file; Corrupt/NotFound as ModuleFile::open.
util::Expected<ModuleUse> module_use(const std::string& path);

} // namespace modkit::abi
