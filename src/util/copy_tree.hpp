// Recursive copies for DKMS's `cp -a source/ build` and `cp -fr from/* dest`: directories,
// regular files (copy_file_range, so reflinks where the file system has them) and symlinks
// as symlinks. No special files.
#pragma once
#include "util/error.hpp"

#include <string>

namespace modkit::util {

enum class Preserve { Mode, All }; // All: also timestamps (and owner when root)

// Copies the contents of directory `from` into `to` (created if missing). Existing files
// are replaced.
Expected<void> copy_tree_contents(const std::string& from, const std::string& to,
                                  Preserve preserve);

// Copies one regular file, replacing `to`.
Expected<void> copy_file(const std::string& from, const std::string& to, Preserve preserve);

// rm -rf. Fine if `path` does not exist.
Expected<void> remove_tree(const std::string& path);

} // namespace modkit::util
