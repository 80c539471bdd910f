// FileSource: pread-backed ranges.
#include "util/byte_source.hpp"

#include <cerrno>
#include <unistd.h>

namespace modkit::util {

FileSource::~FileSource() {
    if (m_fd >= 0) ::close(m_fd);
}

std::optional<ByteReader> FileSource::read(uint64_t off, uint64_t len, Endian endian) const {
    if (off > m_size || len > m_size - off) return std::nullopt;
    Buffer& chunk = m_chunks.emplace_back(static_cast<size_t>(len));
    size_t done = 0;
    while (done < len) {
        ssize_t n = ::pread(m_fd, chunk.data() + done, len - done, static_cast<off_t>(off + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            m_chunks.pop_back(); // a short file (truncated under us) reads as out of range
            return std::nullopt;
        }
        done += static_cast<size_t>(n);
    }
    return ByteReader(chunk.bytes(), endian);
}

} // namespace modkit::util
