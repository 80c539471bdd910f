// dkms's terminal status lines: the sequencer passes activities on at once and keeps a held
// job's line until that job's messages are printed; a status line's wording; the tail of a log.
#include "dkms/live_report.hpp"
#include "dkms/report.hpp"

#include <cstdio>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace modkit::dkms {
namespace {

// Records messages and activity events in one sequence.
class EventReport final : public Report {
public:
    void out(std::string_view t) override { events += "out:" + std::string(t) + ";"; }
    void err(std::string_view t) override { events += "err:" + std::string(t) + ";"; }
    int begin_activity(const std::string& label, const std::string&) override {
        events += "begin:" + label + ";";
        return next++;
    }
    void end_activity(int id, bool settle) override {
        events += "end:" + std::to_string(id) + (settle ? ",settled;" : ",held;");
    }
    void settle_activity(int id) override { events += "settle:" + std::to_string(id) + ";"; }
    std::string events;
    int next = 0;
};

TEST(DkmsLiveReport, AHeldJobsLineStaysUntilItsMessagesArePrinted) {
    EventReport to;
    {
        JobSequencer seq(to, 2);
        int a = seq.report_for(0).begin_activity("a", "");
        int b = seq.report_for(1).begin_activity("b", "");
        seq.report_for(1).out("b built\n");
        seq.report_for(1).end_activity(b); // job 1 is held: its line stays
        seq.report_for(0).out("a built\n");
        seq.report_for(0).end_activity(a); // job 0 streams: its line goes now
        seq.finished(0);                   // job 1's messages print, then its line goes
        seq.finished(1);
    }
    EXPECT_EQ(to.events, "begin:a;begin:b;end:1,held;out:a built\n;end:0,settled;"
                         "out:b built\n;settle:1;");
}

TEST(DkmsLiveReport, LinesLeftHeldAtTheEndAreSettledAfterTheirMessages) {
    EventReport to;
    {
        JobSequencer seq(to, 2);
        int b = seq.report_for(1).begin_activity("b", "");
        seq.report_for(1).out("b\n");
        seq.report_for(1).end_activity(b);
    } // job 0 never finished: the destructor prints job 1's messages, then settles its line
    EXPECT_EQ(to.events, "begin:b;end:0,held;out:b\n;settle:0;");
}

TEST(DkmsLiveReport, OtherReportsIgnoreActivities) {
    BufferedReport buffered;
    EXPECT_EQ(buffered.begin_activity("x", "/nonexistent"), -1);
    buffered.end_activity(-1);
    EXPECT_TRUE(buffered.empty());
}

TEST(DkmsLiveReport, StatusLineWording) {
    using std::chrono::seconds;
    EXPECT_EQ(LiveReport::status_line("hello/1.0 for 6.1.0-50-amd64 (x86_64)", seconds(12),
                                      "  CC [M]  hello.o", false),
              "hello/1.0 for 6.1.0-50-amd64 (x86_64), 12 s:   CC [M]  hello.o");
    EXPECT_EQ(LiveReport::status_line("a/1 for K (x)", seconds(0), "", false),
              "a/1 for K (x), 0 s");
    EXPECT_EQ(LiveReport::status_line("a/1 for K (x)", seconds(3), "last", true),
              "a/1 for K (x), 3 s: finished");
}

TEST(DkmsLiveReport, LastLogLineIsTheLastNonEmptyLine) {
    char path[] = "/tmp/modkit-live-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(last_log_line(fd), "");
    ASSERT_EQ(write(fd, "first\nsecond\n\n", 14), 14);
    EXPECT_EQ(last_log_line(fd), "second");
    ASSERT_EQ(write(fd, "progress 10%\rprogress 20%", 25), 25);
    EXPECT_EQ(last_log_line(fd), "progress 20%");
    std::string big(10000, 'x');
    ASSERT_EQ(write(fd, ("\n" + big + "\nend\n").data(), big.size() + 6),
              static_cast<ssize_t>(big.size() + 6));
    EXPECT_EQ(last_log_line(fd), "end");
    close(fd);
    unlink(path);
    EXPECT_EQ(last_log_line(-1), "");
}

} // namespace
} // namespace modkit::dkms
