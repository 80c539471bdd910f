// Stablelist parsing: line by line, strict about what a line may be.
#include "abi/stablelist.hpp"

#include "util/mapped_file.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace modkit::abi {
namespace {

bool is_identifier(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '$'))
            return false;
    return true;
}

} // namespace

util::Expected<Stablelist> Stablelist::load(const std::string& path) {
    auto file = util::MappedFile::open(path);
    if (!file) return util::fail(std::move(file.error()));
    return parse(file->chars(), path);
}

util::Expected<Stablelist> Stablelist::parse(std::string_view text, const std::string& path) {
    Stablelist out;
    unsigned line_no = 0;
    while (!text.empty()) {
        ++line_no;
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        std::string_view t = util::trim(line);
        if (t.empty() || t.starts_with('#')) continue;
        if (t.starts_with('[')) {
            if (!t.ends_with(']') || t.size() < 3 || !is_identifier(t.substr(1, t.size() - 2)))
                return util::fail(util::ErrorKind::Corrupt, EINVAL, path,
                                  "malformed section header", line_no);
            out.m_sections.emplace_back(t.substr(1, t.size() - 2));
            continue;
        }
        if (!is_identifier(t))
            return util::fail(util::ErrorKind::Corrupt, EINVAL, path,
                              "expected a symbol name, a [section] or a # comment", line_no);
        out.m_symbols.emplace_back(t);
    }
    std::sort(out.m_symbols.begin(), out.m_symbols.end());
    out.m_symbols.erase(std::unique(out.m_symbols.begin(), out.m_symbols.end()),
                        out.m_symbols.end());
    return out;
}

void Stablelist::merge(const Stablelist& other) {
    m_symbols.insert(m_symbols.end(), other.m_symbols.begin(), other.m_symbols.end());
    std::sort(m_symbols.begin(), m_symbols.end());
    m_symbols.erase(std::unique(m_symbols.begin(), m_symbols.end()), m_symbols.end());
    m_sections.insert(m_sections.end(), other.m_sections.begin(), other.m_sections.end());
}

bool Stablelist::contains(std::string_view symbol) const {
    return std::binary_search(m_symbols.begin(), m_symbols.end(), symbol);
}

} // namespace modkit::abi
