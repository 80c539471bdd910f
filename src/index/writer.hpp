// Builds a kmod index trie in memory and serialises it in kmod 34's pre-order layout (or the
// kmod <= 33 post-order layout, for tests). See index/format.hpp for the format; insertion
// order and value order reproduce depmod's bytes exactly.
#pragma once

#include "util/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::index {

enum class Layout { PreOrder, PostOrder };

class IndexBuilder {
public:
    IndexBuilder();
    // Adds (key, value) with `priority`. Keys and values must be 7-bit ASCII without NUL;
    // returns false (and adds nothing) otherwise. Duplicates are kept, as depmod keeps them;
    // `duplicate`, if given, tells whether the key already held this value.
    bool insert(std::string_view key, std::string_view value, uint32_t priority,
                bool* duplicate = nullptr);
    // The serialised index.
    std::string serialize(Layout layout = Layout::PreOrder) const;
    size_t node_count() const { return m_nodes.size(); }

private:
    struct Value {
        uint32_t priority;
        std::string text;
    };
    struct Node {
        std::string prefix;
        std::vector<Value> values;
        std::vector<std::pair<uint8_t, uint32_t>> children; // (byte, node index), sorted by byte
    };
    uint32_t child_of(const Node& n, uint8_t ch) const;
    static bool add_value(std::vector<Value>& values, uint32_t priority, std::string_view text);

    std::vector<Node> m_nodes; // m_nodes[0] is the root
};

} // namespace modkit::index
