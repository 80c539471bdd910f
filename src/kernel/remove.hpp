// Unloading a module, as libkmod's kmod_module_remove_module does: delete_module(2) with
// O_NONBLOCK always set and O_TRUNC for a forced removal.
#pragma once

#include "kernel/system.hpp"
#include "util/diag.hpp"

#include <string>

namespace modkit::kernel {

// Flags for remove_module.
inline constexpr unsigned k_remove_force = 1; // O_TRUNC: unload even if in use (KMOD_REMOVE_FORCE)
inline constexpr unsigned k_remove_nolog = 2; // do not log a failure (KMOD_REMOVE_NOLOG)

// Removes module `name`. Returns 0 or the kernel's -errno (-ENOENT: not loaded, -EWOULDBLOCK:
// in use, -EBUSY...). A failure is logged as "could not remove '<name>': <strerror>" unless
// k_remove_nolog is given.
int remove_module(System& sys, const std::string& name, unsigned flags = 0,
                  const util::LogFn& log = {});

} // namespace modkit::kernel
