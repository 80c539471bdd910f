// IndexBuilder: the canonical Patricia trie from sorted keys, and the two on-disk layouts.
#include "index/writer.hpp"

#include "index/format.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace modkit::index {

namespace {

// True if every byte is 1..127, eight bytes at a time.
bool is_ascii(std::string_view s) {
    constexpr uint64_t k_ones = 0x0101010101010101ULL, k_highs = 0x8080808080808080ULL;
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        if ((w & k_highs) != 0 || ((w - k_ones) & ~w & k_highs) != 0) return false;
    }
    for (; i < s.size(); ++i) {
        auto u = static_cast<unsigned char>(s[i]);
        if (u == 0 || u >= k_child_max) return false;
    }
    return true;
}

void put_u32(char* p, uint32_t v) {
    p[0] = static_cast<char>(v >> 24);
    p[1] = static_cast<char>(v >> 16);
    p[2] = static_cast<char>(v >> 8);
    p[3] = static_cast<char>(v);
}

struct Value {
    uint32_t priority;
    std::string_view text;
};

struct Node {
    std::string_view prefix;
    uint32_t values_begin = 0, values_end = 0;          // range in Trie::values
    std::vector<std::pair<uint8_t, uint32_t>> children; // ascending byte
};

struct Trie {
    std::vector<Node> nodes{Node{}}; // nodes[0] is the root; it never has a prefix
    std::vector<Value> values;
};

size_t common_prefix(std::string_view a, std::string_view b) {
    size_t n = std::min(a.size(), b.size()), i = 0;
    while (i + 8 <= n && std::memcmp(a.data() + i, b.data() + i, 8) == 0)
        i += 8;
    while (i < n && a[i] == b[i])
        ++i;
    return i;
}

} // namespace

bool IndexBuilder::insert(std::string_view key, std::string_view value, uint32_t priority,
                          bool* duplicate) {
    if (!is_ascii(key) || !(value.empty() || is_ascii(value))) return false;
    key = m_strings.store(key);
    value = m_strings.store(value);
    if (duplicate != nullptr) *duplicate = !m_seen.emplace(key, value).second;
    m_entries.push_back({key, value, priority});
    return true;
}

