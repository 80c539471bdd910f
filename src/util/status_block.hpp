// A block of status lines kept under a stream of text on a terminal. The text (a tool's
// narration) is written by the caller as usual; this class composes the bytes that draw the
// block below it and erase it again, so the caller can erase, write the text, and redraw. The
// current unfinished line of the text is remembered: the block starts on the row after it, and
// erasing returns to that line's start, clears the screen below and writes the line again, so
// the cursor ends where the text left it. Pure string composition: the caller writes the bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace modkit::util {

class StatusBlock {
public:
    // `text` reached the terminal (after erase(), before draw()).
    void passed(std::string_view text);
    // The bytes that remove the drawn block ("" when none is drawn).
    std::string erase();
    // The bytes that draw `lines` under the text, each cut to `columns` - 1 characters so that
    // none wraps; no lines draw nothing.
    std::string draw(const std::vector<std::string>& lines, int columns);
    bool drawn() const { return m_rows != 0; }
    // Bytes that remove the drawn block without writing the unfinished line again (for a
    // signal handler, which cannot build strings): up to that line, to its end, clear below.
    // Empty when nothing is drawn.
    const std::string& erase_in_place() const { return m_in_place; }

private:
    std::string m_partial; // the text written since its last newline
    int m_rows = 0;        // rows the drawn block occupies below m_partial's last row
    int m_partial_rows = 1;
    std::string m_in_place;
};

// The width of the terminal on `fd` (80 when it cannot be asked).
int terminal_columns(int fd);
// The height of the terminal on `fd` (24 when it cannot be asked).
int terminal_rows(int fd);

} // namespace modkit::util
