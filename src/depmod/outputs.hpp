// Renders every file depmod writes from the computed graph, byte for byte as kmod writes
// them: modules.dep, .dep.bin, .alias, .alias.bin, .softdep, .weakdep, .symbols,
// .symbols.bin, .builtin.bin, .builtin.alias.bin and .devname, in that order.
#pragma once

#include "config/diagnostic.hpp"
#include "depmod/graph.hpp"

#include <optional>
#include <string>
#include <vector>

namespace modkit::depmod {

struct OutputFile {
    std::string name; // "modules.dep"
    std::string content;
    bool binary = false; // .bin files are not part of -n output
};

struct BuiltinInputs {
    std::optional<std::string> builtin;         // modules.builtin, nullopt if missing
    std::optional<std::string> builtin_modinfo; // modules.builtin.modinfo
    std::string dirname;                        // for the "could not open" warnings
};

struct RenderResult {
    std::vector<OutputFile> files;
    config::Diagnostics messages;
    // Set when a key or value is not 7-bit ASCII (kmod 34 refuses to write such an index).
    std::optional<std::string> fatal;
};

// Renders on up to `jobs` threads; the result is the same for any thread count.
RenderResult render_outputs(const DepGraph& graph, const BuiltinInputs& builtin, bool warn_dups,
                            unsigned jobs = 1);

} // namespace modkit::depmod
