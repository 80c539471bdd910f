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

private:
    JobSequencer& m_owner;
    size_t m_job;
};

JobSequencer::JobSequencer(Report& to, size_t jobs)
    : m_to(to)
    , m_held(jobs)
    , m_done(jobs) {
    for (size_t i = 0; i < jobs; ++i)
        m_reports.push_back(std::make_unique<JobReport>(*this, i));
}

JobSequencer::~JobSequencer() {
    // Whatever is still held (a job that never said it finished) is printed in order.
    std::lock_guard<std::mutex> g(m_mutex);
    for (size_t i = m_head; i < m_held.size(); ++i)
        m_held[i].replay(m_to);
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
        }
    }
}

} // namespace modkit::dkms
