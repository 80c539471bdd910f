// Bulk-populates heap memory a run is about to use. Under virtualisation a page fault is
// expensive (measured on the 2-CPU development VM: touching 40 MiB of fresh memory page by
// page takes 105 ms, populating it with one madvise(MADV_POPULATE_WRITE) 5 ms), and a depmod
// run touches tens of megabytes of fresh heap. reserve_heap() grows glibc's main heap by
// `bytes` in one step, populates it, and keeps it: later allocations from every thread (one
// arena) reuse those pages instead of faulting them in one at a time. Best effort: on a
// kernel without MADV_POPULATE_WRITE (before 5.14) it only tunes malloc.
#pragma once

#include <cstddef>

namespace modkit::util {

void reserve_heap(size_t bytes);

} // namespace modkit::util
