// File-system facts every layer asks: does a path exist, is it a file or a directory, the path
// made absolute the way kmod makes it, and mkdir -p. One home, so the rules cannot drift.
#pragma once

#include "util/error.hpp"

#include <string>
#include <sys/types.h>

namespace modkit::util {

// Whether `path` names anything, a dangling symbolic link included (lstat).
bool path_exists(const std::string& path);
// Whether `path` leads to something, following symbolic links (stat).
bool target_exists(const std::string& path);
// Whether `path` leads to a directory, following symbolic links.
bool is_directory(const std::string& path);
// Whether `path` leads to a regular file, following symbolic links.
bool is_regular_file(const std::string& path);

// `path` made absolute against the current directory without normalising it ("a/../b" stays),
// as libkmod's path_make_absolute_cwd does. An absolute path is returned as it is; so is a
// relative one when the current directory cannot be read.
std::string absolute_path(const std::string& path);

// mkdir -p: creates `path` and its missing parents with `mode`; fine if it exists.
Expected<void> make_directories(const std::string& path, mode_t mode = 0755);

} // namespace modkit::util
