// StatusBlock: cursor movement around the unfinished line, and the terminal size.
#include "util/status_block.hpp"

#include <sys/ioctl.h>

namespace modkit::util {

namespace {

// Printable text only: control characters (make's own escapes, tabs) become spaces.
// At most `max` columns of it, cut before a character, never inside one.
std::string printable(std::string_view s, size_t max) {
    std::string out;
    size_t width = 0;
    for (char c : s) {
        bool starts_char = (static_cast<unsigned char>(c) & 0xc0) != 0x80;
        if (starts_char && width++ >= max) break;
        out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
    }
    return out;
}

// Columns a string takes: UTF-8 continuation bytes take none.
size_t width_of(std::string_view s) {
    size_t w = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++w;
    return w;
}

} // namespace

void StatusBlock::passed(std::string_view text) {
    size_t nl = text.rfind('\n');
    if (nl == std::string_view::npos)
        m_partial += text;
    else
        m_partial.assign(text.substr(nl + 1));
    size_t cr = m_partial.rfind('\r');
    if (cr != std::string::npos) m_partial.erase(0, cr + 1);
}

std::string StatusBlock::erase() {
    if (m_rows == 0) return "";
    int up = m_rows + m_partial_rows - 1;
    std::string out;
    if (up > 0) out += "\033[" + std::to_string(up) + "A";
    out += "\r\033[J" + m_partial;
    m_rows = 0;
    m_in_place.clear();
    return out;
}

std::string StatusBlock::draw(const std::vector<std::string>& lines, int columns) {
    if (lines.empty()) return "";
    if (columns < 2) columns = 2;
    size_t w = width_of(m_partial);
    size_t cols = static_cast<size_t>(columns);
    m_partial_rows = w == 0 ? 1 : static_cast<int>((w + cols - 1) / cols);
    std::string out;
    for (const auto& l : lines)
        out += "\r\n" + printable(l, cols - 1) + "\033[K";
    m_rows = static_cast<int>(lines.size());
    size_t column = w == 0 ? 0 : (w - 1) % cols + 1;
    m_in_place =
        "\033[" + std::to_string(m_rows) + "A\033[" + std::to_string(column + 1) + "G\033[J";
    return out;
}

int terminal_columns(int fd) {
    winsize ws{};
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

int terminal_rows(int fd) {
    winsize ws{};
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) return ws.ws_row;
    return 24;
}

} // namespace modkit::util
