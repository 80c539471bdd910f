// The history file's line format, both ways.
#include "daemon/history.hpp"

#include <charconv>
#include <map>

namespace modkit::daemon {

const char* history_event_name(HistoryEvent e) {
    switch (e) {
    case HistoryEvent::Loaded:
        return "loaded";
    case HistoryEvent::Unloaded:
        return "unloaded";
    case HistoryEvent::Refused:
        return "refused";
    case HistoryEvent::Failed:
        return "failed";
    }
    return "?";
}

namespace {

std::string flat(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    return out;
}

} // namespace

std::string format_history_line(const HistoryEntry& e) {
    return std::to_string(e.time) + "\t" + history_event_name(e.event) + "\t" + flat(e.module) +
           "\t" + flat(e.reason);
}

ParsedHistory parse_history(std::string_view text) {
    ParsedHistory out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) {
            ++out.bad_lines; // the last line was cut short
            break;
        }
        std::string_view l = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (l.empty()) continue;
        std::string_view f[4];
        size_t start = 0;
        bool ok = true;
        for (int i = 0; i < 3 && ok; ++i) {
            size_t tab = l.find('\t', start);
            if (tab == std::string_view::npos)
                ok = false;
            else
                f[i] = l.substr(start, tab - start), start = tab + 1;
        }
        if (ok) f[3] = l.substr(start);
        HistoryEntry e;
        if (ok) {
            auto [end, ec] = std::from_chars(f[0].data(), f[0].data() + f[0].size(), e.time);
            ok = ec == std::errc() && end == f[0].data() + f[0].size() && !f[0].empty();
        }
        if (ok) {
            ok = false;
            for (HistoryEvent ev : {HistoryEvent::Loaded, HistoryEvent::Unloaded,
                                    HistoryEvent::Refused, HistoryEvent::Failed})
                if (f[1] == history_event_name(ev)) e.event = ev, ok = true;
        }
        if (ok && f[2].empty()) ok = false;
        if (!ok) {
            ++out.bad_lines;
            continue;
        }
        e.module = flat(f[2]);
        e.reason = flat(f[3]);
        out.entries.push_back(std::move(e));
    }
    return out;
}

std::vector<HistoryEntry> still_loaded(const std::vector<HistoryEntry>& entries) {
    std::map<std::string, const HistoryEntry*> last;
    for (const HistoryEntry& e : entries)
        if (e.event == HistoryEvent::Loaded || e.event == HistoryEvent::Unloaded)
            last[e.module] = &e;
    std::vector<HistoryEntry> out;
    for (const auto& [m, e] : last)
        if (e->event == HistoryEvent::Loaded) out.push_back(*e);
    return out;
}

} // namespace modkit::daemon
