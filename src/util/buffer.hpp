// A growable byte buffer that does not zero what it allocates: module images and decompressed
// data are overwritten immediately, so zero-filling them (as std::vector does) is wasted work.
#pragma once

#include "util/error.hpp"

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>

namespace modkit::util {

class Buffer {
public:
    Buffer() = default;
    explicit Buffer(size_t size) { resize(size); }
    Buffer(std::span<const uint8_t> bytes) {
        resize(bytes.size());
        if (!bytes.empty()) std::memcpy(m_data.get(), bytes.data(), bytes.size());
    }
    Buffer(Buffer&&) noexcept = default;
    Buffer& operator=(Buffer&&) noexcept = default;

    // Changes the size; existing bytes are kept, new bytes are uninitialised.
    void resize(size_t size) {
        if (size > m_capacity) {
            size_t cap = std::max(size, m_capacity + m_capacity / 2);
            std::unique_ptr<uint8_t[]> grown(new uint8_t[cap]);
            if (m_size != 0) std::memcpy(grown.get(), m_data.get(), m_size);
            m_data = std::move(grown);
            m_capacity = cap;
        }
        m_size = size;
    }
    uint8_t* data() { return m_data.get(); }
    const uint8_t* data() const { return m_data.get(); }
    size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    std::span<const uint8_t> bytes() const { return {m_data.get(), m_size}; }
    uint8_t& operator[](size_t i) { return m_data[i]; }

private:
    std::unique_ptr<uint8_t[]> m_data;
    size_t m_size = 0;
    size_t m_capacity = 0;
};

// Reads a whole regular file. A directory fails with EISDIR.
Expected<Buffer> read_file_bytes(const std::string& path);

} // namespace modkit::util
