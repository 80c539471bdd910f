// String helpers shared by every layer: splitting, joining, hex formatting.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::util {

// Splits on any of `seps`, dropping empty fields.
std::vector<std::string_view> split_any(std::string_view s, std::string_view seps);
// What comes before the first space (all of `s` when it has none).
std::string_view first_word(std::string_view s);
// Splits on `sep`, keeping empty fields.
std::vector<std::string_view> split(std::string_view s, char sep);
std::string join(std::span<const std::string> parts, std::string_view sep);
std::string_view trim(std::string_view s, std::string_view chars = " \t\r\n");

// Uppercase "AB:CD:..." with "\n\t\t" inserted after every `per_line` bytes (kmod's hex form).
std::string hex_colon(std::span<const uint8_t> bytes, size_t per_line = 20);

// The final path component, and everything before it.
std::string_view basename(std::string_view path);
std::string_view dirname(std::string_view path);

bool ends_with(std::string_view s, std::string_view suffix);
bool starts_with(std::string_view s, std::string_view prefix);

// Walks `text` line by line (without the '\n'; the last line needs none), numbering lines from 1:
//     for (std::string_view line; lines.next(line);) ... lines.number() ...
class LineCursor {
public:
    explicit LineCursor(std::string_view text)
        : m_text(text) {}
    bool next(std::string_view& line) {
        if (m_pos >= m_text.size()) return false;
        ++m_number;
        size_t end = m_text.find('\n', m_pos);
        if (end == std::string_view::npos) end = m_text.size();
        line = m_text.substr(m_pos, end - m_pos);
        m_pos = end + 1;
        return true;
    }
    unsigned number() const { return m_number; }

private:
    std::string_view m_text;
    size_t m_pos = 0;
    unsigned m_number = 0;
};

} // namespace modkit::util
