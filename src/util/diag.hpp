// The diagnostics sink: every message is one whole line written with a single write(2), so
// lines from parallel workers never interleave. Tools print "<prog>: <LEVEL>: message" as
// kmod does.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace modkit::util {

enum class LogLevel { Fatal = 2, Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

class Diag {
public:
    // The program name in messages ("modprobe", "depmod"...).
    static void set_program(std::string name);
    static const std::string& program();
    // Messages above this level are dropped (kmod's log priority).
    static void set_level(LogLevel level);
    static LogLevel level();
    static bool enabled(LogLevel level);
    // Sends log() messages to syslog(3) as "LEVEL: msg" at their priority, under the program
    // name, instead of stderr (kmod's -s/--syslog). raw() still writes to stderr.
    static void set_syslog(bool on);

    // "<prog>: <LEVEL>: msg" (a newline is added if msg lacks one).
    static void log(LogLevel level, std::string_view msg);
    static void error(std::string_view msg) { log(LogLevel::Error, msg); }
    static void warning(std::string_view msg) { log(LogLevel::Warning, msg); }
    static void info(std::string_view msg) { log(LogLevel::Info, msg); }
    // Writes `text` to stderr exactly as given, in one write.
    static void raw(std::string_view text);
};

// The one sink type for messages logged while work is done, by any layer: a level and one
// line. The tools pass util::Diag (the default when a LogFn is empty), libkmod forwards to the
// caller's kmod_set_log_fn, tests record. See docs/architecture.md, "Diagnostics".
using LogFn = std::function<void(LogLevel, const std::string&)>;

// Sends `msg` to `log`, or to util::Diag when `log` is empty.
inline void emit(const LogFn& log, LogLevel level, const std::string& msg) {
    if (log)
        log(level, msg);
    else
        Diag::log(level, msg);
}

// Writes all of `data` to `fd`, retrying on EINTR and short writes. False on error.
bool write_all(int fd, std::string_view data);

} // namespace modkit::util
