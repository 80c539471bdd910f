// `dkms add`: register <source_tree>/<m>-<v> in the DKMS tree (copying a source directory
// there first when given a path), after checking its dkms.conf.
#pragma once
#include "dkms/context.hpp"
#include "dkms/outcome.hpp"
#include "dkms/report.hpp"

#include <string>

namespace modkit::dkms {

struct AddRequest {
    std::string module, version; // filled from the dkms.conf when adding a path
    std::string kernelver, arch; // the kernel the conf is read for
    std::string source_path;     // a directory holding dkms.conf (or "")
};

Outcome add_module(const Context& ctx, AddRequest& req, Report& report);

// Copies a source directory to <source_tree>/<m>-<v> and names the package (used by add
// and ldtarball).
Outcome add_source_tree(const Context& ctx, AddRequest& req, const std::string& path,
                        Report& report);

// "Arguments <module> and <module-version> are not specified." (exit 1) for `action`.
Outcome check_module_args(const std::string& action, const std::string& module,
                          const std::string& version);

} // namespace modkit::dkms
