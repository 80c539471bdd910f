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

    // 3. Sizes, then the bytes.
    const size_t n = t.nodes.size();
    auto mask = [&](const Node& node) {
        uint32_t m = 0;
        if (!node.prefix.empty()) m |= k_flag_prefix;
        if (node.values_end > node.values_begin) m |= k_flag_values;
        if (!node.children.empty()) m |= k_flag_childs;
        return m;
    };
    auto node_size = [&](const Node& node) {
        uint64_t size = 0;
        if (!node.prefix.empty()) size += node.prefix.size() + 1;
        if (!node.children.empty())
            size += 2 + 4u * (node.children.back().first - node.children.front().first + 1u);
        if (node.values_end > node.values_begin) {
            size += 4;
            for (uint32_t v = node.values_begin; v < node.values_end; ++v)
                size += 4 + t.values[v].text.size() + 1;
        }
        return size;
    };
    std::vector<uint32_t> post; // children before parents
    post.reserve(n);
    {
        std::vector<std::pair<uint32_t, size_t>> stack{{0, 0}};
        while (!stack.empty()) {
            auto& [idx, k] = stack.back();
            if (k < t.nodes[idx].children.size()) {
                uint32_t c = t.nodes[idx].children[k++].second;
                stack.push_back({c, 0});
            } else {
                post.push_back(idx);
                stack.pop_back();
            }
        }
    }
    std::vector<uint64_t> size(n), total(n);
    uint64_t all = 0;
    for (uint32_t idx : post) {
        size[idx] = node_size(t.nodes[idx]);
        total[idx] = size[idx];
        for (const auto& c : t.nodes[idx].children)
            total[idx] += total[c.second];
        all += size[idx];
    }
    std::string out(k_header_size + all, '\0');
    char* base = out.data();
    put_u32(base, k_magic);
    put_u32(base + 4, k_version);

    // Writes node `idx` at `off` given its children's pointers (in child order).
    auto emit = [&](uint32_t idx, uint64_t off, const uint32_t* child_ptrs) {
        const Node& node = t.nodes[idx];
        char* p = base + off;
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
                put_u32(p, t.values[v].priority);
                p += 4;
                std::memcpy(p, t.values[v].text.data(), t.values[v].text.size());
                p += t.values[v].text.size() + 1;
            }
        }
    };

    std::vector<uint32_t> offset(n, 0);
    std::vector<uint32_t> ptrs;
    if (layout == Layout::PreOrder) {
        // Each node, then its children by ascending byte, each child's subtree contiguous.
        std::vector<uint32_t> pending{0};
        offset[0] = k_header_size;
        while (!pending.empty()) {
            uint32_t idx = pending.back();
            pending.pop_back();
            const Node& node = t.nodes[idx];
            uint64_t cur = offset[idx] + size[idx];
            ptrs.clear();
            for (const auto& c : node.children) {
                offset[c.second] = static_cast<uint32_t>(cur);
                ptrs.push_back(static_cast<uint32_t>(cur) | mask(t.nodes[c.second]));
                cur += total[c.second];
            }
            emit(idx, offset[idx], ptrs.data());
            for (auto it = node.children.rbegin(); it != node.children.rend(); ++it)
                pending.push_back(it->second);
        }
        put_u32(base + 8, k_header_size | mask(t.nodes[0]));
    } else {
        uint64_t cur = k_header_size;
        for (uint32_t idx : post) {
            offset[idx] = static_cast<uint32_t>(cur);
            cur += size[idx];
        }
        for (uint32_t idx : post) {
            ptrs.clear();
            for (const auto& c : t.nodes[idx].children)
                ptrs.push_back(offset[c.second] | mask(t.nodes[c.second]));
            emit(idx, offset[idx], ptrs.data());
        }
        put_u32(base + 8, offset[0] | mask(t.nodes[0]));
    }
    return out;
}

} // namespace modkit::index
