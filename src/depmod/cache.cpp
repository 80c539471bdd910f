// RecordCache: (de)serialisation with bounds-checked reads and a whole-file checksum.
#include "depmod/cache.hpp"

#include "util/buffer.hpp"
#include "util/byte_reader.hpp"

#include <cstring>

namespace modkit::depmod {

namespace {

constexpr char k_magic[8] = {'M', 'O', 'D', 'K', 'I', 'T', 'D', 'C'};

uint64_t fnv1a64(std::string_view data) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : data) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

class Writer {
public:
    void u8(uint8_t v) { m_out.push_back(static_cast<char>(v)); }
    void u32(uint32_t v) { raw(&v, 4); }
    void u64(uint64_t v) { raw(&v, 8); }
    void str(std::string_view s) {
        u32(static_cast<uint32_t>(s.size()));
        m_out.append(s);
    }
    void strings(const std::vector<std::string>& v) {
        u32(static_cast<uint32_t>(v.size()));
        for (const auto& s : v) str(s);
    }
    void syms(const std::vector<SymbolRef>& v, bool with_weak) {
        u32(static_cast<uint32_t>(v.size()));
        for (const auto& s : v) {
            str(s.name);
            u64(s.crc);
            if (with_weak) u8(s.weak ? 1 : 0);
        }
    }
    std::string& out() { return m_out; }

private:
    void raw(const void* p, size_t n) {
        // The format is little-endian; modkit only builds for little-endian hosts' caches,
        // and a cache written on another byte order fails its checksum or magic.
        m_out.append(static_cast<const char*>(p), n);
    }
    std::string m_out;
};

class Reader {
public:
    explicit Reader(util::ByteReader r) : m_r(r) {}
    bool ok() const { return m_ok; }
    uint8_t u8() { return take<uint8_t>(m_r.u8(m_pos), 1); }
    uint32_t u32() { return take<uint32_t>(m_r.u32(m_pos), 4); }
    uint64_t u64() { return take<uint64_t>(m_r.u64(m_pos), 8); }
    std::string str() {
        uint32_t n = u32();
        auto s = m_ok ? m_r.str(m_pos, n) : std::nullopt;
        if (!s) {
            m_ok = false;
            return {};
        }
        m_pos += n;
        return std::string(*s);
    }
    // A count that cannot exceed the bytes left (each element takes at least 4 bytes).
    uint32_t count() {
        uint32_t n = u32();
        if (m_ok && n > (m_r.size() - m_pos) / 4) m_ok = false;
        return m_ok ? n : 0;
    }
    std::vector<std::string> strings() {
        std::vector<std::string> v(count());
        for (auto& s : v) s = str();
        return v;
    }
    std::vector<SymbolRef> syms(bool with_weak) {
        std::vector<SymbolRef> v(count());
        for (auto& s : v) {
            s.name = str();
            s.crc = u64();
            if (with_weak) s.weak = u8() != 0;
        }
        return v;
    }

private:
    template <class T, class O> T take(O v, size_t n) {
        if (!m_ok || !v) {
            m_ok = false;
            return 0;
        }
        m_pos += n;
        return static_cast<T>(*v);
    }
    util::ByteReader m_r;
    size_t m_pos = 0;
    bool m_ok = true;
};

} // namespace

std::string RecordCache::serialize(const std::string& dirname,
                                   const std::vector<const Candidate*>& files,
                                   const std::vector<const ModuleRecord*>& records) {
    Writer w;
    w.out().append(k_magic, 8);
    w.u32(k_cache_version);
    w.u32(0);
    w.str(dirname);
    w.u32(static_cast<uint32_t>(files.size()));
    for (size_t i = 0; i < files.size(); ++i) {
        const Candidate& c = *files[i];
        const ModuleRecord& r = *records[i];
        w.str(c.path);
        w.u64(c.size);
        w.u64(c.inode);
        w.u64(c.device);
        w.u64(static_cast<uint64_t>(c.mtime_sec));
        w.u64(static_cast<uint64_t>(c.mtime_nsec));
        w.str(r.load_error);
        w.str(r.load_detail);
        w.syms(r.exports, false);
        w.syms(r.imports, true);
        w.strings(r.aliases);
        w.strings(r.softdeps);
        w.strings(r.weakdeps);
    }
    w.u64(fnv1a64(w.out()));
    return std::move(w.out());
}

RecordCache RecordCache::load(const std::string& path, const std::string& dirname, std::string& why) {
    RecordCache cache;
    auto bytes = util::read_file_bytes(path);
    if (!bytes) {
        if (bytes.error().kind != util::ErrorKind::NotFound) why = bytes.error().describe();
        return cache;
    }
    std::string_view data(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    if (data.size() < 8 + 8 + 8 || std::memcmp(data.data(), k_magic, 8) != 0) {
        why = "not a modkit depmod cache";
        return cache;
    }
    uint64_t stored;
    std::memcpy(&stored, data.data() + data.size() - 8, 8);
    std::string_view body = data.substr(0, data.size() - 8);
    if (fnv1a64(body) != stored) {
        why = "checksum mismatch (truncated or corrupt)";
        return cache;
    }
    Reader rd{util::ByteReader(body.substr(8))}; // after the magic

    if (rd.u32() != k_cache_version) {
        why = "unknown cache version";
        return cache;
    }
    rd.u32();
    if (rd.str() != dirname) {
        why = "cache belongs to another module directory";
        return cache;
    }
    uint32_t n = rd.count();
    for (uint32_t i = 0; i < n && rd.ok(); ++i) {
        Entry e;
        e.identity.path = rd.str();
        e.identity.size = rd.u64();
        e.identity.inode = rd.u64();
        e.identity.device = rd.u64();
        e.identity.mtime_sec = static_cast<int64_t>(rd.u64());
        e.identity.mtime_nsec = static_cast<int64_t>(rd.u64());
        e.record.load_error = rd.str();
        e.record.load_detail = rd.str();
        e.record.exports = rd.syms(false);
        e.record.imports = rd.syms(true);
        e.record.aliases = rd.strings();
        e.record.softdeps = rd.strings();
        e.record.weakdeps = rd.strings();
        std::string key = e.identity.path;
        cache.m_entries.emplace(std::move(key), std::move(e));
    }
    if (!rd.ok()) {
        why = "malformed cache";
        cache.m_entries.clear();
    }
    return cache;
}

const ModuleRecord* RecordCache::find(const Candidate& c) const {
    auto it = m_entries.find(c.path);
    if (it == m_entries.end()) return nullptr;
    const Candidate& id = it->second.identity;
    if (id.size != c.size || id.inode != c.inode || id.device != c.device ||
        id.mtime_sec != c.mtime_sec || id.mtime_nsec != c.mtime_nsec)
        return nullptr;
    return &it->second.record;
}

} // namespace modkit::depmod
