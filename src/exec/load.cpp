// insert_module(): libkmod's kmod_module_insert_module with do_finit_module and
// do_init_module, including kmod_file_open's magic check (a file shorter than the longest
// compression magic is EINVAL) and the ENOSYS fallback from finit_module to init_module.
#include "exec/load.hpp"

#include "kernel/module_state.hpp"
#include "util/unique_fd.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace modkit::exec {

namespace {

// The longest compression magic (xz); kmod_file_open reads exactly this much first.
constexpr size_t k_magic_size = 6;

bool kernel_decompresses(module::Compression file, kernel::KernelCompression kernel) {
    using KC = kernel::KernelCompression;
    switch (file) {
    case module::Compression::Gzip:
        return kernel == KC::Gzip;
    case module::Compression::Xz:
        return kernel == KC::Xz;
    case module::Compression::Zstd:
        return kernel == KC::Zstd;
    case module::Compression::None:
        return false;
    }
    return false;
}

// The first bytes of the file, for the magic; -errno, or -EINVAL when it is shorter.
int read_magic(int fd, uint8_t (&magic)[k_magic_size]) {
    size_t done = 0;
    while (done < k_magic_size) {
        ssize_t n = ::read(fd, magic + done, k_magic_size - done);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n < 0) return -errno;
        if (n == 0) return -EINVAL;
        done += static_cast<size_t>(n);
    }
    return ::lseek(fd, 0, SEEK_SET) < 0 ? -errno : 0;
}

} // namespace

int insert_module(System& sys, const std::string& path, const std::string& params,
                  module::ForceFlags force, const util::LogFn& log) {
    util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return -errno;
    uint8_t magic[k_magic_size];
    if (int err = read_magic(fd.get(), magic); err < 0) return err;
    const module::Compression comp = module::detect_compression(magic);

    // do_finit_module: only for what the kernel can read itself.
    if (comp == module::Compression::None ||
        kernel_decompresses(comp, kernel::kernel_compression(sys, log))) {
        int kflags = 0;
        if (comp != module::Compression::None) kflags |= kernel::k_init_compressed_file;
        if (force.vermagic) kflags |= kernel::k_init_ignore_vermagic;
        if (force.modversion) kflags |= kernel::k_init_ignore_modversions;
        int err = sys.finit_module(fd.get(), params, kflags);
        if (err != -ENOSYS) return err;
    }
    auto image = module::init_module_image(fd.get(), comp, path, force, log);
    if (!image) return image.error();
    return sys.init_module(image->bytes(), params);
}

} // namespace modkit::exec
