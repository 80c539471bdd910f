// IndexBuilder: Patricia-trie insertion with node splitting, and the two on-disk layouts.
#include "index/writer.hpp"

#include "index/format.hpp"

#include <algorithm>

namespace modkit::index {

namespace {

constexpr uint32_t k_no_child = UINT32_MAX;

void put_u32(std::string& out, uint32_t v) {
    char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                 static_cast<char>(v)};
    out.append(b, 4);
}

void patch_u32(std::string& out, size_t at, uint32_t v) {
    out[at] = static_cast<char>(v >> 24);
    out[at + 1] = static_cast<char>(v >> 16);
    out[at + 2] = static_cast<char>(v >> 8);
    out[at + 3] = static_cast<char>(v);
}

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u != 0 && u < k_child_max;
    });
}

} // namespace

IndexBuilder::IndexBuilder() { m_nodes.emplace_back(); }

uint32_t IndexBuilder::child_of(const Node& n, uint8_t ch) const {
    auto it = std::lower_bound(n.children.begin(), n.children.end(), ch,
                               [](const auto& c, uint8_t b) { return c.first < b; });
    return it != n.children.end() && it->first == ch ? it->second : k_no_child;
}

bool IndexBuilder::add_value(std::vector<Value>& values, uint32_t priority, std::string_view text) {
    bool duplicate = false;
    for (const auto& v : values) duplicate |= v.text == text;
    auto it = values.begin();
    while (it != values.end() && it->priority < priority) ++it;
    values.insert(it, Value{priority, std::string(text)});
    return duplicate;
}

bool IndexBuilder::insert(std::string_view key, std::string_view value, uint32_t priority,
                          bool* duplicate) {
    if (!is_ascii(key) || !(value.empty() || is_ascii(value))) return false;
    uint32_t cur = 0;
    size_t i = 0;
    for (;;) {
        // Walk the current node's prefix; split it where the key diverges.
        size_t j = 0;
        {
            const std::string& p = m_nodes[cur].prefix;
            while (j < p.size() && i + j < key.size() && p[j] == key[i + j]) ++j;
        }
        if (j < m_nodes[cur].prefix.size()) {
            Node tail;
            tail.prefix = m_nodes[cur].prefix.substr(j + 1);
            tail.values = std::move(m_nodes[cur].values);
            tail.children = std::move(m_nodes[cur].children);
            auto edge = static_cast<uint8_t>(m_nodes[cur].prefix[j]);
            auto tail_index = static_cast<uint32_t>(m_nodes.size());
            m_nodes.push_back(std::move(tail));
            Node& head = m_nodes[cur];
            head.prefix.resize(j);
            head.values.clear();
            head.children.assign(1, {edge, tail_index});
        }
        i += j;
        if (i == key.size()) {
            bool dup = add_value(m_nodes[cur].values, priority, value);
            if (duplicate != nullptr) *duplicate = dup;
            return true;
        }
        auto ch = static_cast<uint8_t>(key[i]);
        uint32_t next = child_of(m_nodes[cur], ch);
        if (next == k_no_child) {
            Node leaf;
            leaf.prefix = std::string(key.substr(i + 1));
            add_value(leaf.values, priority, value);
            if (duplicate != nullptr) *duplicate = false;
            auto leaf_index = static_cast<uint32_t>(m_nodes.size());
            m_nodes.push_back(std::move(leaf));
            auto& kids = m_nodes[cur].children;
            auto it = std::lower_bound(kids.begin(), kids.end(), ch,
                                       [](const auto& c, uint8_t b) { return c.first < b; });
            kids.insert(it, {ch, leaf_index});
            return true;
        }
        cur = next;
        ++i;
    }
}

