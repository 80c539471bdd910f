// init_module_image(): libkmod's do_init_module preparation, on modkit's module reader.
#include "module/image.hpp"

#include "module/module_file.hpp"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::module {

namespace {

// read(2) until `size` bytes or end of file; -errno on error.
ssize_t read_full(int fd, uint8_t* buf, size_t size) {
    size_t done = 0;
    while (done < size) {
        ssize_t n = ::read(fd, buf + done, size - done);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return -errno;
        }
        if (n == 0) break;
        done += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(done);
}

int errno_of(const util::Error& e, int fallback) {
    return -(e.sys_errno != 0 ? e.sys_errno : fallback);
}

} // namespace

std::expected<util::Buffer, int> read_fd(int fd) {
    if (::lseek(fd, 0, SEEK_SET) < 0) return std::unexpected(-errno);
    struct stat st {};
    if (::fstat(fd, &st) < 0) return std::unexpected(-errno);
    util::Buffer buf;
    size_t size = 0;
    size_t chunk = st.st_size > 0 ? static_cast<size_t>(st.st_size) + 1 : 65536;
    for (;;) {
        buf.resize(size + chunk);
        ssize_t n = read_full(fd, buf.data() + size, chunk);
        if (n < 0) return std::unexpected(static_cast<int>(n));
        size += static_cast<size_t>(n);
        if (static_cast<size_t>(n) < chunk) break;
        chunk = 65536;
    }
    buf.resize(size);
    return buf;
}

std::expected<util::Buffer, int> init_module_image(int fd, Compression comp,
                                                   const std::string& path, ForceFlags force,
                                                   const util::LogFn& log) {
    auto raw = read_fd(fd);
    if (!raw) return std::unexpected(raw.error());
    util::Buffer image;
    if (comp == Compression::None) {
        image = std::move(*raw);
    } else {
        auto inflated = decompress(raw->bytes(), comp, path);
        if (!inflated) {
            util::emit(log, util::LogLevel::Error, inflated.error().message);
            return std::unexpected(errno_of(inflated.error(), EINVAL));
        }
        image = std::move(*inflated);
    }
    if (!force.any()) return image;

    auto mod = ModuleFile::from_memory(std::move(image), path);
    if (!mod) return std::unexpected(errno_of(mod.error(), ENOEXEC));
    using Strip = ModuleFile::Strip;
    unsigned strip = 0;
    if (force.modversion) {
        if (mod->elf().find("__versions") != nullptr)
            strip |= static_cast<unsigned>(Strip::ModVersions);
        else
            util::emit(log, util::LogLevel::Info,
                       std::string("Failed to strip modversion: ") + std::strerror(ENOENT));
    }
    auto stripped = mod->stripped_image(strip);
    if (!stripped) return std::unexpected(errno_of(stripped.error(), EINVAL));
    if (force.vermagic) {
        auto both = mod->stripped_image(strip | static_cast<unsigned>(Strip::Vermagic));
        if (both)
            stripped = std::move(both);
        else
            util::emit(log, util::LogLevel::Info,
                       std::string("Failed to strip vermagic: ") + std::strerror(ENOENT));
    }
    return util::Buffer(std::span<const uint8_t>(*stripped));
}

} // namespace modkit::module
