// What depmod needs to know about one module, extracted once (in parallel) and then used by
// the graph and the writers. It is also the unit the incremental cache stores. Strings are
// views: into the record's own arena for a module just read, or into the cache file's buffer
// for a cached one, so loading thousands of cached records allocates almost nothing.
#pragma once

#include "module/module_file.hpp"
#include "util/memory_budget.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::depmod {

struct SymbolRef {
    std::string_view name;
    uint64_t crc = 0;
    bool weak = false; // imports only

    bool operator==(const SymbolRef&) const = default;
};

struct ModuleRecord {
    std::vector<SymbolRef> exports;         // kmod_module_get_symbols order
    std::vector<SymbolRef> imports;         // kmod_module_get_dependency_symbols order
    std::vector<std::string_view> aliases;  // raw alias= values, .modinfo order
    std::vector<std::string_view> softdeps; // raw softdep= values
    std::vector<std::string_view> weakdeps; // raw weakdep= values
    // Set when the file could not be read at all: kmod reports it and keeps the module in
    // modules.dep with no symbols, aliases or dependencies. load_error is kmod's message;
    // load_detail names the file and the exact problem (modkit's extra line; may be empty).
    std::string load_error;
    std::string load_detail;
    // Owns the bytes the views of a freshly read record point to (heap: stable on move).
    std::unique_ptr<char[]> arena;

    bool operator==(const ModuleRecord& o) const {
        return exports == o.exports && imports == o.imports && aliases == o.aliases &&
               softdeps == o.softdeps && weakdeps == o.weakdeps && load_error == o.load_error &&
               load_detail == o.load_detail;
    }
};

// Reads `path` and extracts its record. Never fails: read errors are stored in load_error.
ModuleRecord extract_record(const std::string& path, util::MemoryBudget* budget);

// The part of extraction that works on an open module (for tests and fuzzing).
ModuleRecord extract_record(const module::ModuleFile& mod);

} // namespace modkit::depmod
