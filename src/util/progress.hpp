// A live progress line on a terminal: redrawn in place on standard error at most ten times a
// second, erased when the work ends, and never written at all unless stderr is a terminal (so
// pipes, logs and CI see exactly the output they always did). Safe to update from several
// threads; each redraw is one write(2).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace modkit::util {

class ProgressLine {
public:
    // Enabled when stderr is a terminal, $TERM is not "dumb" and $CI is unset.
    ProgressLine();
    ~ProgressLine() { finish(); }
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    bool enabled() const { return m_enabled; }
    // Shows `text` unless the last redraw was less than 100 ms ago (`force` draws anyway).
    void update(const std::string& text, bool force = false);
    // Erases the line (if anything was drawn); later updates draw it again.
    void clear();
    // Erases the line for good: later updates draw nothing.
    void finish();

    // For tests: whether a terminal would get the line, from the facts the constructor reads.
    static bool wanted(bool stderr_is_tty, const char* term, const char* ci);

private:
    bool m_enabled = false;
    std::atomic<int64_t> m_last_ms{-1000};
    std::atomic<bool> m_drawn{false};
    std::atomic<bool> m_finished{false};
};

} // namespace modkit::util
