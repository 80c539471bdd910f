// remove_module(): libkmod's kmod_module_remove_module.
#include "kernel/remove.hpp"

#include <cstring>

namespace modkit::kernel {

int remove_module(System& sys, const std::string& name, unsigned flags, const util::LogFn& log) {
    unsigned kflags = k_delete_nonblock;
    if (flags & k_remove_force) kflags |= k_delete_trunc;
    int err = sys.delete_module(name, kflags);
    if (err < 0 && !(flags & k_remove_nolog))
        util::emit(log, util::LogLevel::Error,
                   "could not remove '" + name + "': " + std::strerror(-err));
    return err;
}

} // namespace modkit::kernel
