// json_string() escapes quotes, backslashes and control characters (other bytes pass
// through); JsonWriter lays out a document with two-space indentation.
#include "util/json.hpp"

#include <cstdio>

namespace modkit::util {

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
                out += buf;
            } else {
                out += c;
            }
        }
    }
    out += '"';
    return out;
}

} // namespace modkit::util

namespace modkit::util {

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

JsonWriter& JsonWriter::value(int64_t n) {
    before_value();
    m_out += std::to_string(n);
    return *this;
}

JsonWriter& JsonWriter::value(uint64_t n) {
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
