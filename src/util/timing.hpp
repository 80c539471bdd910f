// Phase timings for development: with MODKIT_TIMING set in the environment, each phase's
// wall time is printed to stderr when the timer ends. Costs nothing otherwise.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace modkit::util {

class PhaseTimer {
public:
    explicit PhaseTimer(const char* name)
        : m_name(name) {
        if (enabled()) m_start = std::chrono::steady_clock::now();
    }
    ~PhaseTimer() {
        if (!enabled()) return;
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - m_start)
                      .count();
        std::fprintf(stderr, "timing: %-24s %8.2f ms\n", m_name, static_cast<double>(us) / 1000.0);
    }
    static bool enabled() {
        static const bool on = std::getenv("MODKIT_TIMING") != nullptr;
        return on;
    }

private:
    const char* m_name;
    std::chrono::steady_clock::time_point m_start;
};

} // namespace modkit::util
