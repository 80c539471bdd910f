// Which configuration files modprobe and depmod read, and in what order (kmod's
// conf_files_list / cfg_files_list): every *.conf in a list of directories, sorted by basename,
// where a basename seen in an earlier directory masks the same name in later ones.
#pragma once

#include "config/diagnostic.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct stat;

namespace modkit::config {

enum class ConfigKind { Modprobe, Depmod };

// The default search directories under `root` ("" for the real system), highest precedence
// first: /etc, /run, /usr/local/lib, /usr/lib, /lib (each + "/modprobe.d" or "/depmod.d").
// kmod 30 has no /usr/lib entry; kmod 32 added it and modkit follows the newer kmod.
std::vector<std::string> default_config_dirs(ConfigKind kind, std::string_view root = "");

struct ConfigFile {
    std::string path; // what is opened and named in messages
    std::string name; // the basename the list is sorted and masked by
};

// A configuration path as it was when listed: the path itself (for a directory, its own
// mtime, not its files') with the mtime in microseconds. libkmod's kmod_validate_resources
// asks for a new context when one of these changes.
struct PathStamp {
    std::string path;
    uint64_t mtime_usec = 0;
};

struct FileList {
    std::vector<ConfigFile> files; // in parse order
    Diagnostics diagnostics;
    std::vector<PathStamp> stamps; // every path that was listed, in the order given
};

struct ListOptions {
    ConfigKind kind = ConfigKind::Modprobe;
    // modprobe only: when not empty, <module_dir>/modules.softdep and modules.weakdep join the
    // sorted list under those names, as libkmod does for every tool.
    std::string module_dir;
};

// Lists the configuration files of `paths` (directories, or single files as with -C). A path
// that cannot be stat()ed is skipped silently, as kmod does.
FileList list_config_files(std::span<const std::string> paths, const ListOptions& options);

// True when a stamped path can no longer be stat()ed or its mtime changed.
bool stamps_changed(std::span<const PathStamp> stamps);
// A file's mtime in microseconds, as libkmod compares them.
uint64_t mtime_usec(const struct stat& st);

} // namespace modkit::config
