// AtomicFile: temp file + fsync + rename.
#include "util/atomic_file.hpp"

#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::util {

namespace {
constexpr size_t k_flush_threshold = 1 << 20;
}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
    if (this != &other) {
        discard();
        m_fd = std::exchange(other.m_fd, -1);
        m_finished = other.m_finished;
        m_target = std::move(other.m_target);
        m_temp = std::move(other.m_temp);
        m_buffer = std::move(other.m_buffer);
        other.m_temp.clear();
    }
    return *this;
}

AtomicFile::~AtomicFile() {
    discard();
}

Expected<AtomicFile> AtomicFile::create(const std::string& target, mode_t mode) {
    AtomicFile file;
    file.m_target = target;
    auto slash = target.rfind('/');
    std::string dir = slash == std::string::npos ? "." : target.substr(0, slash);
    std::string base = slash == std::string::npos ? target : target.substr(slash + 1);
    std::string templ = dir + "/." + base + ".XXXXXX";
    int fd = mkostemp(templ.data(), O_CLOEXEC);
    if (fd < 0) return fail_errno(errno, target, "could not create temporary file");
    if (fchmod(fd, mode) < 0) {
        int err = errno;
        ::close(fd);
        unlink(templ.c_str());
        return fail_errno(err, templ, "could not set mode");
    }
    file.m_fd = fd;
    file.m_temp = std::move(templ);
    return file;
}

Expected<void> AtomicFile::flush() {
    size_t done = 0;
    while (done < m_buffer.size()) {
        ssize_t n = ::write(m_fd, m_buffer.data() + done, m_buffer.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno(errno, m_temp, "could not write");
        }
        done += static_cast<size_t>(n);
    }
    m_buffer.clear();
    return {};
}

Expected<void> AtomicFile::write(std::string_view data) {
    if (m_fd < 0) return fail(ErrorKind::Invalid, EBADF, m_target, "file is not open");
    m_buffer.append(data);
    if (m_buffer.size() >= k_flush_threshold) return flush();
    return {};
}

Expected<void> AtomicFile::finish(Sync sync) {
    if (m_finished) return {};
    if (m_fd < 0) return fail(ErrorKind::Invalid, EBADF, m_target, "file is not open");
    if (auto r = flush(); !r) return r;
    if (sync == Sync::Yes && fsync(m_fd) < 0) return fail_errno(errno, m_temp, "could not sync");
    m_finished = true;
    return {};
}

Expected<void> AtomicFile::commit() {
    if (auto r = finish(); !r) return r;
    ::close(m_fd);
    m_fd = -1;
    if (rename(m_temp.c_str(), m_target.c_str()) < 0) {
        auto err = fail_errno(errno, m_target, "could not rename " + m_temp);
        unlink(m_temp.c_str());
        m_temp.clear();
        return err;
    }
    m_temp.clear();
    return {};
}

void AtomicFile::discard() {
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    if (!m_temp.empty()) {
        unlink(m_temp.c_str());
        m_temp.clear();
    }
    m_buffer.clear();
}

Expected<void> write_file_atomic(const std::string& target, std::string_view data, mode_t mode,
                                 AtomicFile::Sync sync) {
    auto file = AtomicFile::create(target, mode);
    if (!file) return std::unexpected(file.error());
    if (auto r = file->write(data); !r) return r;
    if (auto r = file->finish(sync); !r) return r;
    return file->commit();
}

Expected<void> append_file(const std::string& path, std::string_view data) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return fail_errno(errno, path, "could not open");
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = n < 0 ? errno : EIO;
            ::close(fd);
            return fail_errno(err, path, "could not write");
        }
        done += static_cast<size_t>(n);
    }
    ::close(fd);
    return {};
}

} // namespace modkit::util
