// default_jobs(): the CPUs this process may run on.
#include "util/parallel.hpp"

#include <sched.h>

namespace modkit::util {

unsigned default_jobs() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return static_cast<unsigned>(n);
    }
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : n;
}

} // namespace modkit::util
