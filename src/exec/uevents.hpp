// The kernel's device events for the layers above exec/: the uevent netlink socket of
// kernel/uevent_socket, reached through the executor like every other door to the kernel.
#pragma once

#include "kernel/uevent_socket.hpp"

namespace modkit::exec {

using kernel::UeventSocket;

} // namespace modkit::exec
