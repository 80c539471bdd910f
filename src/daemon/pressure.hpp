// Memory pressure as the kernel reports it in /proc/pressure/memory (PSI):
//   some avg10=0.00 avg60=0.00 avg300=0.00 total=0
//   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
// "some" is the share of time at least one task stalled on memory over the last 10, 60 and
// 300 seconds, in percent.
#pragma once

#include "util/error.hpp"

#include <cstdint>
#include <string_view>

namespace modkit::daemon {

struct PressureLine {
    double avg10 = 0, avg60 = 0, avg300 = 0;
    uint64_t total = 0; // microseconds stalled since boot
};

struct MemoryPressure {
    PressureLine some, full;
    bool has_full = false; // kernels before 5.? and some cgroup files have only "some"
};

// Errors (Corrupt, EBADMSG, naming `path` and the line): no "some" line, an unknown line kind,
// a field missing or not a number, a value out of range (avg outside 0..100).
util::Expected<MemoryPressure> parse_memory_pressure(std::string_view text,
                                                     const std::string& path);

} // namespace modkit::daemon
