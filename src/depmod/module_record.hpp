// What depmod needs to know about one module, extracted once (in parallel) and then used by
// the graph and the writers. It is also the unit the incremental cache stores, so it holds
// plain values only.
#pragma once

#include "module/module_file.hpp"
#include "util/memory_budget.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace modkit::depmod {

struct SymbolRef {
    std::string name;
    uint64_t crc = 0;
    bool weak = false; // imports only
};

struct ModuleRecord {
    std::vector<SymbolRef> exports; // kmod_module_get_symbols order
    std::vector<SymbolRef> imports; // kmod_module_get_dependency_symbols order
    std::vector<std::string> aliases;  // raw alias= values, .modinfo order
    std::vector<std::string> softdeps; // raw softdep= values
    std::vector<std::string> weakdeps; // raw weakdep= values
    // Set when the file could not be read at all: kmod reports it and keeps the module in
    // modules.dep with no symbols, aliases or dependencies. load_error is kmod's message;
    // load_detail names the file and the exact problem (modkit's extra line; may be empty).
    std::string load_error;
    std::string load_detail;

    bool operator==(const ModuleRecord&) const = default;
};

// Reads `path` and extracts its record. Never fails: read errors are stored in load_error
// (the message kmod prints, without prefix).
ModuleRecord extract_record(const std::string& path, util::MemoryBudget* budget);

// The part of extraction that works on an open module (for tests and fuzzing).
ModuleRecord extract_record(const module::ModuleFile& mod);

} // namespace modkit::depmod
