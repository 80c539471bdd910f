// Where a configuration directive came from, and the messages a parse produces. The config
// layer never prints: it returns diagnostics as data and the CLI prints them with its prefix.
#pragma once

#include "util/diag.hpp"

#include <string>
#include <vector>

namespace modkit::config {

// The file and 1-based line of a directive. kmod counts the line where a logical line ENDS
// (after its backslash-newline continuations). An empty file means the kernel command line
// (or, for depmod's implicit "search updates", no line at all).
struct Origin {
    std::string file;
    unsigned line = 0;

    bool from_kcmdline() const { return file.empty(); }
    // "file:line", "file" or "kernel command line".
    std::string describe() const;
};

struct Diagnostic {
    util::LogLevel level = util::LogLevel::Error;
    std::string file;    // empty when the message is not about one file
    unsigned line = 0;   // 0 when the message has no line
    std::string message; // the complete text kmod prints after its prefix, no newline
    // The libkmod function that logs it, for messages libkmod prints with its own prefix
    // ("libkmod: ERROR: kmod_config_parse: ..."); empty for the tools' own messages.
    std::string source = {};

    bool operator==(const Diagnostic&) const = default;
};

using Diagnostics = std::vector<Diagnostic>;

} // namespace modkit::config
