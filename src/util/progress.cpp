// ProgressLine: the terminal check, the rate limit and the in-place redraw.
#include "util/progress.hpp"

#include <chrono>
#include <cstdlib>
#include <string_view>
#include <unistd.h>

namespace modkit::util {

namespace {

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void write_all(std::string_view s) {
    while (!s.empty()) {
        ssize_t n = ::write(STDERR_FILENO, s.data(), s.size());
        if (n <= 0) return;
        s.remove_prefix(static_cast<size_t>(n));
    }
}

} // namespace

bool ProgressLine::wanted(bool stderr_is_tty, const char* term, const char* ci) {
    if (!stderr_is_tty) return false;
    if (ci != nullptr && *ci != '\0') return false;
    return term == nullptr || std::string_view(term) != "dumb";
}

ProgressLine::ProgressLine()
    : m_enabled(wanted(::isatty(STDERR_FILENO) == 1, std::getenv("TERM"), std::getenv("CI"))) {}

void ProgressLine::update(const std::string& text, bool force) {
    if (!m_enabled || m_finished) return;
    int64_t now = now_ms();
    int64_t last = m_last_ms.load(std::memory_order_relaxed);
    if (!force && now - last < 100) return;
    if (!m_last_ms.compare_exchange_strong(last, now) && !force) return;
    // Carriage return, the text, erase to the end of the line: one write.
    write_all("\r" + text + "\033[K");
    m_drawn = true;
}

void ProgressLine::clear() {
    if (m_enabled && m_drawn.exchange(false)) write_all("\r\033[K");
}

void ProgressLine::finish() {
    m_finished = true;
    clear();
}

} // namespace modkit::util
