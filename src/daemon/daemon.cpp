// run_daemon: the uevent socket, coldplug, the workers, the idle timer and the status file.
#include "daemon/daemon.hpp"

#include "daemon/history.hpp"
#include "daemon/idle.hpp"
#include "daemon/loader.hpp"
#include "daemon/pressure.hpp"
#include "daemon/queue.hpp"
#include "daemon/uevent.hpp"
#include "exec/kernel_state.hpp"
#include "exec/remove_exec.hpp"
#include "exec/uevents.hpp"
#include "resolve/removal.hpp"
#include "util/atomic_file.hpp"
#include "util/json.hpp"
#include "util/mapped_file.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <poll.h>
#include <sys/signalfd.h>
#include <thread>
#include <unistd.h>

namespace modkit::daemon {

namespace {

using util::LogLevel;

int64_t wall_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int64_t mono_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct Counters {
    std::atomic<uint64_t> uevents{0}, requests{0}, merged{0}, malformed{0}, overruns{0}, rescans{0},
        queue_full{0}, loaded{0}, failed{0}, unloaded{0};
};

class Daemon {
public:
    Daemon(exec::System& sys, const DaemonOptions& opt, DaemonConfig config)
        : m_sys(sys)
        , m_opt(opt)
        , m_config(std::move(config))
        , m_loader(sys, opt.root)
        , m_queue(m_config.queue_limit) {}

    int run();

private:
    void log(LogLevel level, const std::string& msg) { util::Diag::log(level, msg); }
    void worker();
    void coldplug(const char* why);
    void on_uevents(exec::UeventSocket& sock);
    void request(DeviceRequest req);
    void reload();
    void check_idle_modules();
    void record(HistoryEntry e);
    void adopt_history();
    void write_status();

    exec::System& m_sys;
    DaemonOptions m_opt;
    DaemonConfig m_config;
    Loader m_loader;
    RequestQueue m_queue;
    Counters m_count;
    int64_t m_started = wall_now();
    bool m_rescan = false;

