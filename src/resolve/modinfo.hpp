// modinfo's query: what each argument names (a module file, a module name, an alias, a
// built-in module), resolved in order exactly as kmod's modinfo does, and the .modinfo
// entries of each, read from the file or from modules.builtin.modinfo on every core. The
// modinfo tool and the JSON output present what this returns.
#pragma once

#include "index/module_dir.hpp"
#include "module/builtin_modinfo.hpp"
#include "module/info.hpp"
#include "resolve/lookup.hpp"
#include "util/memory_budget.hpp"
#include "util/parallel.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::resolve {

// What one argument names.
struct ModinfoTarget {
    std::string error;    // non-empty: the argument names nothing; kmod's line to print
    std::string name;     // module name
    std::string path;     // module file; empty for a built-in module or an alias without one
    bool builtin = false; // its information is in modules.builtin.modinfo
};

// The .modinfo entries of one target, or why they cannot be had.
struct ModinfoEntries {
    enum class Status {
        Entries,  // `entries` holds them, in .modinfo order
        NameOnly, // nothing more than name and file can be said (kmod prints only those)
        Failed,   // `errors` says why, one line each
    };
    Status status = Status::Entries;
    std::vector<module::InfoEntry> entries;
    std::vector<std::string> errors;
};

class ModinfoQuery {
public:
    explicit ModinfoQuery(const index::ModuleDirectory& dir)
        : m_dir(dir) {}

    // Resolves every argument in order: with `by_name` (-m) through modules.dep and the
    // built-in indexes only; otherwise an existing file with a module extension is that file,
    // anything else goes through the lookup chain. A corrupt index ends the list with a target
    // whose error names the file, and sets `index_failed`.
    std::vector<ModinfoTarget> resolve(const std::vector<std::string_view>& args, bool by_name,
                                       bool& index_failed);

    // The entries of `t`. Safe to call from several threads at once once resolve() is done.
    ModinfoEntries entries(const ModinfoTarget& t, util::MemoryBudget& budget) const;

    // Runs `present(target, query)` for every target on `jobs` threads and hands each result
    // to `emit(result)` in argument order (util::parallel_ordered).
    template <class Present, class Emit>
    void for_each(const std::vector<ModinfoTarget>& targets, unsigned jobs, Present present,
                  Emit emit) const {
        util::parallel_ordered(
            targets.size(), jobs, [&](size_t i) { return present(targets[i]); },
            [&](size_t, auto result) { emit(std::move(result)); });
    }

private:
    std::optional<util::Error> add_found(const std::vector<Found>& found,
                                         std::vector<ModinfoTarget>& out);

    const index::ModuleDirectory& m_dir;
    bool m_need_builtin = false;
    std::optional<module::BuiltinModinfo> m_builtin;
    std::optional<util::Error> m_builtin_error;
};

} // namespace modkit::resolve
