// IndexReader: libkmod's index_mm_* lookups over a bounds-checked view.
#include "index/reader.hpp"

#include "index/format.hpp"

#include "util/glob.hpp"

namespace modkit::index {

using util::ErrorKind;

namespace {
constexpr unsigned k_max_depth = 4096; // no real key is longer; deeper means a hostile file
}

struct IndexReader::Node {
    std::string_view prefix;
    unsigned first = k_child_max; // no children when first > last
    unsigned last = 0;
    uint64_t children_off = 0;
    uint32_t value_count = 0;
    uint64_t values_off = 0;
};

util::Error IndexReader::corrupt(std::string what) const {
    return util::Error{ErrorKind::Corrupt, EINVAL, m_path, 0, "corrupt index: " + what};
}

util::Expected<void> IndexReader::check_header(std::span<const uint8_t> bytes,
                                               const std::string& path) {
    if (bytes.size() < k_header_size)
        return util::fail(ErrorKind::Corrupt, EINVAL, path, "index file too short");
    util::ByteReader r(bytes, util::Endian::Big);
    if (*r.u32(0) != k_magic)
        return util::fail(ErrorKind::Corrupt, EINVAL, path, "bad index magic");
    if (*r.u32(4) >> 16 != k_version_major)
        return util::fail(ErrorKind::Corrupt, EINVAL, path, "unsupported index version");
    return {};
}

util::Expected<IndexReader> IndexReader::from_bytes(std::span<const uint8_t> bytes,
                                                    const std::string& path) {
    if (auto ok = check_header(bytes, path); !ok) return std::unexpected(ok.error());
    IndexReader r;
    r.m_path = path;
    r.m_reader = util::ByteReader(bytes, util::Endian::Big);
    r.m_root = *r.m_reader.u32(8);
    return r;
}

util::Expected<IndexReader> IndexReader::from_fd(int fd, const std::string& path) {
    auto file = util::MappedFile::from_fd(fd, path);
    if (!file) return std::unexpected(file.error());
    auto r = from_bytes(file->bytes(), path);
    if (!r) return r;
    r->m_file = std::move(*file);
    return r;
}

util::Expected<IndexReader> IndexReader::open(const std::string& path) {
    auto file = util::MappedFile::open(path);
    if (!file) return std::unexpected(file.error());
    auto r = from_bytes(file->bytes(), path);
    if (!r) return r;
    r->m_file = std::move(*file);
    return r;
}

util::Expected<IndexReader::Node> IndexReader::read_node(uint32_t pointer) const {
    Node n;
    uint64_t off = pointer & k_offset_mask;
    const auto& r = m_reader;
    if (pointer & k_flag_prefix) {
        auto s = r.cstring(off);
        if (!s) return std::unexpected(corrupt("node prefix out of bounds"));
        n.prefix = *s;
        off += s->size() + 1;
    }
    if (pointer & k_flag_childs) {
        auto first = r.u8(off), last = r.u8(off + 1);
        if (!first || !last) return std::unexpected(corrupt("child table out of bounds"));
        n.first = *first;
        n.last = *last;
        off += 2;
        n.children_off = off;
        if (n.first <= n.last) {
            uint64_t count = n.last - n.first + 1u;
            if (!r.has(off, count * 4))
                return std::unexpected(corrupt("child table out of bounds"));
            off += count * 4;
        }
    }
    if (pointer & k_flag_values) {
        auto count = r.u32(off);
        if (!count) return std::unexpected(corrupt("value count out of bounds"));
        n.value_count = *count;
        n.values_off = off + 4;
        // Each value takes at least 5 bytes: a cheap bound before anything iterates them.
        if (!r.has(n.values_off, uint64_t{n.value_count} * 5))
            return std::unexpected(corrupt("values out of bounds"));
    }
    return n;
}

namespace {

// The pointer to `node`'s child for byte `ch`, or 0.
uint32_t child_pointer(const util::ByteReader& r, unsigned first, unsigned last,
                       uint64_t children_off, unsigned ch) {
    if (ch < first || ch > last) return 0;
    return *r.u32(children_off + 4u * (ch - first)); // range checked in read_node
}

} // namespace

void insert_by_priority(std::vector<IndexValue>& values, IndexValue value) {
    auto it = values.begin();
    while (it != values.end() && it->priority < value.priority)
        ++it;
    values.insert(it, value);
}

// Walks a node's values; fn(value, priority). Fails if a value string runs off the end.
template <class Fn>
static util::Expected<void> for_each_value(const util::ByteReader& r, uint64_t off, uint32_t count,
                                           const std::string& path, Fn&& fn) {
    for (uint32_t k = 0; k < count; ++k) {
        auto prio = r.u32(off);
        auto s = r.cstring(off + 4);
        if (!prio || !s)
            return util::fail(ErrorKind::Corrupt, EINVAL, path,
                              "corrupt index: value out of bounds");
        fn(*s, *prio);
        off += 4 + s->size() + 1;
    }
    return {};
}

util::Expected<std::optional<std::string_view>> IndexReader::search(std::string_view key) const {
    uint32_t ptr = m_root;
    size_t i = 0;
    for (unsigned depth = 0; (ptr & k_offset_mask) != 0; ++depth) {
        if (depth > key.size() + 1) return std::unexpected(corrupt("lookup does not terminate"));
        auto node = read_node(ptr);
        if (!node) return std::unexpected(node.error());
        const auto& p = node->prefix;
        if (key.size() - i < p.size() || key.compare(i, p.size(), p) != 0) return std::nullopt;
        i += p.size();
        if (i == key.size()) {
            if (node->value_count == 0) return std::nullopt;
            std::optional<std::string_view> first;
            auto r = for_each_value(m_reader, node->values_off, 1, m_path,
                                    [&](std::string_view v, uint32_t) { first = v; });
            if (!r) return std::unexpected(r.error());
            return first;
        }
        auto ch = static_cast<unsigned char>(key[i]);
        ptr = child_pointer(m_reader, node->first, node->last, node->children_off, ch);
        ++i;
    }
    return std::nullopt;
}

// Level 3 of libkmod's wildcard search: every key below a wildcard; values whose pattern
// (rebuilt in `pattern` from the first wildcard on) matches `subkey` are kept. `st` follows
// the pattern character by character, so subtrees whose every pattern must fail are skipped
// without being read (most of them: an alias shares few literals with most patterns).
struct IndexReader::WildWalk {
    const IndexReader& self;
    std::string_view subkey;
    std::string pattern;
    std::vector<IndexValue>& out;
    uint64_t visits_left;

