// A small parallel primitive, no framework. Results land in a pre-sized vector at their input
// index, so output never depends on thread timing. jobs == 1 runs inline on the caller.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

namespace modkit::util {

// The number of worker threads to use when the user did not say: all online CPUs.
unsigned default_jobs();

// Calls fn(i) for i in [0, n) on up to `jobs` threads; returns the results in index order.
// fn must not throw.
template <class Fn>
auto parallel_map(size_t n, unsigned jobs, Fn&& fn)
    -> std::vector<std::invoke_result_t<Fn&, size_t>> {
    using T = std::invoke_result_t<Fn&, size_t>;
    std::vector<std::optional<T>> slots(n);
    jobs =
        static_cast<unsigned>(std::clamp<size_t>(jobs == 0 ? 1 : jobs, 1, std::max<size_t>(n, 1)));
    if (jobs == 1) {
        for (size_t i = 0; i < n; ++i)
            slots[i].emplace(fn(i));
    } else {
        std::atomic<size_t> next{0};
        auto worker = [&] {
            for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;)
                slots[i].emplace(fn(i));
        };
        std::vector<std::thread> threads;
        threads.reserve(jobs - 1);
        for (unsigned t = 1; t < jobs; ++t)
            threads.emplace_back(worker);
        worker();
        for (auto& t : threads)
            t.join();
    }
    std::vector<T> out;
    out.reserve(n);
    for (auto& s : slots)
        out.push_back(std::move(*s));
    return out;
}

// Streams: produce(i) runs on `jobs` worker threads, consume(i, result) runs on the calling
// thread in index order. Work is handed out in small batches, so synchronisation costs little
// per item, and at most `window` batches are in flight, so memory stays bounded however
// large n is.
template <class Produce, class Consume>
void parallel_ordered(size_t n, unsigned jobs, Produce&& produce, Consume&& consume) {
    using T = std::invoke_result_t<Produce&, size_t>;
    if (jobs <= 1 || n <= 1) {
        for (size_t i = 0; i < n; ++i)
            consume(i, produce(i));
        return;
    }
    constexpr size_t k_batch = 8;
    const size_t batches = (n + k_batch - 1) / k_batch;
    const size_t window = std::max<size_t>(16, size_t{4} * jobs);
    struct Slot {
        std::vector<T> items;
        std::atomic<int> ready{0};
    };
    std::vector<Slot> slots(window);
    std::atomic<size_t> next{0};     // next batch to claim
    std::atomic<size_t> consumed{0}; // batches fully consumed

    auto worker = [&] {
        for (;;) {
            size_t b = next.fetch_add(1, std::memory_order_relaxed);
            if (b >= batches) return;
            for (size_t c = consumed.load(std::memory_order_acquire); b >= c + window;
                 c = consumed.load(std::memory_order_acquire))
                consumed.wait(c, std::memory_order_acquire);
            Slot& slot = slots[b % window];
            slot.items.clear();
            size_t end = std::min(n, (b + 1) * k_batch);
            for (size_t i = b * k_batch; i < end; ++i)
                slot.items.push_back(produce(i));
            slot.ready.store(1, std::memory_order_release);
            slot.ready.notify_one();
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(jobs);
    for (unsigned t = 0; t < jobs; ++t)
        threads.emplace_back(worker);
    for (size_t b = 0; b < batches; ++b) {
        Slot& slot = slots[b % window];
        slot.ready.wait(0, std::memory_order_acquire);
        size_t i = b * k_batch;
        for (auto& item : slot.items)
            consume(i++, std::move(item));
        slot.items.clear();
        slot.ready.store(0, std::memory_order_relaxed);
        consumed.store(b + 1, std::memory_order_release);
        consumed.notify_all();
    }
    for (auto& t : threads)
        t.join();
}

} // namespace modkit::util
