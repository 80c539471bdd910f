// reserve_heap: glibc malloc tuning plus one madvise.
#include "util/prefault.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

namespace modkit::util {

void reserve_heap(size_t bytes) {
    if (bytes == 0) return;
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    constexpr size_t k_chunk = size_t{1} << 20;
    // One arena, so worker threads allocate from the populated heap too; memory given back
    // by free() stays with the process instead of being trimmed and faulted in again.
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, static_cast<int>(std::min<size_t>(bytes * 2, size_t{1} << 30)));
    std::vector<void*> chunks;
    for (size_t got = 0; got < bytes; got += k_chunk) {
        void* p = std::malloc(k_chunk);
        if (p == nullptr) break;
        chunks.push_back(p);
        auto begin = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1);
        auto end = (reinterpret_cast<uintptr_t>(p) + k_chunk) & ~(page - 1);
        madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
    }
    // Freed newest first, each merges into the top of the heap, which is kept.
    for (auto it = chunks.rbegin(); it != chunks.rend(); ++it)
        std::free(*it);
}

} // namespace modkit::util
