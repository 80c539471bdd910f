// DKMS's transcript on a terminal, with one status line per build in progress under it: the
// build's label (module/version, kernel, arch), its elapsed seconds and the last line its
// make.log has so far, redrawn in place at most ten times a second. The transcript itself goes
// through the wrapped report unchanged, as it happens; the status block is erased before each
// piece of it and drawn again after, and a build's line goes when its messages have been
// printed (a held parallel build's line stays, frozen, until then). Used only when stdout is a
// terminal ($TERM not "dumb", $CI unset): pipes and files get exactly DKMS's bytes.
#pragma once
#include "dkms/report.hpp"
#include "util/status_block.hpp"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace modkit::dkms {

class LiveReport final : public Report {
public:
    explicit LiveReport(Report& inner);
    ~LiveReport() override;
    LiveReport(const LiveReport&) = delete;
    LiveReport& operator=(const LiveReport&) = delete;

    // Whether stdout is a terminal that should get the status lines.
    static bool wanted();

    void out(std::string_view text) override;
    void err(std::string_view text) override;
    int begin_activity(const std::string& label, const std::string& log_path) override;
    void end_activity(int id, bool settle) override;
    void settle_activity(int id) override;
    void hand_terminal_to_child(bool child) override;

    // One status line (for tests): label, elapsed time, the log's last line so far.
    static std::string status_line(const std::string& label, std::chrono::seconds elapsed,
                                   const std::string& last_line, bool over);

private:
    struct Activity {
        std::string label;
        int fd = -1; // the build's make.log, open for reading; -1 once over
        std::chrono::steady_clock::time_point start;
        std::chrono::steady_clock::duration took{};
        std::string last_line;
        bool over = false;
    };
    void pass(std::string_view text, bool is_err);
    std::vector<std::string> lines_locked();
    void redraw_locked(bool force);
    void tick();

    Report& m_inner;
    bool m_err_on_screen = false; // stderr is the same terminal as stdout
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::thread m_ticker;
    bool m_stop = false;
    int m_children = 0; // children writing to the terminal now: nothing is drawn
    int m_next_id = 0;
    std::map<int, Activity> m_activities;
    util::StatusBlock m_block;
    std::vector<std::string> m_drawn;
    std::chrono::steady_clock::time_point m_last_draw{};
};

// The last non-empty line of the file open on `fd`, read from its end (its last 4 KiB).
std::string last_log_line(int fd);

} // namespace modkit::dkms
