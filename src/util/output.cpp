// Output: a process-wide stdout buffer.
#include "util/output.hpp"

#include "util/diag.hpp"

#include <string>
#include <unistd.h>

namespace modkit::util {

namespace {
constexpr size_t k_flush_at = 1 << 16;
std::string& buffer() {
    static std::string b;
    return b;
}
} // namespace

void Output::write(std::string_view text) {
    auto& b = buffer();
    b.append(text);
    if (b.size() >= k_flush_at) flush();
}

void Output::put(char c) {
    auto& b = buffer();
    b.push_back(c);
    if (b.size() >= k_flush_at) flush();
}

bool Output::flush() {
    auto& b = buffer();
    bool ok = write_all(STDOUT_FILENO, b);
    b.clear();
    return ok;
}

} // namespace modkit::util
