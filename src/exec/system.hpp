// The running system as the tools see it: the kernel::System interface (module syscalls, /sys,
// /proc, uname), reached through the executor. cli/ and libkmod/ include this, never kernel/.
#pragma once

#include "kernel/system.hpp"

namespace modkit::exec {

using System = kernel::System;

// The System of the machine this process runs on.
System& real_system();

} // namespace modkit::exec