    std::mutex m_state; // m_tracked, m_history, m_dirty
    std::vector<OnDemand> m_tracked;
    std::vector<HistoryEntry> m_history; // the newest k_history_kept
    bool m_dirty = true;
    static constexpr size_t k_history_kept = 500;
};

void Daemon::record(HistoryEntry e) {
    std::lock_guard lock(m_state);
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(m_config.history_file).parent_path(),
                                        ec);
    std::string line = format_history_line(e) + "\n";
    auto r = util::append_file(m_config.history_file, line);
    if (!r && r.error().sys_errno == ENOENT)
        r = util::write_file_atomic(m_config.history_file, line, 0644, util::AtomicFile::Sync::No);
    if (!r) log(LogLevel::Warning, "history not written: " + r.error().describe());
    m_history.push_back(std::move(e));
    if (m_history.size() > k_history_kept) m_history.erase(m_history.begin());
    m_dirty = true;
}

// Modules a previous modkitd loaded and that are still loaded stay candidates for unloading.
void Daemon::adopt_history() {
    auto text = util::read_file(m_config.history_file);
    if (!text) return;
    ParsedHistory h = parse_history(*text);
    if (h.bad_lines != 0)
        log(LogLevel::Warning, m_config.history_file + ": " + std::to_string(h.bad_lines) +
                                   " unreadable line(s) skipped");
    std::lock_guard lock(m_state);
    for (const HistoryEntry& e : still_loaded(h.entries)) {
        if (!exec::is_live(m_sys, e.module)) continue;
        m_tracked.push_back({e.module, e.reason, e.time, -1, {}});
        log(LogLevel::Debug, "still loaded from before the restart: " + e.module);
    }
    size_t from = h.entries.size() > k_history_kept ? h.entries.size() - k_history_kept : 0;
    m_history.assign(h.entries.begin() + static_cast<long>(from), h.entries.end());
}

void Daemon::worker() {
    while (auto req = m_queue.pop()) {
        RequestOutcome out = m_loader.handle(*req);
        for (const auto& [level, msg] : out.log)
            log(level, msg);
        int64_t now = wall_now();
        for (const Inserted& ins : out.inserted) {
            ++m_count.loaded;
            {
                std::lock_guard lock(m_state);
                bool known = false;
                for (const OnDemand& t : m_tracked)
                    known = known || t.module == ins.module;
                if (!known) m_tracked.push_back({ins.module, ins.why, now, -1, {}});
            }
            record({now, HistoryEvent::Loaded, ins.module, ins.why});
        }
        if (out.failed) {
            ++m_count.failed;
            record({now, HistoryEvent::Failed, req->modalias, "for " + req->devpath});
        }
        m_queue.done(req->modalias);
        std::lock_guard lock(m_state);
        m_dirty = true;
    }
}

void Daemon::request(DeviceRequest req) {
    ++m_count.requests;
    switch (m_queue.push(std::move(req))) {
    case PushResult::Queued:
        break;
    case PushResult::Merged:
        ++m_count.merged;
        break;
    case PushResult::Full:
        ++m_count.queue_full;
        m_rescan = true;
        break;
    }
}

// Every device's modalias under /sys/bus/*/devices, as `udevadm trigger` walks them.
void Daemon::coldplug(const char* why) {
    ++m_count.rescans;
    size_t found = 0;
    std::string bus_dir = m_opt.sys_root + "/bus";
    auto buses = m_sys.list_dir(bus_dir);
    if (!buses) {
        log(LogLevel::Error, "cannot scan " + bus_dir + ": " + buses.error().describe());
        return;
    }
    for (const std::string& bus : *buses) {
        std::string dev_dir = bus_dir + "/" + bus + "/devices";
        auto devices = m_sys.list_dir(dev_dir);
        if (!devices) continue;
        for (const std::string& dev : *devices) {
            auto alias = m_sys.read_file(dev_dir + "/" + dev + "/modalias");
            if (!alias) continue;
            std::string a = *alias;
            while (!a.empty() && (a.back() == '\n' || a.back() == '\0'))
                a.pop_back();
            if (a.empty()) continue;
            ++found;
            request({a, dev_dir + "/" + dev});
        }
    }
    log(LogLevel::Info, std::string(why) + ": " + std::to_string(found) +
                            " device(s) with a modalias under " + bus_dir);
}

void Daemon::on_uevents(exec::UeventSocket& sock) {
    for (;;) {
        auto msg = sock.receive();
        if (!msg) {
            int err = msg.error();
            if (err == -EAGAIN || err == -EINTR) return;
            if (err == -ENOBUFS) {
                ++m_count.overruns;
                log(LogLevel::Warning, "uevent socket overran (ENOBUFS): events were lost, "
                                       "rescanning every device");
                m_rescan = true;
                continue;
            }
            ++m_count.malformed;
            log(LogLevel::Warning,
                std::string("uevent dropped: ") + (err == -EPERM      ? "not sent by the kernel"
                                                   : err == -EMSGSIZE ? "longer than any uevent"
                                                                      : std::strerror(-err)));
            continue;
        }
        ++m_count.uevents;
        auto ev = parse_uevent(*msg);
        if (!ev) {
            ++m_count.malformed;
            log(LogLevel::Warning, "malformed uevent dropped: " + ev.error().message);
            continue;
        }
        if (ev->action != "add") continue; // udev: ACTION=="add", ENV{MODALIAS}=="?*"
        auto alias = ev->modalias();
        if (!alias || alias->empty()) continue;
        request({std::string(*alias), ev->devpath});
    }
}

void Daemon::reload() {
    auto cfg = load_daemon_config(m_opt.config_path);
    if (!cfg) {
        log(LogLevel::Error, "SIGHUP: configuration not reloaded, keeping the current one:\n" +
                                 cfg.error().describe());
    } else {
        std::lock_guard lock(m_state);
        m_config = std::move(*cfg);
        m_queue.set_limit(m_config.queue_limit);
    }
    m_loader.reload();
    log(LogLevel::Info, "SIGHUP: configuration reloaded");
}

std::optional<double> read_pressure(exec::System& sys) {
    auto text = sys.read_file("/proc/pressure/memory");
    if (!text) return std::nullopt;
    auto p = parse_memory_pressure(*text, "/proc/pressure/memory");
    if (!p) return std::nullopt;
    return p->some.avg10;
}

void Daemon::check_idle_modules() {
    std::optional<double> pressure = read_pressure(m_sys);
    auto observe = [&](const std::string& name) {
        ModuleUse u;
        u.loaded = exec::is_live(m_sys, name);
        if (!u.loaded) return u;
        u.refcnt = exec::refcnt(m_sys, name, [](LogLevel, const std::string&) {});
        auto h = exec::holders(m_sys, name, [](LogLevel, const std::string&) {});
        if (h) u.holders = *h;
        u.devices = exec::bound_devices(m_sys, name);
        return u;
    };
    std::vector<IdleVerdict> verdicts;
    {
        std::lock_guard lock(m_state);
        verdicts = check_idle(m_tracked, observe, m_config, pressure, mono_ms() / 1000);
    }
    int64_t now = wall_now();
    std::vector<std::string> forget;
    for (const IdleVerdict& v : verdicts) {
        if (v.action == IdleAction::Gone) {
            forget.push_back(v.module);
            log(LogLevel::Info, v.module + " was removed by someone else; no longer tracked");
            continue;
        }
        if (v.action == IdleAction::Kept) {
            std::lock_guard lock(m_state);
            for (OnDemand& t : m_tracked)
                if (t.module == v.module && t.last_refusal != v.reason) {
                    t.last_refusal = v.reason;
                    log(LogLevel::Info, "not unloading " + v.module + ": " + v.reason);
                }
            continue;
        }
        if (v.action != IdleAction::Unload) continue;
        exec::Effects fx{m_sys, exec::run_shell_command, [](std::string_view) {}, {}};
        exec::RemoveRunOptions run;
        std::string refusal;
        auto plan = resolve::plan_rmmod(v.module, false, false);
        int err =
            exec::run_removal(nullptr, plan, run, LogLevel::Error, fx, [&](const exec::Refusal& r) {
                refusal =
                    r.kind == exec::Refusal::Kind::HeldBy ? "held by another module" : "in use";
            });
        if (err == 0) {
            ++m_count.unloaded;
            log(LogLevel::Info, "unloaded " + v.module + ": " + v.reason);
            record({now, HistoryEvent::Unloaded, v.module, v.reason});
            forget.push_back(v.module);
        } else {
            std::string why = !refusal.empty() ? refusal : std::strerror(-err);
            log(LogLevel::Notice, "unloading " + v.module + " refused: " + why);
            record({now, HistoryEvent::Refused, v.module, why});
        }
    }
    std::lock_guard lock(m_state);
    std::erase_if(m_tracked, [&](const OnDemand& t) {
        return std::find(forget.begin(), forget.end(), t.module) != forget.end();
    });
    m_dirty = true;
}

const char* mode_name(IdleUnload m) {
    switch (m) {
    case IdleUnload::Off:
        return "off";
    case IdleUnload::Pressure:
        return "pressure";
    case IdleUnload::Idle:
        return "idle";
    }
    return "?";
}

void Daemon::write_status() {
    util::JsonWriter j;
    {
        std::lock_guard lock(m_state);
        if (!m_dirty) return;
        m_dirty = false;
        int64_t mono = mono_ms() / 1000;
        j.begin_object();
        j.field("pid", static_cast<long long>(::getpid()));
        j.field("started", static_cast<long long>(m_started));
        j.field("updated", static_cast<long long>(wall_now()));
        j.field("config", m_config.source.empty() ? std::string("(defaults)") : m_config.source);
        j.field("idle_unload", mode_name(m_config.idle_unload));
        j.field("idle_seconds", m_config.idle_seconds);
        j.field("pressure_threshold", static_cast<long long>(m_config.pressure_threshold));
        j.key("events").begin_object();
        j.field("uevents", static_cast<unsigned long long>(m_count.uevents));
        j.field("requests", static_cast<unsigned long long>(m_count.requests));
        j.field("merged", static_cast<unsigned long long>(m_count.merged));
        j.field("malformed", static_cast<unsigned long long>(m_count.malformed));
        j.field("overruns", static_cast<unsigned long long>(m_count.overruns));
        j.field("rescans", static_cast<unsigned long long>(m_count.rescans));
        j.field("queue_full", static_cast<unsigned long long>(m_count.queue_full));
        j.field("loaded", static_cast<unsigned long long>(m_count.loaded));
        j.field("failed", static_cast<unsigned long long>(m_count.failed));
        j.field("unloaded", static_cast<unsigned long long>(m_count.unloaded));
        j.end_object();
        j.field("queue", static_cast<unsigned long long>(m_queue.waiting()));
        j.field("in_flight", static_cast<unsigned long long>(m_queue.in_flight()));
        j.key("on_demand").begin_array();
        for (const OnDemand& t : m_tracked) {
            j.begin_object();
            j.field("module", t.module);
            j.field("loaded", static_cast<long long>(t.loaded_at));
            j.field("why", t.why);
            if (t.idle_since < 0)
                j.field_null("idle_for");
            else
                j.field("idle_for", static_cast<long long>(mono - t.idle_since));
            j.end_object();
        }
        j.end_array();
        j.key("history").begin_array();
        for (const HistoryEntry& e : m_history) {
            j.begin_object();
            j.field("time", static_cast<long long>(e.time));
            j.field("event", history_event_name(e.event));
            j.field("module", e.module);
            j.field("reason", e.reason);
            j.end_object();
        }
        j.end_array();
        j.end_object();
    }
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(m_config.status_file).parent_path(),
                                        ec);
    auto r =
        util::write_file_atomic(m_config.status_file, j.take(), 0644, util::AtomicFile::Sync::No);
    if (!r) log(LogLevel::Warning, "status not written: " + r.error().describe());
}

