// The kernel's uevent netlink socket (NETLINK_KOBJECT_UEVENT, the kernel's multicast group),
// as udev and mdev -d listen to it: one datagram per device event. Only messages the kernel
// itself sent (sender port 0) are returned; anything a process multicasts is dropped here.
#pragma once

#include "util/unique_fd.hpp"

#include <cstdint>
#include <expected>
#include <vector>

namespace modkit::kernel {

class UeventSocket {
public:
    // Binds to the kernel's group with a receive buffer of `rcvbuf` bytes (SO_RCVBUFFORCE when
    // privileged, SO_RCVBUF otherwise). -errno when the socket cannot be made.
    static std::expected<UeventSocket, int> open(int rcvbuf = 8 * 1024 * 1024);

    int fd() const { return m_fd.get(); }

    // One datagram, without blocking: its bytes, -EAGAIN when none is waiting, -ENOBUFS when the
    // kernel dropped messages (the socket overran: the caller must rescan), -EPERM for a
    // message that did not come from the kernel (dropped), -EMSGSIZE for one longer than any
    // uevent (dropped), or another -errno.
    std::expected<std::vector<uint8_t>, int> receive();

private:
    explicit UeventSocket(util::UniqueFd fd)
        : m_fd(std::move(fd)) {}
    util::UniqueFd m_fd;
};

} // namespace modkit::kernel
