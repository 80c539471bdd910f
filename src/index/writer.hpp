// Builds a kmod index in memory and serialises it in kmod 34's pre-order layout (or the
// kmod <= 33 post-order layout, for tests). See index/format.hpp for the format.
//
// depmod inserts keys one by one into a Patricia trie; the trie it ends up with is the
// canonical one for the key set, so modkit builds the same trie in one pass over the sorted
// keys instead. Only the order of values under one key depends on insertion order, and that
// is reproduced exactly (ascending priority, ties last-inserted first). Keys and values are
// copied into an arena; nodes refer to them by view.
#pragma once

#include "util/string_arena.hpp"

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modkit::index {

enum class Layout { PreOrder, PostOrder };

class IndexBuilder {
public:
    // Adds (key, value) with `priority`. Keys and values must be 7-bit ASCII without NUL;
    // returns false (and adds nothing) otherwise. Duplicates are kept, as depmod keeps them.
    // `duplicate`, if given, tells whether the key already held this value (costs a lookup;
    // depmod asks only for -w).
    bool insert(std::string_view key, std::string_view value, uint32_t priority,
                bool* duplicate = nullptr);
    // The serialised index.
    std::string serialize(Layout layout = Layout::PreOrder) const;
    size_t size() const { return m_entries.size(); }

private:
    struct Entry {
        std::string_view key;
        std::string_view value;
        uint32_t priority;
    };
    util::StringArena m_strings;
    std::vector<Entry> m_entries;                                   // insertion order
    std::set<std::pair<std::string_view, std::string_view>> m_seen; // only for `duplicate`
};

} // namespace modkit::index
