// insert_module(): libkmod's kmod_module_insert_module with do_finit_module and
// do_init_module, including kmod_file_open's magic check (a file shorter than the longest
// compression magic is EINVAL) and the ENOSYS fallback from finit_module to init_module.
#include "kernel/insert.hpp"

#include "kernel/module_state.hpp"
#include "module/decompress.hpp"
#include "module/module_file.hpp"
#include "util/buffer.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::kernel {

namespace {

using util::LogLevel;

// The longest compression magic (xz); kmod_file_open reads exactly this much first.
constexpr size_t k_magic_size = 6;

class Fd {
public:
    explicit Fd(int fd)
        : m_fd(fd) {}
    ~Fd() {
        if (m_fd >= 0) ::close(m_fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

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

// The whole file from offset 0.
std::expected<util::Buffer, int> read_contents(int fd) {
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

// do_init_module: the image (decompressed, and stripped for the force flags) to init_module.
int init_from_contents(System& sys, int fd, module::Compression comp, const std::string& path,
                       const std::string& params, unsigned flags, const LogFn& log) {
    auto raw = read_contents(fd);
    if (!raw) return raw.error();
    util::Buffer image;
    if (comp == module::Compression::None) {
        image = std::move(*raw);
    } else {
        auto inflated = module::decompress(raw->bytes(), comp, path);
        if (!inflated) {
            emit(log, LogLevel::Error, inflated.error().message);
            return -(inflated.error().sys_errno != 0 ? inflated.error().sys_errno : EINVAL);
        }
        image = std::move(*inflated);
    }
    if ((flags & (k_insert_force_vermagic | k_insert_force_modversion)) == 0)
        return sys.init_module(image.bytes(), params);

    auto mod = module::ModuleFile::from_memory(std::move(image), path);
    if (!mod) return -(mod.error().sys_errno != 0 ? mod.error().sys_errno : ENOEXEC);
    using Strip = module::ModuleFile::Strip;
    unsigned strip = 0;
    if (flags & k_insert_force_modversion) {
        if (mod->elf().find("__versions") != nullptr)
            strip |= static_cast<unsigned>(Strip::ModVersions);
        else
            emit(log, LogLevel::Info,
                 std::string("Failed to strip modversion: ") + std::strerror(ENOENT));
    }
    auto stripped = mod->stripped_image(strip);
    if (!stripped) return -(stripped.error().sys_errno != 0 ? stripped.error().sys_errno : EINVAL);
    if (flags & k_insert_force_vermagic) {
        auto both = mod->stripped_image(strip | static_cast<unsigned>(Strip::Vermagic));
        if (both)
            stripped = std::move(both);
        else
            emit(log, LogLevel::Info,
                 std::string("Failed to strip vermagic: ") + std::strerror(ENOENT));
    }
    return sys.init_module(*stripped, params);
}

} // namespace

std::string absolute_path(const std::string& path) {
    if (!path.empty() && path[0] == '/') return path;
    char* cwd = ::get_current_dir_name();
    if (cwd == nullptr) return path;
    std::string out = std::string(cwd) + "/" + path;
    std::free(cwd);
    return out;
}

int insert_module(System& sys, const std::string& path, const std::string& params, unsigned flags,
                  const LogFn& log) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return -errno;

    uint8_t magic[k_magic_size];
    ssize_t n = read_full(fd.get(), magic, sizeof magic);
    if (n < 0) return static_cast<int>(n);
    if (static_cast<size_t>(n) != k_magic_size) return -EINVAL;
    if (::lseek(fd.get(), 0, SEEK_SET) < 0) return -errno;
    const module::Compression comp = module::detect_compression(magic);

    // do_finit_module: only for what the kernel can read itself.
    if (comp == module::Compression::None || comp == kernel_compression(sys, log)) {
        int kflags = 0;
        if (comp != module::Compression::None) kflags |= k_init_compressed_file;
        if (flags & k_insert_force_vermagic) kflags |= k_init_ignore_vermagic;
        if (flags & k_insert_force_modversion) kflags |= k_init_ignore_modversions;
        int err = sys.finit_module(fd.get(), params, kflags);
        if (err != -ENOSYS) return err;
    }
    return init_from_contents(sys, fd.get(), comp, path, params, flags, log);
}

} // namespace modkit::kernel
