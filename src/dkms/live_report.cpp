// LiveReport: the status block under DKMS's transcript, its ticker thread and the make.log
// tails it shows.
#include "dkms/live_report.hpp"

#include "util/diag.hpp"
#include "util/progress.hpp"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::dkms {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto k_interval = std::chrono::milliseconds(100);

bool same_terminal(int a, int b) {
    struct stat sa {};
    struct stat sb {};
    return isatty(b) == 1 && fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_rdev == sb.st_rdev;
}

// Ctrl-C or a kill while status lines are drawn: the handler erases them (bytes prepared
// under the view's lock, in one of two buffers flipped atomically), then the signal does
// what it would have done. SIGKILL cannot be caught: its lines stay.
struct SignalErase {
    char bytes[2][64];
    size_t size[2] = {0, 0};
    std::atomic<int> current{-1};
};
SignalErase g_signal_erase;
constexpr int k_signals[] = {SIGINT, SIGTERM};

void publish_signal_erase(const std::string& bytes) {
    if (bytes.empty() || bytes.size() > sizeof g_signal_erase.bytes[0]) {
        g_signal_erase.current.store(-1);
        return;
    }
    int next = g_signal_erase.current.load() == 0 ? 1 : 0;
    std::memcpy(g_signal_erase.bytes[next], bytes.data(), bytes.size());
    g_signal_erase.size[next] = bytes.size();
    g_signal_erase.current.store(next);
}

extern "C" void erase_and_die(int sig) {
    int c = g_signal_erase.current.load();
    if (c >= 0) (void)!write(STDOUT_FILENO, g_signal_erase.bytes[c], g_signal_erase.size[c]);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

} // namespace

std::string last_log_line(int fd) {
    struct stat st {};
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0) return "";
    char buf[4096];
    off_t from = st.st_size > static_cast<off_t>(sizeof buf) ? st.st_size - sizeof buf : 0;
    ssize_t n = pread(fd, buf, static_cast<size_t>(st.st_size - from), from);
    if (n <= 0) return "";
    std::string_view text(buf, static_cast<size_t>(n));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.remove_suffix(1);
    size_t nl = text.find_last_of("\r\n");
    return std::string(nl == std::string_view::npos ? text : text.substr(nl + 1));
}

std::string LiveReport::status_line(const std::string& label, std::chrono::seconds elapsed,
                                    const std::string& last_line, bool over) {
    std::string line = label + ", " + std::to_string(elapsed.count()) + " s";
    if (over) return line + ": finished";
    return last_line.empty() ? line : line + ": " + last_line;
}

bool LiveReport::wanted() {
    return util::ProgressLine::wanted(isatty(STDOUT_FILENO) == 1, std::getenv("TERM"),
                                      std::getenv("CI"));
}

LiveReport::LiveReport(Report& inner)
    : m_inner(inner)
    , m_err_on_screen(same_terminal(STDOUT_FILENO, STDERR_FILENO)) {
    for (int sig : k_signals) {
        struct sigaction old {};
        if (sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL) continue;
        struct sigaction sa {};
        sa.sa_handler = erase_and_die;
        sigemptyset(&sa.sa_mask);
        sigaction(sig, &sa, nullptr);
    }
}

LiveReport::~LiveReport() {
    {
        std::lock_guard<std::mutex> g(m_mutex);
        m_stop = true;
        for (auto& [id, a] : m_activities)
            if (a.fd >= 0) close(a.fd);
        m_activities.clear();
        redraw_locked(true);
    }
    m_wake.notify_all();
    if (m_ticker.joinable()) m_ticker.join();
    for (int sig : k_signals) {
        struct sigaction cur {};
        if (sigaction(sig, nullptr, &cur) == 0 && cur.sa_handler == erase_and_die)
            std::signal(sig, SIG_DFL);
    }
}

void LiveReport::out(std::string_view text) {
    pass(text, false);
}

void LiveReport::err(std::string_view text) {
    pass(text, true);
}