namespace {

// Builds the subtree for entries seg[0..n) (indices into `entries`, in insertion order), all
// sharing key[0..depth). The node's prefix is the rest of their common prefix (the root has
// none); entries ending there become its values; the others are grouped by their next byte,
// stably, into children. This is an MSD radix sort that emits the trie as it goes; `seg` is
// reordered in place, so no memory is allocated per node.
template <class Entries>
uint32_t build(Trie& t, const Entries& entries, uint32_t* seg, size_t n, size_t depth, bool root,
               std::vector<uint32_t>& scratch) {
    auto idx = static_cast<uint32_t>(t.nodes.size());
    t.nodes.emplace_back();
    std::string_view first = entries[seg[0]].key;
    size_t lcp = root ? 0 : first.size() - depth;
    for (size_t k = 1; k < n && lcp > 0; ++k)
        lcp = std::min(lcp, common_prefix(first.substr(depth), entries[seg[k]].key.substr(depth)));
    t.nodes[idx].prefix = first.substr(depth, lcp);
    const size_t end = depth + lcp;

    // Values: entries whose key ends here, in depmod's order (before the first value with a
    // priority >= their own: ties end up last-inserted first). The rest move to the front.
    auto vb = static_cast<uint32_t>(t.values.size());
    size_t longer = 0;
    for (size_t k = 0; k < n; ++k) {
        const auto& ent = entries[seg[k]];
        if (ent.key.size() != end) {
            seg[longer++] = seg[k];
            continue;
        }
        auto it = t.values.begin() + vb;
        while (it != t.values.end() && it->priority < ent.priority)
            ++it;
        t.values.insert(it, Value{ent.priority, ent.value});
    }
    t.nodes[idx].values_begin = vb;
    t.nodes[idx].values_end = static_cast<uint32_t>(t.values.size());
    if (longer == 0) return idx;

    // Group the longer keys by their byte at `end`, stably: insertion sort for the small
    // groups that make up most of a trie, a counting sort for large ones.
    auto byte_at = [&](uint32_t e) { return static_cast<uint8_t>(entries[e].key[end]); };
    if (longer <= 24) {
        for (size_t i = 1; i < longer; ++i) {
            uint32_t v = seg[i];
            size_t j = i;
            while (j > 0 && byte_at(seg[j - 1]) > byte_at(v)) {
                seg[j] = seg[j - 1];
                --j;
            }
            seg[j] = v;
        }
    } else {
        uint32_t count[k_child_max] = {};
        for (size_t k = 0; k < longer; ++k)
            ++count[byte_at(seg[k])];
        uint32_t start[k_child_max];
        uint32_t acc = 0;
        for (unsigned c = 0; c < k_child_max; ++c) {
            start[c] = acc;
            acc += count[c];
        }
        scratch.resize(std::max(scratch.size(), longer));
        for (size_t k = 0; k < longer; ++k)
            scratch[start[byte_at(seg[k])]++] = seg[k];
        std::copy(scratch.begin(), scratch.begin() + static_cast<long>(longer), seg);
    }
    for (size_t k = 0; k < longer;) {
        uint8_t c = byte_at(seg[k]);
        size_t group = k;
        while (group < longer && byte_at(seg[group]) == c)
            ++group;
        uint32_t child = build(t, entries, seg + k, group - k, end + 1, false, scratch);
        t.nodes[idx].children.push_back({c, child});
        k = group;
    }
    return idx;
}

} // namespace

namespace {

// Lays a built trie out as bytes: each node's size, then the nodes in kmod 34's pre-order
// (each node before its children) or kmod's older post-order (children first), with every
// child pointer carrying its node's flags.
class TrieSerializer {
public:
    explicit TrieSerializer(const Trie& t)
        : m_t(t)
        , m_size(t.nodes.size())
        , m_total(t.nodes.size())
        , m_offset(t.nodes.size(), 0) {
        order_children_first();
        for (uint32_t idx : m_post) {
            m_size[idx] = node_size(m_t.nodes[idx]);
            m_total[idx] = m_size[idx];
            for (const auto& c : m_t.nodes[idx].children)
                m_total[idx] += m_total[c.second];
            m_all += m_size[idx];
        }
    }

    std::string write(Layout layout) {
        m_out.assign(k_header_size + m_all, '\0');
        put_u32(m_out.data(), k_magic);
        put_u32(m_out.data() + 4, k_version);
        uint32_t root = layout == Layout::PreOrder ? write_pre_order() : write_post_order();
        put_u32(m_out.data() + 8, root | mask(m_t.nodes[0]));
        return std::move(m_out);
    }

private:
    static uint32_t mask(const Node& node) {
        uint32_t m = 0;
        if (!node.prefix.empty()) m |= k_flag_prefix;
        if (node.values_end > node.values_begin) m |= k_flag_values;
        if (!node.children.empty()) m |= k_flag_childs;
        return m;
    }

    uint64_t node_size(const Node& node) const {
        uint64_t size = 0;
        if (!node.prefix.empty()) size += node.prefix.size() + 1;
        if (!node.children.empty())
            size += 2 + 4u * (node.children.back().first - node.children.front().first + 1u);
        if (node.values_end > node.values_begin) {
            size += 4;
            for (uint32_t v = node.values_begin; v < node.values_end; ++v)
                size += 4 + m_t.values[v].text.size() + 1;
        }
        return size;
    }

