// A bounds-checked, endian-explicit view over bytes. Every read of file data in modkit goes
// through this: reads past the end return nullopt instead of touching memory, offsets are
// checked for overflow, and nothing ever casts the buffer to a struct.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>

namespace modkit::util {

enum class Endian { Little, Big };

class ByteReader {
public:
    ByteReader() = default;
    explicit ByteReader(std::span<const uint8_t> data, Endian endian = Endian::Little)
        : m_data(data)
        , m_endian(endian) {}
    ByteReader(std::string_view data, Endian endian = Endian::Little)
        : m_data(reinterpret_cast<const uint8_t*>(data.data()), data.size())
        , m_endian(endian) {}

    size_t size() const { return m_data.size(); }
    Endian endian() const { return m_endian; }
    std::span<const uint8_t> bytes() const { return m_data; }
    std::string_view chars() const {
        return {reinterpret_cast<const char*>(m_data.data()), m_data.size()};
    }

    // True if [off, off + len) lies inside the buffer (overflow-safe).
    bool has(uint64_t off, uint64_t len) const {
        return off <= m_data.size() && len <= m_data.size() - off;
    }

    std::optional<uint8_t> u8(uint64_t off) const {
        if (!has(off, 1)) return std::nullopt;
        return m_data[off];
    }
    std::optional<uint16_t> u16(uint64_t off) const { return uint_n<uint16_t>(off); }
    std::optional<uint32_t> u32(uint64_t off) const { return uint_n<uint32_t>(off); }
    std::optional<uint64_t> u64(uint64_t off) const { return uint_n<uint64_t>(off); }

    // An unsigned integer of `width` bytes (1, 2, 4 or 8).
    std::optional<uint64_t> uint(uint64_t off, unsigned width) const {
        switch (width) {
        case 1:
            return u8(off);
        case 2:
            return u16(off);
        case 4:
            return u32(off);
        case 8:
            return u64(off);
        default:
            return std::nullopt;
        }
    }

    // The NUL-terminated string starting at `off`; nullopt if no NUL before the end.
    std::optional<std::string_view> cstring(uint64_t off) const {
        if (off >= m_data.size()) return std::nullopt;
        const void* nul = std::memchr(m_data.data() + off, 0, m_data.size() - off);
        if (nul == nullptr) return std::nullopt;
        auto len = static_cast<size_t>(static_cast<const uint8_t*>(nul) - (m_data.data() + off));
        return std::string_view(reinterpret_cast<const char*>(m_data.data() + off), len);
    }

    // Raw bytes [off, off + len) as a string_view.
    std::optional<std::string_view> str(uint64_t off, uint64_t len) const {
        if (!has(off, len)) return std::nullopt;
        return std::string_view(reinterpret_cast<const char*>(m_data.data() + off), len);
    }

    // A sub-reader over [off, off + len), same byte order.
    std::optional<ByteReader> sub(uint64_t off, uint64_t len) const {
        if (!has(off, len)) return std::nullopt;
        return ByteReader(m_data.subspan(off, len), m_endian);
    }

private:
    template <class T> std::optional<T> uint_n(uint64_t off) const {
        if (!has(off, sizeof(T))) return std::nullopt;
        // One load and at most one byte swap: index walks read millions of these.
        T v;
        std::memcpy(&v, m_data.data() + off, sizeof(T));
        if ((m_endian == Endian::Big) != (std::endian::native == std::endian::big))
            v = std::byteswap(v);
        return v;
    }

    std::span<const uint8_t> m_data;
    Endian m_endian = Endian::Little;
};

} // namespace modkit::util
