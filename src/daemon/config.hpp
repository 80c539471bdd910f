// modkitd's configuration file (/etc/modkit/modkitd.conf, modkitd.conf(5)): "key = value" lines,
// '#' comments, one setting per line. Every problem is reported with its file and line, all of
// them in one pass; a file with any error is rejected whole (at start modkitd refuses to run,
// on SIGHUP it keeps the configuration it has).
#pragma once

#include "util/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace modkit::daemon {

enum class IdleUnload {
    Off,      // never unload (the default)
    Pressure, // unload idle on-demand modules while memory pressure is above the threshold
    Idle,     // unload them once idle for idle_seconds, pressure or not
};

struct DaemonConfig {
    bool coldplug = true;      // load drivers for devices present at start
    unsigned jobs = 4;         // modules initialised at once
    size_t queue_limit = 4096; // distinct modaliases waiting; beyond it, a rescan is scheduled
    IdleUnload idle_unload = IdleUnload::Off;
    unsigned idle_seconds = 300;      // refcount 0 and no holders for this long before unloading
    double pressure_threshold = 10.0; // /proc/pressure/memory "some avg10", percent
    unsigned check_seconds = 10;      // how often idle modules and pressure are looked at
    std::vector<std::string> keep;    // glob patterns never unloaded
    std::vector<std::string> allow;   // when not empty: only these patterns may be unloaded
    std::string status_file = "/run/modkit/modkitd.json";
    std::string history_file = "/var/lib/modkit/modkitd-history.json"; // on-demand history
    std::string source; // the file read, empty for the built-in defaults

    // The setting that refuses unloading `module`: "keep" or "allow", empty when it may go.
    std::string unload_refused_by(std::string_view module) const;
};

struct ConfigProblem {
    unsigned line = 0;
    std::string message;
};

struct ParsedConfig {
    DaemonConfig config;
    std::vector<ConfigProblem> problems; // empty: the file is valid
};

// Parses the text of `path` over the defaults.
ParsedConfig parse_daemon_config(std::string_view text, const std::string& path);

// Reads `path`: a missing file gives the defaults (NotFound is not an error); an unreadable
// one an Error; a file with problems an Error listing every "path:line: message" in `message`,
// one per line.
util::Expected<DaemonConfig> load_daemon_config(const std::string& path);

} // namespace modkit::daemon
