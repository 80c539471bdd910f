// modkitd's pure parts: modkitd.conf (every setting, every error with its line), the idle
// policy (in use, held, bound, idle too short, keep and allow lists, pressure below and above
// the threshold, gone), /proc/pressure/memory, the history file and the merging, bounded queue.
#include "daemon/config.hpp"
#include "daemon/history.hpp"
#include "daemon/idle.hpp"
#include "daemon/pressure.hpp"
#include "daemon/queue.hpp"

#include <gtest/gtest.h>

#include <map>
#include <thread>

namespace modkit::daemon {
namespace {

TEST(DaemonConfig, DefaultsAndEverySetting) {
    auto p = parse_daemon_config("# modkitd\n\ncoldplug = no\njobs=8\nqueue-limit = 100\n"
                                 "idle-unload = pressure  # comment\nidle-seconds = 60\n"
                                 "pressure-threshold = 12.5\ncheck-seconds = 2\n"
                                 "keep = snd-* nvidia\nkeep = zfs\nallow = virtio*, e1000e\n"
                                 "status-file = /run/x.json\nhistory-file = /var/h\n",
                                 "/etc/modkit/modkitd.conf");
    ASSERT_TRUE(p.problems.empty()) << p.problems[0].message;
    const DaemonConfig& c = p.config;
    EXPECT_FALSE(c.coldplug);
    EXPECT_EQ(c.jobs, 8u);
    EXPECT_EQ(c.queue_limit, 100u);
    EXPECT_EQ(c.idle_unload, IdleUnload::Pressure);
    EXPECT_EQ(c.idle_seconds, 60u);
    EXPECT_DOUBLE_EQ(c.pressure_threshold, 12.5);
    EXPECT_EQ(c.check_seconds, 2u);
    EXPECT_EQ(c.keep, (std::vector<std::string>{"snd_*", "nvidia", "zfs"}));
    EXPECT_EQ(c.allow, (std::vector<std::string>{"virtio*", "e1000e"}));
    EXPECT_EQ(c.status_file, "/run/x.json");
    EXPECT_EQ(c.history_file, "/var/h");
    EXPECT_EQ(c.unload_refused_by("snd-hda-intel"), "keep");
    EXPECT_EQ(c.unload_refused_by("virtio_net"), "");
    EXPECT_EQ(c.unload_refused_by("loop"), "allow");
    DaemonConfig d;
    EXPECT_TRUE(d.coldplug);
    EXPECT_EQ(d.idle_unload, IdleUnload::Off);
    EXPECT_EQ(d.unload_refused_by("loop"), "");
}

TEST(DaemonConfig, EveryProblemWithItsLine) {
    auto p = parse_daemon_config("jobs = 0\nnonsense\n= 3\nidle-unload = sometimes\n"
                                 "pressure-threshold = 101\nidle-seconds = -1\ncoldplug = maybe\n"
                                 "status-file = run/x\nfrobnicate = 1\nqueue-limit = 1\n"
                                 "check-seconds = 0\n",
                                 "/etc/m.conf");
    std::vector<std::string> got;
    for (const ConfigProblem& pr : p.problems)
        got.push_back(std::to_string(pr.line) + ": " + pr.message);
    EXPECT_EQ(got, (std::vector<std::string>{
                       "1: jobs must be a number from 1 to 256, not '0'",
                       "2: expected 'key = value'",
                       "3: expected 'key = value'",
                       "4: idle-unload must be off, pressure or idle, not 'sometimes'",
                       "5: pressure-threshold must be a percentage from 0 to 100, not '101'",
                       "6: idle-seconds must be a number from 1 to 604800, not '-1'",
                       "7: coldplug must be yes or no, not 'maybe'",
                       "8: status-file must be an absolute path, not 'run/x'",
                       "9: unknown setting 'frobnicate'",
                       "10: queue-limit must be a number from 16 to 1048576, not '1'",
                       "11: check-seconds must be a number from 1 to 3600, not '0'",
                   }));
    std::string nul("jobs = 2\nco\0ldplug = no\n", 24);
    auto q = parse_daemon_config(nul, "/etc/m.conf");
    ASSERT_EQ(q.problems.size(), 1u);
    EXPECT_EQ(q.problems[0].line, 2u);
    EXPECT_EQ(q.problems[0].message, "a NUL byte");
}

TEST(DaemonConfig, LoadReportsFileAndLine) {
    auto missing = load_daemon_config("/nonexistent/modkitd.conf");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->idle_unload, IdleUnload::Off);
}

ModuleUse idle_use() {
    ModuleUse u;
    u.loaded = true;
    return u;
}

TEST(DaemonIdle, Rules) {
    DaemonConfig c;
    c.idle_unload = IdleUnload::Pressure;
    c.idle_seconds = 30;
    c.pressure_threshold = 10;
    c.keep = {"kept"};
    std::map<std::string, ModuleUse> use;
    for (const char* m : {"a", "kept", "busy", "held", "bound", "gone"})
        use[m] = idle_use();
    use["busy"].refcnt = 2;
    use["held"].holders = {"other"};
    use["bound"].devices = {"pci:e1000e/0000:00:04.0"};
    use["gone"].loaded = false;
    std::vector<OnDemand> tracked;
    for (const char* m : {"a", "kept", "busy", "held", "bound", "gone"})
        tracked.push_back({m, "why", 0, -1, {}});
    auto observe = [&](const std::string& m) { return use[m]; };

    auto at = [&](int64_t now, std::optional<double> pressure) {
        std::map<std::string, std::pair<IdleAction, std::string>> out;
        for (const IdleVerdict& v : check_idle(tracked, observe, c, pressure, now))
            out[v.module] = {v.action, v.reason};
        return out;
    };
    auto v = at(100, 50.0);
    EXPECT_EQ(v["a"].first, IdleAction::Idle);
    EXPECT_EQ(v["a"].second, "idle for 0s of 30s");
    EXPECT_EQ(v["busy"],
              std::make_pair(IdleAction::InUse, std::string("in use (reference count 2)")));
    EXPECT_EQ(v["held"], std::make_pair(IdleAction::InUse, std::string("held by other")));
    EXPECT_EQ(v["bound"],
              std::make_pair(IdleAction::InUse, std::string("bound to pci:e1000e/0000:00:04.0")));
    EXPECT_EQ(v["gone"].first, IdleAction::Gone);

    v = at(130, 5.0); // idle long enough, but no pressure
    EXPECT_EQ(v["a"].first, IdleAction::Idle);
    EXPECT_EQ(v["a"].second, "idle, memory pressure 5.00% below 10.00%");
    EXPECT_EQ(v["kept"].first, IdleAction::Kept);
    EXPECT_EQ(v["kept"].second, "idle but on the keep list");
    v = at(130, std::nullopt);
    EXPECT_EQ(v["a"].second, "idle, memory pressure unknown");
    v = at(131, 10.0);
    EXPECT_EQ(v["a"].first, IdleAction::Unload);
    EXPECT_EQ(v["a"].second, "unused for 31s (refcount 0, no holders, no bound device) and "
                             "memory pressure 10.00% at or above 10.00%");
    EXPECT_EQ(v["busy"].first, IdleAction::InUse);
    EXPECT_EQ(v["kept"].first, IdleAction::Kept);

    // Used again: the idle clock restarts.
    use["a"].refcnt = 1;
    EXPECT_EQ(at(140, 90.0)["a"].first, IdleAction::InUse);
    use["a"].refcnt = 0;
    EXPECT_EQ(at(150, 90.0)["a"].second, "idle for 0s of 30s");

    c.idle_unload = IdleUnload::Idle;
    c.allow = {"b*"};
    v = at(180, std::nullopt);
    EXPECT_EQ(v["a"].first, IdleAction::Kept);
    EXPECT_EQ(v["a"].second, "idle but not on the allow list");
    c.allow.clear();
    v = at(180, std::nullopt);
    EXPECT_EQ(v["a"].first, IdleAction::Unload);
    EXPECT_EQ(v["a"].second,
              "unused for 30s (refcount 0, no holders, no bound device) (idle-unload=idle)");

    c.idle_unload = IdleUnload::Off;
    EXPECT_TRUE(check_idle(tracked, observe, c, 99.0, 1000).empty());
}

TEST(DaemonPressure, Parse) {
    auto p = parse_memory_pressure("some avg10=1.50 avg60=0.25 avg300=0.00 total=12345\n"
                                   "full avg10=0.50 avg60=0.00 avg300=0.00 total=99\n",
                                   "/proc/pressure/memory");
    ASSERT_TRUE(p) << p.error().describe();
    EXPECT_DOUBLE_EQ(p->some.avg10, 1.5);
    EXPECT_DOUBLE_EQ(p->some.avg60, 0.25);
    EXPECT_EQ(p->some.total, 12345u);
    EXPECT_TRUE(p->has_full);
    EXPECT_DOUBLE_EQ(p->full.avg10, 0.5);
    const std::pair<std::string, std::string> bad[] = {
        {"", "/p: no 'some' line"},
        {"full avg10=0 avg60=0 avg300=0 total=0\n", "/p: no 'some' line"},
        {"some avg10=1 avg60=0 total=0\n", "/p:1: no avg300"},
        {"some avg10=x avg60=0 avg300=0 total=0\n", "/p:1: avg10 'x' is not a percentage"},
        {"some avg10=101 avg60=0 avg300=0 total=0\n", "/p:1: avg10 '101' is not a percentage"},
        {"some avg10=1 avg60=0 avg300=0 total=-3\n", "/p:1: total '-3' is not a number"},
        {"some avg10=1 avg60=0 avg300=0\n", "/p:1: no total"},
        {"some avg10=1 avg60=0 avg300=0 total=0\nhalf x\n",
         "/p:2: expected a 'some' or 'full' line"},
    };
    for (const auto& [text, msg] : bad) {
        auto r = parse_memory_pressure(text, "/p");
        ASSERT_FALSE(r) << text;
        EXPECT_EQ(r.error().describe(), msg);
    }
    std::string whole = "some avg10=1.50 avg60=0.25 avg300=0.00 total=12345\n";
    for (size_t n = 0; n < whole.size(); ++n)
        (void)parse_memory_pressure(whole.substr(0, n), "/p"); // never crashes
}

TEST(DaemonHistory, RoundTripAndDamage) {
    std::vector<HistoryEntry> in = {
        {100, HistoryEvent::Loaded, "virtio_net", "for /devices/x (pci:v1): modules.alias"},
        {101, HistoryEvent::Loaded, "e1000e", "for\t/devices/y\nnext"},
        {200, HistoryEvent::Unloaded, "virtio_net", "unused for 31s"},
        {201, HistoryEvent::Refused, "e1000e", "in use"},
    };
    std::string text;
    for (const HistoryEntry& e : in)
        text += format_history_line(e) + "\n";
    auto out = parse_history(text + "garbage line\n300\tloaded\tcut");
    EXPECT_EQ(out.bad_lines, 2u);
    ASSERT_EQ(out.entries.size(), 4u);
    EXPECT_EQ(out.entries[0], in[0]);
    EXPECT_EQ(out.entries[1].reason, "for /devices/y next");
    auto live = still_loaded(out.entries);
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[0].module, "e1000e");
}

TEST(DaemonQueue, MergesBoundsAndStops) {
    RequestQueue q(16);
    EXPECT_EQ(q.push({"pci:a", "/d1"}), PushResult::Queued);
    EXPECT_EQ(q.push({"pci:a", "/d2"}), PushResult::Merged);
    for (int i = 0; i < 15; ++i)
        EXPECT_EQ(q.push({"pci:" + std::to_string(i), "/d"}), PushResult::Queued);
    EXPECT_EQ(q.push({"pci:full", "/d"}), PushResult::Full);
    EXPECT_EQ(q.waiting(), 16u);
    auto r = q.pop();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->devpath, "/d1");
    EXPECT_EQ(q.push({"pci:a", "/d3"}), PushResult::Merged); // still in flight
    q.done("pci:a");
    EXPECT_EQ(q.push({"pci:a", "/d4"}), PushResult::Queued);
    EXPECT_FALSE(q.idle());
    std::thread t([&] {
        while (auto x = q.pop())
            q.done(x->modalias);
    });
    while (!q.idle())
        std::this_thread::yield();
    q.stop();
    t.join();
    EXPECT_FALSE(q.pop());
}

} // namespace
} // namespace modkit::daemon
