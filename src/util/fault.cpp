// fault_point(): SIGKILL at a named point, for crash-safety tests.
#include "util/fault.hpp"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <string>

namespace modkit::util {

void fault_point(std::string_view name) {
    static const std::string spec = [] {
        const char* v = std::getenv("MODKIT_FAULT");
        return std::string(v != nullptr ? v : "");
    }();
    if (spec.empty()) return;
    auto colon = spec.rfind(':');
    if (colon == std::string::npos || spec.compare(0, colon, name) != 0) return;
    static std::atomic<long> hits{0};
    long target = std::strtol(spec.c_str() + colon + 1, nullptr, 10);
    if (++hits == target) std::raise(SIGKILL);
}

} // namespace modkit::util