    util::Expected<void> all(const Node& n, size_t j, unsigned depth, util::GlobPrefix st) {
        if (depth > k_max_depth || visits_left-- == 0)
            return std::unexpected(self.corrupt("trie too deep or cyclic"));
        std::string_view rest = n.prefix.substr(j);
        for (char c : rest)
            st.push(c);
        if (!st.alive()) return {};
        pattern.append(rest);
        if (n.first <= n.last) {
            for (unsigned ch = n.first; ch <= n.last; ++ch) {
                uint32_t cp = child_pointer(self.m_reader, n.first, n.last, n.children_off, ch);
                if ((cp & k_offset_mask) == 0) continue;
                util::GlobPrefix cs = st;
                cs.push(static_cast<char>(ch));
                if (!cs.alive()) continue;
                auto child = self.read_node(cp);
                if (!child) return std::unexpected(child.error());
                pattern.push_back(static_cast<char>(ch));
                if (auto r = all(*child, 0, depth + 1, cs); !r) return r;
                pattern.pop_back();
            }
        }
        if (n.value_count > 0 && st.may_match_whole() && util::glob_match(pattern, subkey))
            if (auto r = self.add_values(n, out); !r) return r;
        pattern.resize(pattern.size() - rest.size());
        return {};
    }
};

util::Expected<void> IndexReader::add_values(const Node& n, std::vector<IndexValue>& out) const {
    return for_each_value(m_reader, n.values_off, n.value_count, m_path,
                          [&](std::string_view v, uint32_t prio) {
                              insert_by_priority(out, {v, prio});
                          });
}

util::Expected<std::vector<IndexValue>> IndexReader::search_wild(std::string_view key) const {
    std::vector<IndexValue> out;
    // Limits the work of one lookup, so pointer cycles in a hostile file cannot loop forever.
    uint64_t visits_left = m_reader.size() / 4 + 16;
    auto walk_below = [&](const Node& n, size_t j, std::string_view subkey,
                          std::string_view lead) -> util::Expected<void> {
        WildWalk w{*this, subkey, std::string(lead), out, visits_left};
        util::GlobPrefix st(subkey);
        for (char c : lead)
            st.push(c);
        auto r = w.all(n, j, 0, st);
        visits_left = w.visits_left;
        return r;
    };

    // Level 2: follow the key until the trie branches into wildcards.
    uint32_t ptr = m_root;
    size_t i = 0;
    for (unsigned depth = 0; (ptr & k_offset_mask) != 0; ++depth) {
        if (depth > key.size() + 1) return std::unexpected(corrupt("lookup does not terminate"));
        auto node = read_node(ptr);
        if (!node) return std::unexpected(node.error());
        const auto& p = node->prefix;
        size_t j = 0;
        for (; j < p.size(); ++j) {
            char ch = p[j];
            if (ch == '*' || ch == '?' || ch == '[') {
                if (auto r = walk_below(*node, j, key.substr(i + j), {}); !r)
                    return std::unexpected(r.error());
                return out;
            }
            if (i + j >= key.size() || ch != key[i + j]) return out;
        }
        i += j;
        for (char wc : {'*', '?', '['}) {
            uint32_t cp = child_pointer(m_reader, node->first, node->last, node->children_off,
                                        static_cast<unsigned char>(wc));
            if ((cp & k_offset_mask) == 0) continue;
            auto child = read_node(cp);
            if (!child) return std::unexpected(child.error());
            if (auto r = walk_below(*child, 0, key.substr(i), std::string_view(&wc, 1)); !r)
                return std::unexpected(r.error());
        }
        if (i == key.size()) {
            if (auto r = add_values(*node, out); !r) return std::unexpected(r.error());
            return out;
        }
        ptr = child_pointer(m_reader, node->first, node->last, node->children_off,
                            static_cast<unsigned char>(key[i]));
        ++i;
    }
    return out;
}

util::Expected<void>
IndexReader::dump(const std::function<void(std::string_view, std::string_view)>& fn) const {
    uint64_t visits_left = m_reader.size() / 4 + 16;
    std::string buf;
    std::function<util::Expected<void>(uint32_t, unsigned)> rec;
    rec = [&](uint32_t ptr, unsigned depth) -> util::Expected<void> {
        if (depth > k_max_depth || visits_left-- == 0)
            return std::unexpected(corrupt("trie too deep or cyclic"));
        auto n = read_node(ptr);
        if (!n) return std::unexpected(n.error());
        buf.append(n->prefix);
        auto r = for_each_value(m_reader, n->values_off, n->value_count, m_path,
                                [&](std::string_view v, uint32_t) { fn(buf, v); });
        if (!r) return r;
        if (n->first <= n->last) {
            for (unsigned ch = n->first; ch <= n->last; ++ch) {
                uint32_t cp = child_pointer(m_reader, n->first, n->last, n->children_off, ch);
                if ((cp & k_offset_mask) == 0) continue;
                buf.push_back(static_cast<char>(ch));
                if (auto rr = rec(cp, depth + 1); !rr) return rr;
                buf.pop_back();
            }
        }
        buf.resize(buf.size() - n->prefix.size());
        return {};
    };
    if ((m_root & k_offset_mask) == 0) return {};
    return rec(m_root, 0);
}

} // namespace modkit::index
