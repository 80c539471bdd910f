// Module.symvers parsing: by hand over the mapped file (about 25k lines on a distribution
// kernel), then one sort so lookups are binary searches.
#include "abi/symvers.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace modkit::abi {
namespace {

using util::ErrorKind;

constexpr size_t k_max_fields = 5;
constexpr size_t k_max_quoted = 80;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// "0x" followed by 1 to 16 hex digits.
bool parse_crc(std::string_view s, uint64_t& out) {
    if (s.size() < 3 || s.size() > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
    uint64_t v = 0;
    for (char c : s.substr(2)) {
        int d = hex_value(c);
        if (d < 0) return false;
        v = v << 4 | static_cast<uint64_t>(d);
    }
    out = v;
    return true;
}

// A line for an error message: printable, and not too long.
std::string quote(std::string_view line) {
    std::string out = "\"";
    for (char c : line.substr(0, k_max_quoted)) {
        if (c == '\t')
            out += "\\t";
        else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            out += '?';
        else
            out += c;
    }
    out += line.size() > k_max_quoted ? "\"..." : "\"";
    return out;
}

// Splits on TAB into at most k_max_fields fields; returns the count, or k_max_fields + 1 if
// there are more.
size_t split_fields(std::string_view line, std::array<std::string_view, k_max_fields>& f) {
    size_t n = 0;
    size_t start = 0;
    while (true) {
        size_t tab = line.find('\t', start);
        if (n == k_max_fields) return k_max_fields + 1;
        f[n++] = line.substr(start, tab == std::string_view::npos ? tab : tab - start);
        if (tab == std::string_view::npos) return n;
        start = tab + 1;
    }
}

bool is_export_type(std::string_view s) {
    return s.starts_with("EXPORT_");
}

// FNV-1a: stable across runs and platforms, and good enough for symbol names.
uint64_t name_hash(std::string_view s) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : s)
        h = (h ^ c) * 0x100000001b3ull;
    return h;
}

} // namespace

util::Expected<Symvers> Symvers::load(const std::string& path) {
    auto file = util::MappedFile::open(path);
    if (!file) return util::fail(std::move(file.error()));
    Symvers out;
    out.m_path = path;
    out.m_file = std::move(*file);
    if (auto done = out.parse(out.m_file.chars()); !done)
        return util::fail(std::move(done.error()));
    return out;
}

util::Expected<Symvers> Symvers::from_text(std::string text, std::string path) {
    Symvers out;
    out.m_path = std::move(path);
    out.m_text = std::make_unique<std::string>(std::move(text));
    if (auto done = out.parse(*out.m_text); !done) return util::fail(std::move(done.error()));
    return out;
}

util::Expected<void> Symvers::parse(std::string_view text) {
    m_entries.reserve(text.size() / 64 + 1);
    auto bad = [&](unsigned line, std::string message) {
        return util::fail(ErrorKind::Corrupt, EINVAL, m_path, std::move(message), line);
    };
    util::LineCursor lines(text);
    for (std::string_view line; lines.next(line);) {
        const unsigned line_no = lines.number();
        if (line.empty()) continue;

        std::array<std::string_view, k_max_fields> f;
        size_t n = split_fields(line, f);
        if (n < 4)
            return bad(line_no, "expected \"0xCRC<TAB>symbol<TAB>module<TAB>export type\", got " +
                                    quote(line));
        if (n > k_max_fields) return bad(line_no, "too many fields in " + quote(line));
        SymversEntry e;
        if (!parse_crc(f[0], e.crc)) return bad(line_no, "bad CRC " + quote(f[0]));
        e.symbol = f[1];
        if (e.symbol.empty()) return bad(line_no, "empty symbol name");
        if (is_export_type(f[3])) { // >= 5.10 (namespace last) and < 5.4 (no namespace)
            e.module = f[2];
            e.export_type = f[3];
            if (n == 5) e.name_space = f[4];
        } else if (n == 5 && is_export_type(f[4])) { // 5.4 .. 5.9: namespace third
            e.name_space = f[2];
            e.module = f[3];
            e.export_type = f[4];
        } else {
            return bad(line_no, "no export type (EXPORT_...) in " + quote(line));
        }
        if (e.module.empty()) return bad(line_no, "empty module name");
        m_entries.push_back(e);
    }
    // Index by hash: sorting integers is several times faster than sorting names, and
    // (hash, line) order makes the first of duplicate lines win.
    m_index.reserve(m_entries.size());
    for (uint32_t i = 0; i < m_entries.size(); ++i)
        m_index.push_back({name_hash(m_entries[i].symbol), i});
    std::sort(m_index.begin(), m_index.end());
    return {};
}

const SymversEntry* Symvers::find(std::string_view symbol) const {
    const uint64_t h = name_hash(symbol);
    auto it = std::lower_bound(m_index.begin(), m_index.end(), std::pair<uint64_t, uint32_t>{h, 0});
    for (; it != m_index.end() && it->first == h; ++it)
        if (m_entries[it->second].symbol == symbol) return &m_entries[it->second];
    return nullptr;
}

} // namespace modkit::abi
