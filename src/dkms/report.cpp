// Report's DKMS-style helpers, the console and buffered sinks, and the job sequencer.
#include "dkms/report.hpp"

#include "util/diag.hpp"
#include "util/output.hpp"

namespace modkit::dkms {

namespace {

std::string prefixed(std::string_view prefix, const std::vector<std::string>& lines) {
    std::string text(prefix);
    for (const auto& l : lines)
        text += l + "\n";
    if (lines.empty()) text += "\n";
    return text;
}

} // namespace

void Report::error(const std::vector<std::string>& lines) {
    err(prefixed("\nError! ", lines));
}
void Report::warning(const std::vector<std::string>& lines) {
    err(prefixed("Warning: ", lines));
}
void Report::deprecated(std::string_view what) {
    err("Deprecated feature: " + std::string(what) + "\n");
}

int Report::begin_activity(const std::string&, const std::string&) {
    return -1;
}
void Report::end_activity(int, bool) {}
void Report::settle_activity(int) {}
void Report::hand_terminal_to_child(bool) {}

void ConsoleReport::out(std::string_view text) {
    util::Output::write(text);
    util::Output::flush();
}

void ConsoleReport::err(std::string_view text) {
    util::Output::flush();
    util::Diag::raw(text);
}

void BufferedReport::replay(Report& to) const {
    for (const auto& item : m_items) {
        if (item.is_err)
            to.err(item.text);
        else
            to.out(item.text);
    }
}

class JobSequencer::JobReport final : public Report {
public:
    JobReport(JobSequencer& owner, size_t job)
        : m_owner(owner)
        , m_job(job) {}
    void out(std::string_view text) override { m_owner.write(m_job, false, text); }
    void err(std::string_view text) override { m_owner.write(m_job, true, text); }
    int begin_activity(const std::string& label, const std::string& log_path) override {
        return m_owner.m_to.begin_activity(label, log_path);
    }
    void end_activity(int id, bool) override { m_owner.end_activity(m_job, id); }
    void hand_terminal_to_child(bool child) override { m_owner.m_to.hand_terminal_to_child(child); }

private:
    JobSequencer& m_owner;
    size_t m_job;
};

JobSequencer::JobSequencer(Report& to, size_t jobs)
    : m_to(to)
    , m_held(jobs)
    , m_done(jobs)
    , m_unsettled(jobs) {
    for (size_t i = 0; i < jobs; ++i)
        m_reports.push_back(std::make_unique<JobReport>(*this, i));
}

JobSequencer::~JobSequencer() {
    // Whatever is still held (a job that never said it finished) is printed in order.
    std::lock_guard<std::mutex> g(m_mutex);
    for (size_t i = m_head; i < m_held.size(); ++i) {
        m_held[i].replay(m_to);
        settle(i);
    }
}

void JobSequencer::end_activity(size_t job, int id) {
    std::lock_guard<std::mutex> g(m_mutex);
    // The head job's messages are on screen already: its line goes now.
    bool shown = job == m_head;
    m_to.end_activity(id, shown);
    if (!shown) m_unsettled.at(job).push_back(id);
}

void JobSequencer::settle(size_t job) {
    for (int id : m_unsettled[job])
        m_to.settle_activity(id);
    m_unsettled[job].clear();
}

Report& JobSequencer::report_for(size_t job) {
    return *m_reports.at(job);
}

void JobSequencer::write(size_t job, bool is_err, std::string_view text) {
    std::lock_guard<std::mutex> g(m_mutex);
    if (job != m_head) {
        if (is_err)
            m_held[job].err(text);
        else
            m_held[job].out(text);
        return;
    }
    if (is_err)
        m_to.err(text);
    else
        m_to.out(text);
}

void JobSequencer::finished(size_t job) {
    std::lock_guard<std::mutex> g(m_mutex);
    m_done.at(job) = true;
    while (m_head < m_done.size() && m_done[m_head]) {
        ++m_head;
        if (m_head < m_held.size()) {
            m_held[m_head].replay(m_to);
            m_held[m_head].clear();
            settle(m_head);
        }
    }
}

} // namespace modkit::dkms
