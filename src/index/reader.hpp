// Reads a kmod .bin index through a bounds-checked view: exact lookups (first value), wildcard
// lookups with libkmod's fnmatch rules and priority merge, and a full dump in trie pre-order.
// Every offset, count and string is checked; a corrupt index is an Error, never a crash, and
// hostile pointer cycles are stopped by a visit budget.
#pragma once

#include "util/byte_reader.hpp"
#include "util/error.hpp"
#include "util/mapped_file.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::index {

struct IndexValue {
    std::string_view value; // points into the index mapping
    uint32_t priority = 0;
};

class IndexReader {
public:
    // Maps and validates the header of `path`. Errors: ENOENT if missing; EINVAL for a file
    // shorter than the header, a bad magic or an unknown major version.
    static util::Expected<IndexReader> open(const std::string& path);
    // Maps an already-open descriptor (not closed here).
    static util::Expected<IndexReader> from_fd(int fd, const std::string& path);
    // Checks the 12-byte header: EINVAL for a short file, a bad magic or an unknown major version.
    static util::Expected<void> check_header(std::span<const uint8_t> bytes,
                                             const std::string& path);
    // Reads an index held in memory (not copied; must outlive the reader).
    static util::Expected<IndexReader> from_bytes(std::span<const uint8_t> bytes,
                                                  const std::string& path);

    // The first (lowest-priority) value stored under exactly `key`, or nullopt.
    util::Expected<std::optional<std::string_view>> search(std::string_view key) const;
    // Every value whose stored key (which may hold *, ? and [...] wildcards) matches `key`,
    // merged by priority as libkmod does; duplicates are kept.
    util::Expected<std::vector<IndexValue>> search_wild(std::string_view key) const;
    // Calls fn(key, value) for every value, in trie pre-order: a node's values, then its
    // children by ascending byte.
    util::Expected<void>
    dump(const std::function<void(std::string_view, std::string_view)>& fn) const;

    const std::string& path() const { return m_path; }
    // The mapped file's status (all zero for an index read from memory).
    const struct stat& file_stat() const { return m_file.stat(); }

private:
    struct Node;
    struct WildWalk;
    util::Expected<Node> read_node(uint32_t pointer) const;
    util::Expected<void> add_values(const Node& n, std::vector<IndexValue>& out) const;
    util::Error corrupt(std::string what) const;

    util::MappedFile m_file;
    util::ByteReader m_reader{std::string_view{}, util::Endian::Big};
    uint32_t m_root = 0;
    std::string m_path;
};

// Inserts `value` into a priority-ordered list the way libkmod does (before the first entry
// whose priority is >= its own).
void insert_by_priority(std::vector<IndexValue>& values, IndexValue value);

} // namespace modkit::index
