// Stable storage for many small strings: copies go into large chunks that never move, so the
// returned views stay valid for the arena's lifetime and no string is allocated on its own.
#pragma once

#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace modkit::util {

class StringArena {
public:
    std::string_view store(std::string_view s) {
        if (s.size() > m_left) grow(s.size());
        char* dst = m_next;
        if (!s.empty()) std::memcpy(dst, s.data(), s.size());
        m_next += s.size();
        m_left -= s.size();
        return {dst, s.size()};
    }

private:
    void grow(size_t need) {
        size_t size = std::max(k_chunk, need);
        m_chunks.push_back(std::make_unique<char[]>(size));
        m_next = m_chunks.back().get();
        m_left = size;
    }

    static constexpr size_t k_chunk = 256 * 1024;
    std::vector<std::unique_ptr<char[]>> m_chunks;
    char* m_next = nullptr;
    size_t m_left = 0;
};

} // namespace modkit::util