// The block goes, the text is written where it always is, and the block comes back (now, or
// at the next tick when it was drawn less than 100 ms ago).
void LiveReport::pass(std::string_view text, bool is_err) {
    std::lock_guard<std::mutex> g(m_mutex);
    std::string erase = m_block.erase();
    publish_signal_erase("");
    if (!erase.empty()) util::write_all(STDOUT_FILENO, erase);
    m_drawn.clear();
    if (is_err)
        m_inner.err(text);
    else
        m_inner.out(text);
    if (!is_err || m_err_on_screen) m_block.passed(text);
    redraw_locked(false);
}

int LiveReport::begin_activity(const std::string& label, const std::string& log_path) {
    std::lock_guard<std::mutex> g(m_mutex);
    int id = m_next_id++;
    Activity& a = m_activities[id];
    a.label = label;
    a.fd = log_path.empty() ? -1 : open(log_path.c_str(), O_RDONLY | O_CLOEXEC);
    a.start = Clock::now();
    if (!m_ticker.joinable()) m_ticker = std::thread([this] { tick(); });
    redraw_locked(false);
    return id;
}

void LiveReport::end_activity(int id, bool settle) {
    std::lock_guard<std::mutex> g(m_mutex);
    auto it = m_activities.find(id);
    if (it == m_activities.end()) return;
    Activity& a = it->second;
    if (a.fd >= 0) {
        a.last_line = last_log_line(a.fd);
        close(a.fd);
        a.fd = -1;
    }
    a.took = Clock::now() - a.start;
    a.over = true;
    if (settle) m_activities.erase(it);
    redraw_locked(true);
}

void LiveReport::settle_activity(int id) {
    std::lock_guard<std::mutex> g(m_mutex);
    m_activities.erase(id);
    redraw_locked(true);
}

void LiveReport::hand_terminal_to_child(bool child) {
    std::lock_guard<std::mutex> g(m_mutex);
    if (child) {
        ++m_children;
        std::string erase = m_block.erase();
        publish_signal_erase("");
        if (!erase.empty()) util::write_all(STDOUT_FILENO, erase);
        m_drawn.clear();
        return;
    }
    if (m_children > 0) --m_children;
    // Where the child left the cursor is unknown: assume the start of a line.
    m_block.passed("\n");
    redraw_locked(true);
}

std::vector<std::string> LiveReport::lines_locked() {
    std::vector<std::string> lines;
    size_t room = static_cast<size_t>(std::max(1, util::terminal_rows(STDOUT_FILENO) / 2));
    auto now = Clock::now();
    for (auto& [id, a] : m_activities) {
        if (lines.size() + 1 == room && m_activities.size() > room) {
            lines.push_back("... and " + std::to_string(m_activities.size() - lines.size()) +
                            " more builds");
            break;
        }
        bool over = a.over;
        if (!over && a.fd >= 0) a.last_line = last_log_line(a.fd);
        auto took = over ? a.took : now - a.start;
        lines.push_back(status_line(a.label, std::chrono::duration_cast<std::chrono::seconds>(took),
                                    a.last_line, over));
    }
    return lines;
}

// Draws the current lines unless they are on screen already or (without `force`) the last
// draw was less than 100 ms ago. One write for the erase and the draw.
void LiveReport::redraw_locked(bool force) {
    auto now = Clock::now();
    if (m_children > 0 || (!force && now - m_last_draw < k_interval)) return;
    std::vector<std::string> lines = lines_locked();
    if (m_block.drawn() && lines == m_drawn) return;
    std::string bytes = m_block.erase();
    publish_signal_erase("");
    bytes += m_block.draw(lines, util::terminal_columns(STDOUT_FILENO));
    m_drawn = std::move(lines);
    m_last_draw = now;
    if (!bytes.empty()) util::write_all(STDOUT_FILENO, bytes);
    publish_signal_erase(m_block.erase_in_place());
}

void LiveReport::tick() {
    std::unique_lock<std::mutex> g(m_mutex);
    while (!m_stop) {
        m_wake.wait_for(g, k_interval);
        if (!m_stop) redraw_locked(false);
    }
}

} // namespace modkit::dkms