int Daemon::run() {
    // Signals arrive on a descriptor; every thread started below inherits the mask.
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    pthread_sigmask(SIG_BLOCK, &mask, nullptr);
    util::UniqueFd sigfd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));

    // The socket first, then the scan: a device that appears in between is seen twice (and
    // merged), never missed.
    auto sock = exec::UeventSocket::open();
    if (!sock) {
        log(LogLevel::Error,
            std::string("cannot open the uevent socket: ") + std::strerror(-sock.error()));
        return 1;
    }
    adopt_history();
    std::vector<std::thread> workers;
    for (unsigned i = 0; i < m_config.jobs; ++i)
        workers.emplace_back([this] { worker(); });
    log(LogLevel::Info, "started (" + std::to_string(m_config.jobs) + " jobs, idle-unload " +
                            mode_name(m_config.idle_unload) + ", configuration " +
                            (m_config.source.empty() ? "defaults" : m_config.source) + ")");
    bool cold = m_opt.coldplug_override ? m_opt.coldplug : m_config.coldplug;
    if (cold) coldplug("coldplug");

    int64_t next_check = mono_ms() + m_config.check_seconds * 1000LL;
    int64_t quiet_since = mono_ms();
    bool stop = false;
    while (!stop) {
        pollfd fds[2] = {{sock->fd(), POLLIN, 0}, {sigfd.get(), POLLIN, 0}};
        int n = ::poll(fds, 2, m_opt.once ? 200 : 1000);
        if (n < 0 && errno != EINTR) {
            log(LogLevel::Error, std::string("poll: ") + std::strerror(errno));
            break;
        }
        if (n > 0 && (fds[1].revents & POLLIN) != 0) {
            signalfd_siginfo si{};
            while (::read(sigfd.get(), &si, sizeof si) == sizeof si) {
                if (si.ssi_signo == SIGHUP)
                    reload();
                else
                    stop = true;
            }
        }
        if (n > 0 && (fds[0].revents & POLLIN) != 0) {
            on_uevents(*sock);
            quiet_since = mono_ms();
        }
        if (m_rescan) {
            m_rescan = false;
            coldplug("rescan");
        }
        int64_t now = mono_ms();
        if (now >= next_check) {
            next_check = now + m_config.check_seconds * 1000LL;
            if (m_config.idle_unload != IdleUnload::Off) check_idle_modules();
        }
        write_status();
        if (m_opt.once) {
            if (!m_queue.idle()) quiet_since = now;
            if (now - quiet_since >= 2000) stop = true;
        }
    }
    m_queue.stop();
    for (std::thread& t : workers)
        t.join();
    {
        std::lock_guard lock(m_state);
        m_dirty = true;
    }
    write_status();
    log(LogLevel::Info, "stopped");
    return 0;
}

} // namespace

int run_daemon(exec::System& sys, const DaemonOptions& options) {
    auto config = load_daemon_config(options.config_path);
    if (!config) {
        util::Diag::log(LogLevel::Error, config.error().describe());
        return 1;
    }
    Daemon d(sys, options, std::move(*config));
    return d.run();
}

} // namespace modkit::daemon
