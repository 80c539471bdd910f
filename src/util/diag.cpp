// Diag: whole-line diagnostics on stderr.
#include "util/diag.hpp"

#include "util/output.hpp"

#include <cerrno>
#include <syslog.h>
#include <unistd.h>

namespace modkit::util {

namespace {
std::string g_program = "modkit";
LogLevel g_level = LogLevel::Warning;
bool g_syslog = false;

const char* level_name(LogLevel level) {
    switch (level) {
    case LogLevel::Fatal:
        return "FATAL";
    case LogLevel::Error:
        return "ERROR";
    case LogLevel::Warning:
        return "WARNING";
    case LogLevel::Notice:
        return "NOTICE";
    case LogLevel::Info:
        return "INFO";
    case LogLevel::Debug:
        return "DEBUG";
    }
    return "UNKNOWN";
}
} // namespace

void Diag::set_program(std::string name) {
    g_program = std::move(name);
}
const std::string& Diag::program() {
    return g_program;
}
void Diag::set_level(LogLevel level) {
    g_level = level;
}
LogLevel Diag::level() {
    return g_level;
}
bool Diag::enabled(LogLevel level) {
    return static_cast<int>(level) <= static_cast<int>(g_level);
}

void Diag::set_syslog(bool on) {
    static std::string ident; // openlog keeps the pointer
    if (on && !g_syslog) {
        ident = g_program;
        ::openlog(ident.c_str(), LOG_CONS, LOG_DAEMON);
    }
    if (!on && g_syslog) ::closelog();
    g_syslog = on;
}

void Diag::log(LogLevel level, std::string_view msg) {
    if (!enabled(level)) return;
    if (g_syslog) {
        std::string text(msg);
        ::syslog(static_cast<int>(level), "%s: %s", level_name(level), text.c_str());
        return;
    }
    std::string line;
    line.reserve(g_program.size() + msg.size() + 16);
    line += g_program;
    line += ": ";
    line += level_name(level);
    line += ": ";
    line += msg;
    if (line.back() != '\n') line += '\n';
    Output::flush();
    write_all(STDERR_FILENO, line);
}

void Diag::raw(std::string_view text) {
    Output::flush();
    write_all(STDERR_FILENO, text);
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

} // namespace modkit::util
