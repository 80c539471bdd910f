// modkitd's request queue: bounded, first in first out, and merging. A request for a modalias
// that is already waiting or being loaded is merged into it (one load serves every device with
// that alias: the driver binds them all), so a storm of events for one alias costs one lookup.
// When the queue is full a request is refused and the caller schedules a rescan, which finds
// the device again; memory stays bounded however many events arrive.
#pragma once

#include "daemon/loader.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <set>

namespace modkit::daemon {

enum class PushResult { Queued, Merged, Full };

class RequestQueue {
public:
    explicit RequestQueue(size_t limit)
        : m_limit(limit) {}

    PushResult push(DeviceRequest req);
    // The next request, waiting for one; nullopt once stop() was called.
    std::optional<DeviceRequest> pop();
    // The worker is done with `modalias`: a later event for it is a new request.
    void done(const std::string& modalias);
    void stop();
    void set_limit(size_t limit);

    // Nothing waiting and nothing being loaded.
    bool idle() const;
    size_t waiting() const;
    size_t in_flight() const;

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<DeviceRequest> m_queue;
    std::set<std::string> m_known; // waiting or in flight
    size_t m_in_flight = 0;
    size_t m_limit;
    bool m_stopped = false;
};

} // namespace modkit::daemon
