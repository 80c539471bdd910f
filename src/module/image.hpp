// The bytes handed to init_module(2) for a module file: read whole, decompressed when the
// kernel cannot decompress it itself, and, for modprobe's and insmod's force flags, a copy with
// __versions and/or the vermagic removed, exactly as libkmod prepares it (do_init_module).
#pragma once

#include "module/decompress.hpp"
#include "util/buffer.hpp"
#include "util/diag.hpp"

#include <expected>
#include <span>
#include <string>

namespace modkit::module {

// The force flags of modprobe/insmod (libkmod's KMOD_PROBE_FORCE_*).
struct ForceFlags {
    bool vermagic = false;   // load despite a different vermagic string
    bool modversion = false; // load despite different symbol version CRCs
    bool any() const { return vermagic || modversion; }
};

// The whole contents of an open file from offset 0, or -errno.
std::expected<util::Buffer, int> read_fd(int fd);

// The image of the file open as `fd` (`path` names it in messages), compressed with `comp`:
// decompressed, then stripped for `force`. -errno on failure: a corrupt compressed image is
// logged at ERROR and gives its errno (EINVAL by default); a module that is not an ELF file
// cannot be stripped (ENOEXEC). Nothing to strip is logged at INFO ("Failed to strip
// modversion: ..."), as libkmod does, and the image goes as it is.
std::expected<util::Buffer, int> init_module_image(int fd, Compression comp,
                                                   const std::string& path, ForceFlags force,
                                                   const util::LogFn& log = {});

} // namespace modkit::module
