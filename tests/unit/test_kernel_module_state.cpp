// kernel/module_state: libkmod's reading of /sys/module and /proc/modules (states, counts,
// holders in readdir order, size fallbacks) and its messages, against the fake system.
#include "exec/kernel_state.hpp"
#include "kernel/module_state.hpp"

#include "fake_system.hpp"

#include <gtest/gtest.h>

#include <cerrno>

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

TEST(KernelModuleState, InitstateFromTheFile) {
    FakeSystem sys;
    sys.set_file("/sys/module/a/initstate", "live\n");
    sys.set_file("/sys/module/b/initstate", "coming\n");
    sys.set_file("/sys/module/c/initstate", "going\n");
    EXPECT_EQ(initstate(sys, "a"), InitState::Live);
    EXPECT_EQ(initstate(sys, "b"), InitState::Coming);
    EXPECT_EQ(initstate(sys, "c"), InitState::Going);
    EXPECT_EQ(initstate_name(InitState::Going), "going");
}

TEST(KernelModuleState, DirectoryWithoutInitstateIsComing) {
    FakeSystem sys;
    sys.add_dir("/sys/module/8250/parameters");
    EXPECT_EQ(initstate(sys, "8250"), InitState::Coming);
}

TEST(KernelModuleState, AbsentModuleIsEnoent) {
    FakeSystem sys;
    auto s = initstate(sys, "nosuch");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), -ENOENT);
    sys.set_error("/sys/module/x/initstate", EACCES);
    EXPECT_EQ(initstate(sys, "x").error(), -EACCES);
}

TEST(KernelModuleState, UnknownInitstateIsLoggedWithItsNewline) {
    FakeSystem sys;
    Logged log;
    sys.set_file("/sys/module/a/initstate", "unformed\n");
    EXPECT_EQ(initstate(sys, "a", log.fn()).error(), -EINVAL);
    ASSERT_EQ(log.lines.size(), 1u);
    EXPECT_EQ(log.lines[0], "3 unknown /sys/module/a/initstate: 'unformed\n'");
}

TEST(KernelModuleState, Refcnt) {
    FakeSystem sys;
    Logged log;
    sys.set_file("/sys/module/a/refcnt", "3\n");
    sys.set_file("/sys/module/b/refcnt", "7"); // no whitespace after the number: EINVAL
    EXPECT_EQ(refcnt(sys, "a"), 3);
    EXPECT_EQ(refcnt(sys, "nosuch", log.fn()), -ENOENT);
    EXPECT_TRUE(log.lines.empty()); // a missing file is only a debug message in libkmod
    EXPECT_EQ(refcnt(sys, "b", log.fn()), -EINVAL);
    ASSERT_EQ(log.lines.size(), 1u);
    EXPECT_EQ(log.lines[0], "3 could not read integer from '/sys/module/b/refcnt': "
                            "'Invalid argument'");
}

TEST(KernelModuleState, HoldersInReaddirOrder) {
    FakeSystem sys;
    FakeSystem::Module m;
    m.holders = {"zeta", "alpha", "mid"};
    sys.add_module("base", m);
    auto h = holders(sys, "base");
    ASSERT_TRUE(h);
    EXPECT_EQ(*h, (std::vector<std::string>{"zeta", "alpha", "mid"}));
}

TEST(KernelModuleState, MissingHoldersDirectoryIsLogged) {
    FakeSystem sys;
    Logged log;
    sys.add_dir("/sys/module/8250");
    auto h = holders(sys, "8250", log.fn());
    ASSERT_FALSE(h);
    EXPECT_EQ(h.error(), -ENOENT);
    ASSERT_EQ(log.lines.size(), 1u);
    EXPECT_EQ(log.lines[0],
              "3 could not open '/sys/module/8250/holders': No such file or directory");
}

