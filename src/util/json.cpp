// json_string() (RFC 8259 escaping, invalid UTF-8 as U+FFFD) and JsonWriter, which lays out
// every --json document the same way: two-space indentation, keys in the order given.
#include "util/json.hpp"

#include <cstdio>

namespace modkit::util {

namespace {

// The length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
size_t utf8_length(std::string_view s, size_t i) {
    auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = at(i);
    size_t n = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if ((at(i + k) & 0xC0) != 0x80) return 0;
    uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < n; ++k)
        cp = (cp << 6) | (at(i + k) & 0x3F);
    static constexpr uint32_t k_min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < k_min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

} // namespace

std::string json_string(std::string_view s) {
    std::string out = "\"";
    out.reserve(s.size() + 2);
    for (size_t i = 0; i < s.size();) {
        char c = s[i];
        switch (c) {
        case '"':
            out += "\\\"";
            ++i;
            continue;
        case '\\':
            out += "\\\\";
            ++i;
            continue;
        case '\n':
            out += "\\n";
            ++i;
            continue;
        case '\t':
            out += "\\t";
            ++i;
            continue;
        case '\r':
            out += "\\r";
            ++i;
            continue;
        default:
            break;
        }
        if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
            out += buf;
            ++i;
            continue;
        }
        size_t n = utf8_length(s, i);
        if (n == 0) {
            out += "\\ufffd";
            ++i;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    out += '"';
    return out;
}

void JsonWriter::before_value() {
    if (m_key_pending) {
        m_key_pending = false;
        return;
    }
    if (m_stack.empty()) return;
    Level& top = m_stack.back();
    if (top.count++ > 0) m_out += ',';
    m_out += '\n';
    m_out.append(2 * m_stack.size(), ' ');
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    m_out += '{';
    m_stack.push_back({true, 0});
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    before_value();
    m_out += '[';
    m_stack.push_back({false, 0});
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    size_t count = m_stack.empty() ? 0 : m_stack.back().count;
    if (!m_stack.empty()) m_stack.pop_back();
    if (count > 0) {
        m_out += '\n';
        m_out.append(2 * m_stack.size(), ' ');
    }
    m_out += '}';
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    size_t count = m_stack.empty() ? 0 : m_stack.back().count;
    if (!m_stack.empty()) m_stack.pop_back();
    if (count > 0) {
        m_out += '\n';
        m_out.append(2 * m_stack.size(), ' ');
    }
    m_out += ']';
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
    before_value();
    m_out += json_string(k);
    m_out += ": ";
    m_key_pending = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    before_value();
    m_out += json_string(s);
    return *this;
}

JsonWriter& JsonWriter::value(bool b) {
    before_value();
    m_out += b ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::value(long long n) {
    before_value();
    m_out += std::to_string(n);
    return *this;
}

JsonWriter& JsonWriter::value(unsigned long long n) {
    before_value();
    m_out += std::to_string(n);
    return *this;
}

JsonWriter& JsonWriter::null() {
    before_value();
    m_out += "null";
    return *this;
}

JsonWriter& JsonWriter::string_array(std::string_view k, const std::vector<std::string>& items) {
    key(k);
    begin_array();
    for (const auto& s : items)
        value(s);
    return end_array();
}

std::string JsonWriter::take() {
    std::string out = std::move(m_out);
    out += '\n';
    m_out.clear();
    m_stack.clear();
    m_key_pending = false;
    return out;
}

} // namespace modkit::util
