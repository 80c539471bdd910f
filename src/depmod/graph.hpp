// The dependency graph depmod computes, in kmod's exact order: modules in modules.order order
// then in kmod's hash order, symbol ownership (a later module replaces an earlier owner),
// direct dependencies in symbol order, a topological sort that numbers users before
// providers, and kmod's cycle report when the sort cannot finish.
#pragma once

#include "config/diagnostic.hpp"
#include "depmod/module_record.hpp"
#include "depmod/scan.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace modkit::depmod {

struct GraphModule {
    const Candidate* file = nullptr;
    const ModuleRecord* record = nullptr;
    std::string uncrelpath;     // relpath cut after "<name>.ko" (kmod's quirk kept), or ""
    uint32_t idx = 0;           // final position: the priority in every index
    std::vector<uint32_t> deps; // direct dependencies (indices into modules())
    uint32_t users = 0;
    uint32_t dep_sort_idx = UINT32_MAX;

    const std::string& name() const { return file->name; }
    // The path written to modules.dep: relative when under the module directory.
    const std::string& dep_path() const {
        return file->relpath.empty() ? file->path : file->relpath;
    }
};

struct GraphSymbol {
    std::string_view name;
    uint64_t crc = 0;
    int32_t owner = -1; // index into modules(), -1 for vmlinux symbols (Module.symvers/System.map)
};

struct GraphOptions {
    std::string symvers_path;    // -E: Module.symvers (vmlinux symbols with CRCs)
    std::string system_map_path; // -F: System.map
    char symbol_prefix = '\0';   // -P
    bool check_symvers = false;  // -E given
    bool print_unknown = false;  // -e
    bool verbose = false;        // -v: print "X needs "sym": Y" lines
};

// vmlinux's exported symbols, from Module.symvers (-E, with CRCs) or System.map (-F).
struct KernelSymbols {
    std::deque<std::string> names; // stable storage
    struct Entry {
        std::string_view name;
        uint64_t crc;
    };
    std::vector<Entry> entries;  // file order
    bool prefix_skipped = false; // System.map names already had the prefix removed
};

// Reads the file named by -E or -F (nullopt and a FATAL message if it cannot be read; an
// empty set if neither option is given).
std::optional<KernelSymbols> read_kernel_symbols(const GraphOptions& opt,
                                                 config::Diagnostics& messages);

class DepGraph {
public:
    // Orders the modules: `modules_order` is the text of modules.order (nullopt if absent).
    DepGraph(std::vector<const Candidate*> files, std::vector<const ModuleRecord*> records,
             const std::optional<std::string>& modules_order, const std::string& order_path);

    // Adds vmlinux symbols (and the loader's own: __this_module etc.) when -E or -F was given.
    void add_kernel_symbols(const KernelSymbols& syms, const GraphOptions& opt);
    // Adds exports, resolves imports, sorts. False if there is a dependency cycle (the cycle
    // report is in messages()).
    bool resolve(const GraphOptions& opt);

    const std::vector<GraphModule>& modules() const { return m_modules; }
    // Symbols with an owning module, in kmod's hash-iteration order (modules.symbols order).
    std::vector<const GraphSymbol*> owned_symbols_in_order() const;
    // Every (transitive) dependency of module i, sorted by dep_sort_idx.
    std::vector<uint32_t> all_dependencies(uint32_t i) const;

    const config::Diagnostics& messages() const { return m_messages; }
    // "-v" output lines ("X needs "sym": Y"), in order.
    const std::vector<std::string>& verbose_lines() const { return m_verbose; }

private:
    void add_symbol(std::string_view name, uint64_t crc, int32_t owner, bool prefix_skipped,
                    char prefix);
    const GraphSymbol* find_symbol(std::string_view name, char prefix) const;
    bool topological_sort();
    void report_cycles();
    void message(util::LogLevel level, std::string text);

    std::vector<GraphModule> m_modules;
    std::unordered_map<std::string_view, GraphSymbol> m_symbols;
    config::Diagnostics m_messages;
    std::vector<std::string> m_verbose;
};

} // namespace modkit::depmod
