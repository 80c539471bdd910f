// modkitd's record of what it did: every module it loaded on demand, unloaded, kept or failed
// on, with the time and the reason. Kept in memory for `modkit daemon status` and appended to
// the history file (one tab-separated line per entry: time, event, module, reason) so that a
// restarted modkitd knows which loaded modules are its own, and `modkit explain` can show a
// module's on-demand history.
#pragma once

#include "util/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::daemon {

enum class HistoryEvent { Loaded, Unloaded, Refused, Failed };

const char* history_event_name(HistoryEvent e);

struct HistoryEntry {
    int64_t time = 0; // seconds since the epoch
    HistoryEvent event = HistoryEvent::Loaded;
    std::string module;
    std::string reason;

    bool operator==(const HistoryEntry&) const = default;
};

// One line of the history file, without its newline (tabs and newlines in the reason become
// spaces).
std::string format_history_line(const HistoryEntry& e);

// The entries of a history file's text. A line that is not "TIME\tEVENT\tMODULE\tREASON" is
// skipped and counted in `bad_lines` (a file cut by a crash mid-line must not stop a restart).
struct ParsedHistory {
    std::vector<HistoryEntry> entries;
    unsigned bad_lines = 0;
};
ParsedHistory parse_history(std::string_view text);

// The modules whose last entry is "loaded": what a restarted modkitd may consider its own.
std::vector<HistoryEntry> still_loaded(const std::vector<HistoryEntry>& entries);

} // namespace modkit::daemon
