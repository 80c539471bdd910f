// freadline_wrapped() and strtok_r(), byte for byte (kmod 30 shared/util.c).
#include "config/line_reader.hpp"

namespace modkit::config {

bool LineReader::next(LogicalLine& out) {
    out.text.clear();
    unsigned consumed = 0; // newlines read for this logical line
    while (true) {
        if (m_pos >= m_data.size()) {
            // EOF: no byte stored means no line; otherwise the last line lacks its newline.
            if (out.text.empty()) return false;
            break;
        }
        char c = m_data[m_pos++];
        if (c == '\n') break;
        if (c == '\\') {
            if (m_pos < m_data.size() && m_data[m_pos] == '\n') {
                ++m_pos;
                ++consumed;
                continue;
            }
            if (m_pos >= m_data.size()) {
                // getc() returned EOF and kmod stores it as a byte: (char)-1.
                out.text += '\xff';
                continue;
            }
            c = m_data[m_pos++];
        }
        out.text += c;
    }
    ++consumed;
    m_line += consumed;
    out.line = m_line;
    if (size_t nul = out.text.find('\0'); nul != std::string::npos) out.text.resize(nul);
    return true;
}

namespace {
bool is_blank(char c) {
    return c == ' ' || c == '\t';
}
} // namespace

std::optional<std::string_view> Tokenizer::word() {
    while (m_pos < m_line.size() && is_blank(m_line[m_pos]))
        ++m_pos;
    if (m_pos >= m_line.size()) return std::nullopt;
    size_t start = m_pos;
    while (m_pos < m_line.size() && !is_blank(m_line[m_pos]))
        ++m_pos;
    std::string_view token = m_line.substr(start, m_pos - start);
    if (m_pos < m_line.size()) ++m_pos; // strtok_r consumes the one delimiter it NUL-ed
    return token;
}

std::optional<std::string_view> Tokenizer::rest() {
    if (m_pos >= m_line.size()) return std::nullopt;
    std::string_view out = m_line.substr(m_pos);
    m_pos = m_line.size();
    return out;
}

} // namespace modkit::config
