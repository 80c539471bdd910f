// What systemd-modules-load reads: the modules-load.d directories (masking by file name,
// precedence by directory), one module per line with '#' and ';' comments, and modules_load= /
// rd.modules_load= on the kernel command line; each entry keeps where it came from. The rules are
// systemd 252's (Debian 12), read from its source; the parser never prints.
#pragma once

#include "config/diagnostic.hpp"
#include "util/error.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::config {

// One module name (or alias) to load and where it was named: file:line, or the kernel command
// line (an empty file).
struct LoadEntry {
    std::string name;
    Origin origin;

    bool operator==(const LoadEntry&) const = default;
};

// The directories under `root` ("" for the real system), highest precedence first: /etc, /run,
// /usr/local/lib, /usr/lib and, as Debian builds systemd with split-usr, /lib.
std::vector<std::string> modules_load_dirs(std::string_view root = "");

// systemd's conf_files_list(".conf"): every entry whose name ends in ".conf" (hidden and backup
// names skipped; directories and dangling links included, as systemd includes them), sorted by
// name, a name found in an earlier directory masking the same name in later ones. Directories are
// resolved through symlinks first and duplicates dropped (/lib -> usr/lib). `root` is where the
// directories live; the paths returned include it.
std::vector<std::string> list_modules_load_files(std::span<const std::string> dirs);

// The longest line systemd reads (LONG_LINE_MAX, 1 MiB); a longer one ends the file with an error.
inline constexpr size_t k_modules_load_line_max = 1024 * 1024;
inline constexpr size_t k_modules_load_stream_max = 64 * k_modules_load_line_max;

// One file's entries: a line ends at \n, \r or NUL (\r\n and \n\r count once), is stripped of
// blanks, and is skipped when empty or starting with '#' or ';'. A line of k_modules_load_line_max
// bytes or more is an error (kind Invalid, errno ENOBUFS, with path and line); the entries before
// it are still returned in `entries`.
struct ParsedLoadFile {
    std::vector<LoadEntry> entries;
    std::optional<util::Error> error;
    unsigned lines = 0; // lines read
    std::string path;   // the file, as opened
};
ParsedLoadFile parse_modules_load(std::string_view data, const std::string& path);

// Reads and parses a file. A file that cannot be opened gives an Error (NotFound for ENOENT);
// one that cannot be read (a directory, EIO) gives an Error in `error` with what was read.
// A regular file is mapped, so its size does not matter; anything else (a pipe, a device) is
// read up to k_modules_load_stream_max bytes.
util::Expected<ParsedLoadFile> read_modules_load_file(const std::string& path);

// The kernel command line's modules_load= (also spelt modules-load=) values, split at commas,
// each name once, in order. rd.modules_load= counts only in the initrd. Quoting as systemd's
// proc_cmdline: a word may be quoted; backslashes are kept.
struct CmdlineLoad {
    std::vector<LoadEntry> entries;
    // Warnings systemd prints ("Missing argument for modules_load= ...").
    Diagnostics diagnostics;
};
enum class InInitrd { No, Yes };
CmdlineLoad parse_modules_load_cmdline(std::string_view cmdline, InInitrd in_initrd);

} // namespace modkit::config
