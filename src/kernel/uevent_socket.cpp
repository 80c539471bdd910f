// UeventSocket: socket(AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT) bound to group 1, read
// with recvmsg so the sender's address can be checked.
#include "kernel/uevent_socket.hpp"

#include <cerrno>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

namespace modkit::kernel {

namespace {
constexpr unsigned k_kernel_group = 1;
constexpr size_t k_max_message = 16 * 1024; // the kernel's uevent buffer is 2 KiB of keys
} // namespace

std::expected<UeventSocket, int> UeventSocket::open(int rcvbuf) {
    int fd =
        ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
    if (fd < 0) return std::unexpected(-errno);
    util::UniqueFd owned(fd);
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
        (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    addr.nl_groups = k_kernel_group;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        return std::unexpected(-errno);
    return UeventSocket(std::move(owned));
}

std::expected<std::vector<uint8_t>, int> UeventSocket::receive() {
    std::vector<uint8_t> buf(k_max_message);
    sockaddr_nl from{};
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    ssize_t n = ::recvmsg(m_fd.get(), &msg, MSG_DONTWAIT);
    if (n < 0) return std::unexpected(errno == EWOULDBLOCK ? -EAGAIN : -errno);
    if (from.nl_pid != 0) return std::unexpected(-EPERM);
    if ((msg.msg_flags & MSG_TRUNC) != 0) return std::unexpected(-EMSGSIZE);
    buf.resize(static_cast<size_t>(n));
    return buf;
}

} // namespace modkit::kernel
