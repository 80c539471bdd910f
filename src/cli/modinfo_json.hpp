// modinfo --json: one object per module with every .modinfo field in order, the parameters
// merged with their types (parm= and parmtype=, as modinfo prints them) and the signature.
#pragma once

#include "module/info.hpp"
#include "util/json.hpp"

#include <string>
#include <vector>

namespace modkit::cli {

struct ModinfoJsonModule {
    std::string name;     // the module's name ("" when only a file was named)
    std::string filename; // the file, or "(builtin)"
    bool builtin = false;
    std::vector<module::InfoEntry> entries; // .modinfo, then the signature, in order
};

// Writes `m` as the next value of `w`.
void modinfo_json(util::JsonWriter& w, const ModinfoJsonModule& m);

} // namespace modkit::cli
