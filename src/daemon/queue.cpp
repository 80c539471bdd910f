// RequestQueue: a deque and the set of modaliases it (or a worker) holds.
#include "daemon/queue.hpp"

namespace modkit::daemon {

PushResult RequestQueue::push(DeviceRequest req) {
    {
        std::lock_guard lock(m_mutex);
        if (m_known.contains(req.modalias)) return PushResult::Merged;
        if (m_queue.size() >= m_limit) return PushResult::Full;
        m_known.insert(req.modalias);
        m_queue.push_back(std::move(req));
    }
    m_cv.notify_one();
    return PushResult::Queued;
}

std::optional<DeviceRequest> RequestQueue::pop() {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return m_stopped || !m_queue.empty(); });
    if (m_stopped) return std::nullopt;
    DeviceRequest r = std::move(m_queue.front());
    m_queue.pop_front();
    ++m_in_flight;
    return r;
}

void RequestQueue::done(const std::string& modalias) {
    std::lock_guard lock(m_mutex);
    m_known.erase(modalias);
    if (m_in_flight > 0) --m_in_flight;
}

void RequestQueue::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopped = true;
    }
    m_cv.notify_all();
}

void RequestQueue::set_limit(size_t limit) {
    std::lock_guard lock(m_mutex);
    m_limit = limit;
}

bool RequestQueue::idle() const {
    std::lock_guard lock(m_mutex);
    return m_queue.empty() && m_in_flight == 0;
}

size_t RequestQueue::waiting() const {
    std::lock_guard lock(m_mutex);
    return m_queue.size();
}

size_t RequestQueue::in_flight() const {
    std::lock_guard lock(m_mutex);
    return m_in_flight;
}

} // namespace modkit::daemon
