// A cap on bytes held at once by parallel workers (for example, decompressed modules). A worker
// that would push the total over the limit waits, unless nothing is held at all, so one item
// larger than the limit still goes through, alone.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace modkit::util {

class MemoryBudget {
public:
    explicit MemoryBudget(uint64_t limit)
        : m_limit(limit) {}

    void acquire(uint64_t bytes) {
        std::unique_lock lock(m_mu);
        m_cv.wait(lock, [&] { return m_held == 0 || m_held + bytes <= m_limit; });
        m_held += bytes;
    }
    void release(uint64_t bytes) {
        {
            std::lock_guard lock(m_mu);
            m_held -= bytes;
        }
        m_cv.notify_all();
    }

    // Holds `bytes` of the budget until destroyed.
    class Lease {
    public:
        Lease() = default;
        Lease(MemoryBudget* budget, uint64_t bytes)
            : m_budget(budget)
            , m_bytes(bytes) {
            if (m_budget != nullptr) m_budget->acquire(m_bytes);
        }
        Lease(Lease&& o) noexcept
            : m_budget(o.m_budget)
            , m_bytes(o.m_bytes) {
            o.m_budget = nullptr;
        }
        Lease& operator=(Lease&& o) noexcept {
            if (this != &o) {
                reset();
                m_budget = o.m_budget;
                m_bytes = o.m_bytes;
                o.m_budget = nullptr;
            }
            return *this;
        }
        ~Lease() { reset(); }
        void reset() {
            if (m_budget != nullptr) m_budget->release(m_bytes);
            m_budget = nullptr;
        }

    private:
        MemoryBudget* m_budget = nullptr;
        uint64_t m_bytes = 0;
    };

private:
    std::mutex m_mu;
    std::condition_variable m_cv;
    uint64_t m_limit;
    uint64_t m_held = 0;
};

} // namespace modkit::util
