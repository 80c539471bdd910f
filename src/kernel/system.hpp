// The only door to the running kernel: module syscalls and the files under /proc and /sys.
// Everything above this layer (resolve, cli) works on a System&; the real one talks to the
// kernel, a fake one (tests/unit) records calls and serves a virtual /sys and /proc, and the
// VM tests exercise the real one against a real kernel.
#pragma once

#include "util/error.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::kernel {

// finit_module(2) flags.
inline constexpr int k_init_ignore_modversions = 1; // MODULE_INIT_IGNORE_MODVERSIONS
inline constexpr int k_init_ignore_vermagic = 2;    // MODULE_INIT_IGNORE_VERMAGIC
inline constexpr int k_init_compressed_file = 4;    // MODULE_INIT_COMPRESSED_FILE
// delete_module(2) flags.
inline constexpr unsigned k_delete_nonblock = 04000; // O_NONBLOCK
inline constexpr unsigned k_delete_trunc = 01000;    // O_TRUNC: forced removal

class System {
public:
    virtual ~System() = default;

    // Syscalls. Each returns 0 or -errno, exactly what the kernel answered.
    virtual int finit_module(int fd, const std::string& params, int flags) = 0;
    virtual int init_module(std::span<const uint8_t> image, const std::string& params) = 0;
    virtual int delete_module(const std::string& name, unsigned flags) = 0;

    // Files of the running system, by absolute path ("/sys/module/loop/refcnt",
    // "/proc/modules", "/proc/cmdline"). A fake serves them from memory or a directory.
    virtual util::Expected<std::string> read_file(const std::string& path) = 0;
    // Entry names of a directory (no "." and ".."), in readdir order.
    virtual util::Expected<std::vector<std::string>> list_dir(const std::string& path) = 0;
    virtual bool is_dir(const std::string& path) = 0;

    // uname -r.
    virtual std::string kernel_release() = 0;
    // uname -m ("x86_64").
    virtual std::string machine() = 0;
};

// The System of the machine this process runs on.
System& real_system();

} // namespace modkit::kernel
