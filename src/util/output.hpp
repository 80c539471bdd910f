// Buffered standard output. Tools write results here; Diag flushes it before every stderr
// message so a terminal shows output and errors in the order they happened.
#pragma once

#include <string_view>

namespace modkit::util {

class Output {
public:
    static void write(std::string_view text);
    static void put(char c);
    // Writes the buffer to fd 1. False if stdout is gone (EPIPE, closed).
    static bool flush();
};

} // namespace modkit::util
