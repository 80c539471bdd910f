// read_file_bytes(): open + fstat + read, no mmap (mapping and unmapping thousands of module
// files costs more than copying them, especially with several threads).
#include "util/buffer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::util {

Expected<Buffer> read_file_bytes(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail_errno(errno, path, "could not open");
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int err = errno;
        ::close(fd);
        return fail_errno(err, path, "could not stat");
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        return fail_errno(EISDIR, path, "could not read");
    }
    Buffer buf(S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) : 65536);
    size_t done = 0;
    for (;;) {
        if (done == buf.size()) {
            if (S_ISREG(st.st_mode) && done == static_cast<size_t>(st.st_size)) {
                // Probe for growth since fstat (rare); one more read tells.
                uint8_t probe;
                ssize_t n = ::read(fd, &probe, 1);
                if (n <= 0) break;
                buf.resize(done + 65536);
                buf[done++] = probe;
                continue;
            }
            buf.resize(buf.size() * 2);
        }
        ssize_t n = ::read(fd, buf.data() + done, buf.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            return fail_errno(err, path, "could not read");
        }
        if (n == 0) break;
        done += static_cast<size_t>(n);
    }
    ::close(fd);
    buf.resize(done);
    return buf;
}

} // namespace modkit::util
