// kernel/remove and the real System: delete_module flags (O_NONBLOCK always, O_TRUNC when
// forced), libkmod's failure message, and the real System's file reading.
#include "kernel/remove.hpp"

#include "fake_system.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <sys/utsname.h>

namespace modkit::kernel {
namespace {

using test::FakeSystem;

struct Logged {
    std::vector<std::string> lines;
    util::LogFn fn() {
        return [this](util::LogLevel l, const std::string& m) {
            lines.push_back(std::to_string(static_cast<int>(l)) + " " + m);
        };
    }
};

TEST(KernelRemove, NonblockAlwaysTruncWhenForced) {
    FakeSystem sys;
    sys.add_module("a");
    sys.add_module("b");
    EXPECT_EQ(remove_module(sys, "a"), 0);
    EXPECT_EQ(remove_module(sys, "b", k_remove_force), 0);
    ASSERT_EQ(sys.calls().size(), 2u);
    EXPECT_EQ(sys.calls()[0].kind, FakeSystem::CallKind::DeleteModule);
    EXPECT_EQ(sys.calls()[0].name, "a");
    EXPECT_EQ(sys.calls()[0].flags, static_cast<int>(k_delete_nonblock));
    EXPECT_EQ(sys.calls()[1].flags, static_cast<int>(k_delete_nonblock | k_delete_trunc));
    EXPECT_TRUE(sys.loaded().empty());
}

TEST(KernelRemove, FailureIsLoggedUnlessNolog) {
    FakeSystem sys;
    Logged log;
    EXPECT_EQ(remove_module(sys, "gone", 0, log.fn()), -ENOENT);
    EXPECT_EQ(log.lines,
              std::vector<std::string>{"3 could not remove 'gone': No such file or directory"});
    log.lines.clear();
    EXPECT_EQ(remove_module(sys, "gone", k_remove_nolog, log.fn()), -ENOENT);
    EXPECT_TRUE(log.lines.empty());
}

TEST(KernelRemove, InUseModulesAnswerEwouldblockUnlessForced) {
    FakeSystem sys;
    FakeSystem::Module m;
    m.refcnt = 2;
    sys.add_module("busy", m);
    EXPECT_EQ(remove_module(sys, "busy", k_remove_nolog), -EWOULDBLOCK);
    EXPECT_EQ(remove_module(sys, "busy", k_remove_force), 0);
    sys.set_remove_result("stuck", -EBUSY);
    EXPECT_EQ(remove_module(sys, "stuck", k_remove_nolog), -EBUSY);
}

TEST(KernelRealSystem, ReadsTheRunningSystem) {
    System& sys = real_system();
    struct utsname u {};
    ASSERT_EQ(::uname(&u), 0);
    EXPECT_EQ(sys.kernel_release(), u.release);
    EXPECT_TRUE(sys.is_dir("/proc/self"));
    EXPECT_FALSE(sys.is_dir("/proc/self/status"));
    auto status = sys.read_file("/proc/self/status");
    ASSERT_TRUE(status);
    EXPECT_NE(status->find("Name:"), std::string::npos);
    auto missing = sys.read_file("/proc/no/such/file");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().sys_errno, ENOENT);
    auto entries = sys.list_dir("/proc/self");
    ASSERT_TRUE(entries);
    EXPECT_NE(std::find(entries->begin(), entries->end(), "status"), entries->end());
    EXPECT_EQ(std::find(entries->begin(), entries->end(), "."), entries->end());
    EXPECT_EQ(sys.list_dir("/proc/self/status").error().sys_errno, ENOTDIR);
}

} // namespace
} // namespace modkit::kernel
