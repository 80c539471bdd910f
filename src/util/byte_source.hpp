// Where a parser's bytes come from: a buffer already in memory, or a file read piecewise with
// pread. Parsers ask for the ranges they need, so reading an uncompressed module's .modinfo
// and signature touches a few kilobytes instead of the whole file.
#pragma once

#include "util/buffer.hpp"
#include "util/byte_reader.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>

namespace modkit::util {

class ByteSource {
public:
    virtual ~ByteSource() = default;
    virtual uint64_t size() const = 0;
    // A reader over [off, off + len), valid as long as the source lives; nullopt if the range
    // is outside the source or cannot be read.
    virtual std::optional<ByteReader> read(uint64_t off, uint64_t len, Endian endian) const = 0;
    // The whole content, if it is in memory (nullopt for piecewise sources).
    virtual std::optional<std::span<const uint8_t>> whole() const { return std::nullopt; }
};

class MemorySource final : public ByteSource {
public:
    explicit MemorySource(std::span<const uint8_t> bytes)
        : m_bytes(bytes) {}
    uint64_t size() const override { return m_bytes.size(); }
    std::optional<ByteReader> read(uint64_t off, uint64_t len, Endian endian) const override {
        return ByteReader(m_bytes, endian).sub(off, len);
    }
    std::optional<std::span<const uint8_t>> whole() const override { return m_bytes; }

private:
    std::span<const uint8_t> m_bytes;
};

// Reads ranges of an open file on demand. Owns the descriptor. Not thread-safe.
class FileSource final : public ByteSource {
public:
    FileSource(int fd, uint64_t size, std::string path)
        : m_fd(fd)
        , m_size(size)
        , m_path(std::move(path)) {}
    FileSource(const FileSource&) = delete;
    FileSource& operator=(const FileSource&) = delete;
    ~FileSource() override;

    uint64_t size() const override { return m_size; }
    std::optional<ByteReader> read(uint64_t off, uint64_t len, Endian endian) const override;

private:
    int m_fd;
    uint64_t m_size;
    std::string m_path;
    mutable std::deque<Buffer> m_chunks; // stable addresses for returned readers
};

} // namespace modkit::util
