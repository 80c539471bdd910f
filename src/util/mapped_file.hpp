// A read-only file in memory: mmap for regular files, so large module trees are read without
// copying. Move-only; unmaps on destruction.
#pragma once

#include "util/error.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <sys/stat.h>

namespace modkit::util {

class MappedFile {
public:
    MappedFile() = default;
    MappedFile(MappedFile&& other) noexcept { *this = std::move(other); }
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    // Maps `path`. A directory fails with EISDIR; an empty file maps to an empty span. With
    // `populate`, every page is mapped up front (one system call instead of a page fault per
    // page: for a file that will be read whole).
    static Expected<MappedFile> open(const std::string& path, bool populate = false);
    // Maps an already-open descriptor (not closed here).
    static Expected<MappedFile> from_fd(int fd, const std::string& path, bool populate = false);

    std::span<const uint8_t> bytes() const { return {m_data, m_size}; }
    std::string_view chars() const { return {reinterpret_cast<const char*>(m_data), m_size}; }
    size_t size() const { return m_size; }
    const struct stat& stat() const { return m_stat; }
    const std::string& path() const { return m_path; }

private:
    const uint8_t* m_data = nullptr;
    size_t m_size = 0;
    struct stat m_stat {};
    std::string m_path;
};

// Reads a whole (small) file into a string.
Expected<std::string> read_file(const std::string& path);

} // namespace modkit::util