    // m_post: every node after its children.
    void order_children_first() {
        m_post.reserve(m_t.nodes.size());
        std::vector<std::pair<uint32_t, size_t>> stack{{0, 0}};
        while (!stack.empty()) {
            auto& [idx, k] = stack.back();
            if (k < m_t.nodes[idx].children.size()) {
                uint32_t c = m_t.nodes[idx].children[k++].second;
                stack.push_back({c, 0});
            } else {
                m_post.push_back(idx);
                stack.pop_back();
            }
        }
    }

    // Writes node `idx` at `off` given its children's pointers (in child order).
    void emit(uint32_t idx, uint64_t off, const uint32_t* child_ptrs) {
        const Node& node = m_t.nodes[idx];
        char* p = m_out.data() + off;
        if (!node.prefix.empty()) {
            std::memcpy(p, node.prefix.data(), node.prefix.size());
            p += node.prefix.size() + 1; // the NUL is already there
        }
        if (!node.children.empty()) {
            uint8_t first = node.children.front().first, last = node.children.back().first;
            *p++ = static_cast<char>(first);
            *p++ = static_cast<char>(last);
            for (size_t k = 0; k < node.children.size(); ++k)
                put_u32(p + 4u * (node.children[k].first - first), child_ptrs[k]);
            p += 4u * (last - first + 1u); // absent children stay 0
        }
        if (node.values_end > node.values_begin) {
            put_u32(p, node.values_end - node.values_begin);
            p += 4;
            for (uint32_t v = node.values_begin; v < node.values_end; ++v) {
                put_u32(p, m_t.values[v].priority);
                p += 4;
                std::memcpy(p, m_t.values[v].text.data(), m_t.values[v].text.size());
                p += m_t.values[v].text.size() + 1;
            }
        }
    }

    // Each node, then its children by ascending byte, each child's subtree contiguous.
    uint32_t write_pre_order() {
        std::vector<uint32_t> pending{0}, ptrs;
        m_offset[0] = k_header_size;
        while (!pending.empty()) {
            uint32_t idx = pending.back();
            pending.pop_back();
            const Node& node = m_t.nodes[idx];
            uint64_t cur = m_offset[idx] + m_size[idx];
            ptrs.clear();
            for (const auto& c : node.children) {
                m_offset[c.second] = static_cast<uint32_t>(cur);
                ptrs.push_back(static_cast<uint32_t>(cur) | mask(m_t.nodes[c.second]));
                cur += m_total[c.second];
            }
            emit(idx, m_offset[idx], ptrs.data());
            for (auto it = node.children.rbegin(); it != node.children.rend(); ++it)
                pending.push_back(it->second);
        }
        return k_header_size;
    }

    // Children before parents, the root last.
    uint32_t write_post_order() {
        uint64_t cur = k_header_size;
        for (uint32_t idx : m_post) {
            m_offset[idx] = static_cast<uint32_t>(cur);
            cur += m_size[idx];
        }
        std::vector<uint32_t> ptrs;
        for (uint32_t idx : m_post) {
            ptrs.clear();
            for (const auto& c : m_t.nodes[idx].children)
                ptrs.push_back(m_offset[c.second] | mask(m_t.nodes[c.second]));
            emit(idx, m_offset[idx], ptrs.data());
        }
        return m_offset[0];
    }

    const Trie& m_t;
    std::vector<uint32_t> m_post;
    std::vector<uint64_t> m_size, m_total;
    std::vector<uint32_t> m_offset;
    uint64_t m_all = 0;
    std::string m_out;
};

} // namespace

std::string IndexBuilder::serialize(Layout layout) const {
    Trie t;
    t.nodes.clear();
    t.values.reserve(m_entries.size());
    if (m_entries.empty()) {
        t.nodes.emplace_back();
    } else {
        std::vector<uint32_t> all(m_entries.size()), scratch;
        std::iota(all.begin(), all.end(), 0u);
        t.nodes.reserve(m_entries.size() * 2);
        build(t, m_entries, all.data(), all.size(), 0, true, scratch);
    }
    return TrieSerializer(t).write(layout);
}

} // namespace modkit::index
