// A kernel uevent as modkitd reads it: the netlink datagram "ACTION@DEVPATH\0KEY=VALUE\0..."
// the kernel multicasts for every device event, and the KEY=VALUE lines of a device's
// /sys/.../uevent file that coldplug reads. The parser is strict: a message that is not
// exactly that shape is an error naming what is wrong, and the caller drops it with a log line.
#pragma once

#include "util/error.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modkit::daemon {

// The largest datagram accepted (the kernel's own events are at most about 2 KiB of keys).
inline constexpr size_t k_uevent_max = 8192;

struct Uevent {
    std::string action;  // add, remove, change, bind, unbind, move, online, offline
    std::string devpath; // /devices/pci0000:00/0000:00:03.0
    std::vector<std::pair<std::string, std::string>> env; // in message order
    uint64_t seqnum = 0;                                  // SEQNUM, 0 when absent

    // The value of `key`, if the event carries it.
    std::optional<std::string_view> get(std::string_view key) const;
    std::optional<std::string_view> modalias() const { return get("MODALIAS"); }
};

// A netlink datagram from the kernel. Errors (kind Corrupt, errno EBADMSG): a message from
// libudev ("libudev\0" header), an empty or oversized one, a header without '@', a field
// without '=' or with an empty key, a field with a byte below 0x20 other than in the value
// of a key (tabs are kept), ACTION or DEVPATH contradicting the header, a SEQNUM that is not
// a number.
util::Expected<Uevent> parse_uevent(std::span<const uint8_t> message);

// The text of a device's "uevent" file (KEY=VALUE lines) under `devpath` ("/devices/..."),
// as an event with `action`. Blank lines are skipped; a line without '=' is an error naming
// the line.
util::Expected<Uevent> parse_uevent_file(std::string_view text, std::string devpath,
                                         std::string action = "add");

} // namespace modkit::daemon
