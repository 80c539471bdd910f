// kmod's lexical layer for modprobe.d and depmod.d, reproduced exactly: freadline_wrapped()
// (backslash-newline joins lines, a backslash before any other byte is dropped) and the
// strtok_r() splitting both parsers use. Shared by modprobe_config and depmod_config.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace modkit::config {

struct LogicalLine {
    std::string text;  // cut at the first NUL byte, as kmod's C strings are
    unsigned line = 0; // kmod's linenum: the physical line where this logical line ends
};

class LineReader {
public:
    explicit LineReader(std::string_view data)
        : m_data(data) {}

    // The next logical line, or false at the end of the data.
    bool next(LogicalLine& out);

private:
    std::string_view m_data;
    size_t m_pos = 0;
    unsigned m_line = 0;
};

// strtok_r(line, "\t ") and strtok_r(NULL, "\0") over one logical line.
class Tokenizer {
public:
    explicit Tokenizer(std::string_view line)
        : m_line(line) {}

    // The next word separated by spaces or tabs; nullopt at the end.
    std::optional<std::string_view> word();
    // Everything after the single delimiter that ended the last word, kept raw (leading
    // blanks included); nullopt if that is empty.
    std::optional<std::string_view> rest();

private:
    std::string_view m_line;
    size_t m_pos = 0;
};

} // namespace modkit::config
