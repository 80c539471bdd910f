// Where DKMS actions send their messages, as they happen. The CLI writes each message to
// stdout/stderr at once (a killed or slow build has shown everything up to that moment).
// Concurrent builds report through a JobSequencer: the earliest unfinished job streams live,
// the later ones are held until every job before them is done, so the transcript is the same
// whichever build finishes first. Builds also announce themselves as activities (a label and
// their make.log), which only the terminal view (dkms/live_report.hpp) shows, as status lines;
// the sequencer passes them on at once and keeps a held job's line until its messages print.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::dkms {

class Report {
public:
    // Text as given (callers include the newline).
    virtual void out(std::string_view text) = 0;
    virtual void err(std::string_view text) = 0;
    virtual ~Report() = default;

    // Long work in progress (a build), for a terminal's status lines: `label` names it and
    // `log_path` is the log it writes (its last line is shown; the file is opened at once, so
    // it may be renamed later). Every report but the terminal
    // view ignores activities. Returns the id for end_activity (-1 when ignored).
    virtual int begin_activity(const std::string& label, const std::string& log_path);
    // The work is over. With `settle` false its messages are still held back (a JobSequencer's
    // later job), so its line stays, frozen, until settle_activity().
    virtual void end_activity(int id, bool settle = true);
    virtual void settle_activity(int id);
    // A child writes straight to the terminal (a package's install script) while `child`
    // is true: the terminal view erases its status lines and draws none meanwhile.
    virtual void hand_terminal_to_child(bool child);

    // DKMS's helpers: error() is a blank line, "Error! " and the lines (stderr); warning()
    // "Warning: " and the lines; deprecated() "Deprecated feature: " and the name.
    void error(const std::vector<std::string>& lines);
    void warning(const std::vector<std::string>& lines);
    void deprecated(std::string_view what);
};

// Writes to the process's stdout and stderr immediately.
class ConsoleReport final : public Report {
public:
    void out(std::string_view text) override;
    void err(std::string_view text) override;
};

// Keeps everything, in order, for printing later with replay().
class BufferedReport final : public Report {
public:
    void out(std::string_view text) override { m_items.push_back({false, std::string(text)}); }
    void err(std::string_view text) override { m_items.push_back({true, std::string(text)}); }
    void replay(Report& to) const;
    bool empty() const { return m_items.empty(); }
    void clear() { m_items.clear(); }

private:
    struct Item {
        bool is_err;
        std::string text;
    };
    std::vector<Item> m_items;
};

// The messages of `jobs` concurrent jobs, passed on to `to` in job order as they happen.
// Thread-safe: each job reports from its own thread through report_for(i).
class JobSequencer {
public:
    JobSequencer(Report& to, size_t jobs);
    JobSequencer(const JobSequencer&) = delete;
    JobSequencer& operator=(const JobSequencer&) = delete;
    ~JobSequencer();

    Report& report_for(size_t job);
    // Job `job` will say nothing more; the next job's held messages follow.
    void finished(size_t job);

private:
    class JobReport;
    void write(size_t job, bool is_err, std::string_view text);
    void end_activity(size_t job, int id);
    void settle(size_t job);

    Report& m_to;
    std::mutex m_mutex;
    size_t m_head = 0; // the job whose messages go straight through
    std::vector<BufferedReport> m_held;
    std::vector<bool> m_done;
    std::vector<std::vector<int>> m_unsettled; // per job: ended activities whose text is held
    std::vector<std::unique_ptr<JobReport>> m_reports;
};

} // namespace modkit::dkms
