// MappedFile and read_file.
#include "util/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace modkit::util {

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        if (m_data != nullptr) munmap(const_cast<uint8_t*>(m_data), m_size);
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_stat = other.m_stat;
        m_path = std::move(other.m_path);
    }
    return *this;
}

MappedFile::~MappedFile() {
    if (m_data != nullptr) munmap(const_cast<uint8_t*>(m_data), m_size);
}

Expected<MappedFile> MappedFile::from_fd(int fd, const std::string& path, bool populate) {
    MappedFile file;
    file.m_path = path;
    if (fstat(fd, &file.m_stat) < 0) return fail_errno(errno, path, "could not stat");
    if (S_ISDIR(file.m_stat.st_mode)) return fail_errno(EISDIR, path, "could not read");
    if (!S_ISREG(file.m_stat.st_mode)) return fail_errno(EINVAL, path, "not a regular file");
    file.m_size = static_cast<size_t>(file.m_stat.st_size);
    if (file.m_size == 0) return file;
    void* p =
        mmap(nullptr, file.m_size, PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd, 0);
    if (p == MAP_FAILED) {
        file.m_size = 0;
        return fail_errno(errno, path, "could not map");
    }
    file.m_data = static_cast<const uint8_t*>(p);
    return file;
}

Expected<MappedFile> MappedFile::open(const std::string& path, bool populate) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail_errno(errno, path, "could not open");
    auto file = from_fd(fd, path, populate);
    ::close(fd);
    return file;
}

Expected<std::string> read_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail_errno(errno, path, "could not open");
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            return fail_errno(err, path, "could not read");
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
}

} // namespace modkit::util
