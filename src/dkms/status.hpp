// `dkms status`: one line per added module/version and per built kernel/arch, in DKMS
// 3.4's format and order, computed from the tree alone (no dkms.conf, no child processes).
#pragma once
#include "dkms/tree.hpp"

#include <string>
#include <vector>

namespace modkit::dkms {

struct StatusFilter {
    std::string module, version, kernel, arch;
};

struct StatusLine {
    std::string text;    // the line, without newline
    bool broken = false; // also needs the "Manual intervention" message on stderr
    std::string module, version, kernel, arch;
    enum class State { Added, Broken, Built, Installed } state = State::Added;
};

std::vector<StatusLine> collect_status(const Tree& tree, const StatusFilter& filter);

// The stderr text DKMS prints for a broken module.
std::string broken_message(const std::string& module, const std::string& version);

} // namespace modkit::dkms
