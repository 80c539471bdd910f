// `dkms status`: one line per added module/version and per built kernel/arch, in DKMS
// 3.4's format and order, computed from the tree (dkms.conf is read only for a built entry
// whose module directory is empty, to tell a package without modules from missing ones).
#pragma once
#include "dkms/tree.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace modkit::dkms {

struct StatusFilter {
    std::string module, version, kernel, arch;
};

// The parenthesised notes of a built or installed line.
enum class StatusFlag { OriginalModules, BuiltMissing, Differs };
std::string_view flag_text(StatusFlag flag); // DKMS's words
std::string_view flag_name(StatusFlag flag); // the JSON name (docs/json.md)

struct StatusLine {
    std::string text;    // the line, without newline
    bool broken = false; // also needs the "Manual intervention" message on stderr
    std::string module, version, kernel, arch;
    enum class State { Added, Broken, Built, Installed } state = State::Added;
    std::vector<StatusFlag> flags;
};

std::vector<StatusLine> collect_status(const Tree& tree, const StatusFilter& filter);

// `dkms status --json` (docs/json.md, docs/json/dkms-status.schema.json).
std::string status_json(const std::vector<StatusLine>& lines);

// The stderr text DKMS prints for a broken module.
std::string broken_message(const std::string& module, const std::string& version);

} // namespace modkit::dkms
