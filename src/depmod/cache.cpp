// RecordCache: (de)serialisation with bounds-checked reads and a whole-file checksum.
#include "depmod/cache.hpp"

#include "util/buffer.hpp"
#include "util/byte_reader.hpp"

#include <cstring>

namespace modkit::depmod {

namespace {

constexpr char k_magic[8] = {'M', 'O', 'D', 'K', 'I', 'T', 'D', 'C'};

// A word-at-a-time 64-bit checksum: detects truncation and corruption, fast enough that
// verifying a multi-megabyte cache costs next to nothing.
uint64_t checksum(std::string_view data) {
    uint64_t h = 0x6a09e667f3bcc908ULL ^ data.size();
    size_t i = 0;
    for (; i + 8 <= data.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, data.data() + i, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    for (; i < data.size(); ++i) {
        h = (h ^ static_cast<unsigned char>(data[i])) * 0x100000001b3ULL;
        h ^= h >> 31;
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
    void strings(const std::vector<std::string_view>& v) {
        u32(static_cast<uint32_t>(v.size()));
        for (const auto& s : v)
            str(s);
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

// Bounds-checked little-endian reads; after the first failure every read returns zero and
// ok() is false.
class Reader {
public:
    Reader(const char* data, size_t size)
        : m_p(data)
        , m_end(data + size) {}
    bool ok() const { return m_ok; }
    const char* pos() const { return m_p; }
    bool at_end() const { return m_p == m_end; }
    uint8_t u8() { return read<uint8_t>(); }
    uint32_t u32() { return read<uint32_t>(); }
    uint64_t u64() { return read<uint64_t>(); }
    std::string_view str() {
        uint32_t n = u32();
        if (!m_ok || n > static_cast<size_t>(m_end - m_p)) return fail_sv();
        std::string_view s(m_p, n);
        m_p += n;
        return s;
    }
    // A count that cannot exceed the bytes left (each element takes at least 4 bytes).
    uint32_t count() {
        uint32_t n = u32();
        if (m_ok && n > static_cast<size_t>(m_end - m_p) / 4) m_ok = false;
        return m_ok ? n : 0;
    }
    void strings(std::vector<std::string_view>& v) {
        v.resize(count());
        for (auto& s : v)
            s = str();
    }
    void syms(std::vector<SymbolRef>& v, bool with_weak) {
        v.resize(count());
        for (auto& s : v) {
            s.name = str();
            s.crc = u64();
            if (with_weak) s.weak = u8() != 0;
        }
    }

private:
    template <class T> T read() {
        if (!m_ok || static_cast<size_t>(m_end - m_p) < sizeof(T)) {
            m_ok = false;
            m_p = m_end;
            return 0;
        }
        T v;
        std::memcpy(&v, m_p, sizeof(T));
        m_p += sizeof(T);
        return v;
    }
    std::string_view fail_sv() {
        m_ok = false;
        m_p = m_end;
        return {};
    }
    const char* m_p;
    const char* m_end;
    bool m_ok = true;
};

void write_entries(Writer& w, const std::vector<const Candidate*>& files,
                   const std::vector<const ModuleRecord*>& records) {
    w.out().append("SEGM", 4);
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
}

} // namespace

std::string RecordCache::serialize(const std::string& dirname,
                                   const std::vector<const Candidate*>& files,
                                   const std::vector<const ModuleRecord*>& records) {
    Writer w;
    w.out().append(k_magic, 8);
    w.u32(k_cache_version);
    w.u32(0);
    w.str(dirname);
    w.u64(checksum(w.out()));
    size_t start = w.out().size();
    write_entries(w, files, records);
    w.u64(checksum(std::string_view(w.out()).substr(start)));
    return std::move(w.out());
}

std::string RecordCache::serialize_segment(const std::vector<const Candidate*>& files,
                                           const std::vector<const ModuleRecord*>& records) {
    Writer w;
    write_entries(w, files, records);
    w.u64(checksum(w.out()));
    return std::move(w.out());
}

RecordCache RecordCache::load(const std::string& path, const std::string& dirname,
                              std::string& why) {
    RecordCache cache;
    auto bytes = util::MappedFile::open(path, true);
    if (!bytes) {
        if (bytes.error().kind != util::ErrorKind::NotFound) why = bytes.error().describe();
        return cache;
    }
    cache.m_data = std::move(*bytes);
    const char* base = cache.m_data.chars().data();
    Reader rd(base, cache.m_data.size());
    auto invalid = [&](const char* reason) {
        why = reason;
        cache.m_entries.clear();
        cache.m_stored = 0;
        return std::move(cache);
    };
    if (cache.m_data.size() < 8 || std::memcmp(base, k_magic, 8) != 0)
        return invalid("not a modkit depmod cache");
    rd.u64(); // magic
    if (rd.u32() != k_cache_version) return invalid("unknown cache version");
    rd.u32();
    std::string_view owner = rd.str();
    size_t header_len = static_cast<size_t>(rd.pos() - base);
    uint64_t header_sum = rd.u64();
    if (!rd.ok() || checksum(std::string_view(base, header_len)) != header_sum)
        return invalid("checksum mismatch (truncated or corrupt)");
    if (owner != dirname) return invalid("cache belongs to another module directory");
    while (!rd.at_end()) {
        const char* seg_start = rd.pos();
        if (rd.u32() != 0x4d474553) // "SEGM"
            return invalid("malformed cache");
        uint32_t n = rd.count();
        for (uint32_t i = 0; i < n && rd.ok(); ++i) {
            Entry e;
            std::string_view key = rd.str();
            e.identity.path = std::string(key);
            e.identity.size = rd.u64();
            e.identity.inode = rd.u64();
            e.identity.device = rd.u64();
            e.identity.mtime_sec = static_cast<int64_t>(rd.u64());
            e.identity.mtime_nsec = static_cast<int64_t>(rd.u64());
            e.record.load_error = std::string(rd.str());
            e.record.load_detail = std::string(rd.str());
            rd.syms(e.record.exports, false);
            rd.syms(e.record.imports, true);
            rd.strings(e.record.aliases);
            rd.strings(e.record.softdeps);
            rd.strings(e.record.weakdeps);
            cache.m_entries.insert_or_assign(key, std::move(e));
            ++cache.m_stored;
        }
        size_t seg_len = static_cast<size_t>(rd.pos() - seg_start);
        uint64_t sum = rd.u64();
        if (!rd.ok()) return invalid("checksum mismatch (truncated or corrupt)");
        if (checksum(std::string_view(seg_start, seg_len)) != sum)
            return invalid("checksum mismatch (truncated or corrupt)");
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