TEST(KernelModuleState, SizeFromCoresizeThenProcModules) {
    FakeSystem sys;
    FakeSystem::Module m;
    m.coresize = 4096;
    m.size = 9999;
    sys.add_module("a", m);
    EXPECT_EQ(module_size(sys, "a"), 4096);
    m.coresize.reset();
    sys.add_module("b", m);
    EXPECT_EQ(module_size(sys, "b"), 9999); // from the generated /proc/modules line
    EXPECT_EQ(module_size(sys, "nosuch"), -ENOENT);
}

TEST(KernelModuleState, SizeFallbackErrors) {
    FakeSystem sys;
    Logged log;
    sys.add_dir("/sys/module/a");
    sys.set_file("/proc/modules", "other 1 0 - Live 0x0\na \n"); // no size after the name
    EXPECT_EQ(module_size(sys, "a", log.fn()), -ENOENT);
    ASSERT_EQ(log.lines.size(), 1u);
    EXPECT_EQ(log.lines[0], "3 invalid line format at /proc/modules:2");
    log.lines.clear();
    sys.set_file("/sys/module/a/coresize", "big\n");
    EXPECT_EQ(module_size(sys, "a", log.fn()), 0); // libkmod's reader zeroes its result
    EXPECT_EQ(log.lines.at(0), "3 failed to read coresize from /sys/module/a");
}

TEST(KernelModuleState, LoadedModulesInFileOrder) {
    FakeSystem sys;
    sys.set_file("/proc/modules", "snd_hda 69632 2 snd_x,snd_y, Live 0xffffffffc0a00000\n"
                                  "loop 32768 0 - Live 0xffffffffc0900000\n"
                                  "odd-name 10 1\n");
    auto list = loaded_modules(sys);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 3u);
    EXPECT_EQ((*list)[0].name, "snd_hda");
    EXPECT_EQ((*list)[0].size, 69632);
    EXPECT_EQ((*list)[0].refcnt, 2);
    EXPECT_EQ((*list)[0].used_by, "snd_x,snd_y,");
    EXPECT_EQ((*list)[0].state, "Live");
    EXPECT_EQ((*list)[0].address, "0xffffffffc0a00000");
    EXPECT_EQ((*list)[1].name, "loop");
    EXPECT_EQ((*list)[2].name, "odd-name"); // as the kernel wrote it
    EXPECT_EQ((*list)[2].state, "");
    // exec/ hands the list up with names normalised, as kmod_module_new_from_name does.
    auto normalised = exec::loaded_modules(sys);
    ASSERT_TRUE(normalised);
    EXPECT_EQ((*normalised)[2].name, "odd_name");
}

TEST(KernelModuleState, NoProcModulesIsLogged) {
    FakeSystem sys;
    Logged log;
    sys.set_proc_modules_missing(true);
    auto list = loaded_modules(sys, log.fn());
    ASSERT_FALSE(list);
    EXPECT_EQ(list.error(), -ENOENT);
    EXPECT_EQ(log.lines.at(0), "3 could not open /proc/modules: No such file or directory");
}

TEST(KernelModuleState, KernelCompression) {
    FakeSystem sys;
    Logged log;
    EXPECT_EQ(kernel_compression(sys), KernelCompression::None);
    sys.set_file("/sys/module/compression", "zstd\n");
    EXPECT_EQ(kernel_compression(sys), KernelCompression::Zstd);
    sys.set_file("/sys/module/compression", "xz\n");
    EXPECT_EQ(kernel_compression(sys), KernelCompression::Xz);
    sys.set_file("/sys/module/compression", "gzip\n");
    EXPECT_EQ(kernel_compression(sys), KernelCompression::Gzip);
    sys.set_file("/sys/module/compression", "lz4\n");
    EXPECT_EQ(kernel_compression(sys, log.fn()), KernelCompression::None);
    EXPECT_EQ(log.lines.at(0), "3 unknown kernel compression lz4\n");
}

} // namespace
} // namespace modkit::kernel
