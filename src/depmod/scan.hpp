// Finding the modules of a tree, as kmod's depmod does: walk the module directory, then each
// external directory, in readdir order; skip ".", "..", "build", "source" and depmod.d's
// excluded names at any depth; take files with a module extension; when two files give the
// same module name, depmod.d's search/override priority decides, and on a tie the first one
// found stays. No module file is read here.
#pragma once

#include "config/depmod_config.hpp"
#include "config/diagnostic.hpp"

#include <cstdint>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace modkit::depmod {

struct Candidate {
    std::string path;    // as kmod builds it: <dir>/<relative path>
    std::string relpath; // relative to the module directory; empty when outside it
    std::string name;    // module name (basename to the first '.', '-' -> '_')
    // Identity of the file, for the incremental cache.
    uint64_t size = 0, inode = 0, device = 0;
    int64_t mtime_sec = 0, mtime_nsec = 0;
};

struct ScanResult {
    std::vector<Candidate> modules; // one per module name, in no particular order
    config::Diagnostics messages;
    bool failed = false; // the module directory itself could not be read
};

// Scans `dirname` (the module directory) and the config's external directories. With
// `with_identity`, each candidate's identity fields are filled in as it is found.
ScanResult scan_tree(const std::string& dirname, const config::DepmodConfig& config,
                     bool with_identity = false);

// The module-directory-relative path of `path`, or "" if it is not under `dirname`
// (libkmod's rule: a prefix match followed by '/').
std::string relative_to(const std::string& dirname, const std::string& path);

// Fills the identity fields of a candidate from its stat() result.
void set_identity(Candidate& c, const struct stat& st);

} // namespace modkit::depmod
