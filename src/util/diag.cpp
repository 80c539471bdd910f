// Diag: whole-line diagnostics on stderr.
#include "util/diag.hpp"

#include "util/output.hpp"

#include <cerrno>
#include <unistd.h>

namespace modkit::util {

namespace {
std::string g_program = "modkit";
LogLevel g_level = LogLevel::Warning;

const char* level_name(LogLevel level) {
    switch (level) {
    case LogLevel::Fatal: return "FATAL";
    case LogLevel::Error: return "ERROR";
    case LogLevel::Warning: return "WARNING";
    case LogLevel::Notice: return "NOTICE";
    case LogLevel::Info: return "INFO";
    case LogLevel::Debug: return "DEBUG";
    }
    return "UNKNOWN";
}
} // namespace

void Diag::set_program(std::string name) { g_program = std::move(name); }
const std::string& Diag::program() { return g_program; }
void Diag::set_level(LogLevel level) { g_level = level; }
LogLevel Diag::level() { return g_level; }
bool Diag::enabled(LogLevel level) { return static_cast<int>(level) <= static_cast<int>(g_level); }

void Diag::log(LogLevel level, std::string_view msg) {
    if (!enabled(level)) return;
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