std::string IndexBuilder::serialize(Layout layout) const {
    const size_t n = m_nodes.size();
    auto mask = [](const Node& node) {
        uint32_t m = 0;
        if (!node.prefix.empty()) m |= k_flag_prefix;
        if (!node.values.empty()) m |= k_flag_values;
        if (!node.children.empty()) m |= k_flag_childs;
        return m;
    };
    auto node_size = [](const Node& node) {
        uint64_t size = 0;
        if (!node.prefix.empty()) size += node.prefix.size() + 1;
        if (!node.children.empty())
            size += 2 + 4u * (node.children.back().first - node.children.front().first + 1u);
        if (!node.values.empty()) {
            size += 4;
            for (const auto& v : node.values) size += 4 + v.text.size() + 1;
        }
        return size;
    };
    // Writes a node given the file offsets of its children (pointer values incl. flags).
    auto emit = [&](std::string& out, const Node& node, const std::vector<uint32_t>& child_ptrs) {
        if (!node.prefix.empty()) {
            out += node.prefix;
            out += '\0';
        }
        if (!node.children.empty()) {
            uint8_t first = node.children.front().first, last = node.children.back().first;
            out += static_cast<char>(first);
            out += static_cast<char>(last);
            size_t k = 0;
            for (unsigned ch = first; ch <= last; ++ch) {
                if (k < node.children.size() && node.children[k].first == ch)
                    put_u32(out, child_ptrs[k++]);
                else
                    put_u32(out, 0);
            }
        }
        if (!node.values.empty()) {
            put_u32(out, static_cast<uint32_t>(node.values.size()));
            for (const auto& v : node.values) {
                put_u32(out, v.priority);
                out += v.text;
                out += '\0';
            }
        }
    };

    std::string out;
    put_u32(out, k_magic);
    put_u32(out, k_version);
    put_u32(out, 0);

    // Iterative traversals: the trie can be as deep as the longest key.
    if (layout == Layout::PreOrder) {
        // total[i]: bytes of node i plus its whole subtree.
        std::vector<uint64_t> total(n, 0);
        std::vector<uint32_t> order; // post-order, to sum totals bottom-up
        order.reserve(n);
        std::vector<std::pair<uint32_t, size_t>> stack{{0, 0}};
        while (!stack.empty()) {
            auto& [idx, k] = stack.back();
            if (k < m_nodes[idx].children.size()) {
                uint32_t c = m_nodes[idx].children[k++].second;
                stack.push_back({c, 0});
            } else {
                order.push_back(idx);
                stack.pop_back();
            }
        }
        for (uint32_t idx : order) {
            total[idx] = node_size(m_nodes[idx]);
            for (const auto& c : m_nodes[idx].children) total[idx] += total[c.second];
        }
        patch_u32(out, 8, k_header_size | mask(m_nodes[0]));
        // Pre-order emit: node, then children by ascending byte.
        std::vector<uint32_t> pending{0};
        std::vector<uint32_t> ptrs;
        while (!pending.empty()) {
            uint32_t idx = pending.back();
            pending.pop_back();
            const Node& node = m_nodes[idx];
            uint64_t cur = out.size() + node_size(node);
            ptrs.clear();
            for (const auto& c : node.children) {
                ptrs.push_back(static_cast<uint32_t>(cur) | mask(m_nodes[c.second]));
                cur += total[c.second];
            }
            emit(out, node, ptrs);
            for (auto it = node.children.rbegin(); it != node.children.rend(); ++it)
                pending.push_back(it->second);
        }
    } else {
        std::vector<uint32_t> written(n, 0);
        std::vector<std::pair<uint32_t, size_t>> stack{{0, 0}};
        std::vector<uint32_t> ptrs;
        while (!stack.empty()) {
            auto& [idx, k] = stack.back();
            if (k < m_nodes[idx].children.size()) {
                uint32_t c = m_nodes[idx].children[k++].second;
                stack.push_back({c, 0});
                continue;
            }
            const Node& node = m_nodes[idx];
            ptrs.clear();
            for (const auto& c : node.children) ptrs.push_back(written[c.second]);
            written[idx] = static_cast<uint32_t>(out.size()) | mask(node);
            emit(out, node, ptrs);
            stack.pop_back();
        }
        patch_u32(out, 8, written[0]);
    }
    return out;
}

} // namespace modkit::index
