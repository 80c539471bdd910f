// exec/remove_exec: run_remove() (modprobe -r, modprobe's rmmod_do_module) against the fake
// kernel: the not-loaded, builtin and in-use checks and their messages, holders first
// (--remove-holders), unused dependencies after the module, post-softdeps before and
// pre-softdeps after, remove commands, -w retrying on EAGAIN, and the -n lines.
#include "exec/remove_exec.hpp"

#include "fake_system.hpp"
#include "kernel/system.hpp"
#include "test_resolve_tree.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

namespace modkit::exec {
namespace {

using test::FakeSystem;
using test::ModuleTree;
using Kind = FakeSystem::CallKind;

constexpr int k_nonblock = static_cast<int>(kernel::k_delete_nonblock);
constexpr int k_trunc = static_cast<int>(kernel::k_delete_trunc);

// A kernel whose delete_module answers EAGAIN `busy_calls` times for one module, then removes
// it (busy_calls < 0: EAGAIN forever).
class BusySystem : public FakeSystem {
public:
    int delete_module(const std::string& name, unsigned flags) override {
        if (name == busy_module) {
            if (busy_calls == 0) {
                set_remove_result(name, 0);
            } else {
                if (busy_calls > 0) --busy_calls;
                set_remove_result(name, -EAGAIN);
            }
        }
        return FakeSystem::delete_module(name, flags); // records the call
    }
    std::string busy_module;
    int busy_calls = 0;
};

std::string level_name(util::LogLevel l) {
    return l == util::LogLevel::Fatal     ? "FATAL"
           : l == util::LogLevel::Error   ? "ERROR"
           : l == util::LogLevel::Warning ? "WARNING"
                                          : "OTHER";
}

class ExecRemove : public ::testing::Test {
protected:
    ExecRemove() {
        fx.run_command = [this](const std::string& cmd, const std::string& module) {
            commands.push_back(module + ": " + cmd);
            return command_status;
        };
        fx.out = [this](std::string_view s) { out += s; };
        fx.log = [this](util::LogLevel l, const std::string& m) {
            logs.push_back(level_name(l) + ": " + m);
        };
    }

    int remove(std::string_view input, const RemoveRunOptions& opt = {},
               util::LogLevel level = util::LogLevel::Fatal) {
        return run_remove(w.r(), w.one(input), opt, level, fx);
    }
    // delete_module's arguments, in call order.
    std::vector<std::string> deleted() const {
        std::vector<std::string> out;
        for (const auto& c : sys.calls()) {
            EXPECT_EQ(c.kind, Kind::DeleteModule);
            out.push_back(c.name);
        }
        return out;
    }
    void load(std::initializer_list<const char*> names) {
        for (const char* n : names)
            sys.add_module(n);
    }
    void load_with_refcnt(const std::string& name, int refcnt) {
        FakeSystem::Module m;
        m.refcnt = refcnt;
        sys.add_module(name, m);
    }

    test::ResolveWorld w;
    BusySystem sys;
    Effects fx{sys, {}, {}, {}};
    std::vector<std::string> commands;
    int command_status = 0;
    std::string out;
    std::vector<std::string> logs;
};

ModuleTree ext4_tree() {
    ModuleTree t;
    t.module("crc16")
        .module("mbcache")
        .module("jbd2", {"crc16"})
        .module("ext4", {"jbd2", "mbcache", "crc16"}, {"fs-ext4"})
        .module("pa")
        .module("pb")
        .module("qa")
        .module("qb")
        .builtin("unix");
    return t;
}

TEST_F(ExecRemove, NotLoadedIsSuccess) {
    w.build(ext4_tree());
    EXPECT_EQ(remove("ext4"), 0);
    EXPECT_TRUE(sys.calls().empty());
    EXPECT_TRUE(logs.empty());
}

TEST_F(ExecRemove, NotLoadedWithFirstTimeIsAnError) {
    w.build(ext4_tree());
    RemoveRunOptions opt;
    opt.first_time = true;
    EXPECT_EQ(remove("ext4", opt), -ENOENT);
    EXPECT_EQ(remove("ext4", opt, util::LogLevel::Warning), -ENOENT);
    EXPECT_EQ(logs, (std::vector<std::string>{"FATAL: Module ext4 is not in kernel.",
                                              "WARNING: Module ext4 is not in kernel."}));
    EXPECT_TRUE(sys.calls().empty());
}

TEST_F(ExecRemove, BuiltinCannotBeRemoved) {
    w.build(ext4_tree());
    EXPECT_EQ(remove("unix"), -ENOENT);
    EXPECT_EQ(logs, std::vector<std::string>{"FATAL: Module unix is builtin."});
    EXPECT_TRUE(sys.calls().empty());
}

TEST_F(ExecRemove, InUseIsEbusy) {
    w.build(ext4_tree());
    load_with_refcnt("ext4", 2);
    EXPECT_EQ(remove("ext4"), -EBUSY);
    EXPECT_EQ(logs, std::vector<std::string>{"FATAL: Module ext4 is in use."});
    EXPECT_TRUE(sys.calls().empty());
}

TEST_F(ExecRemove, RemovesTheModuleThenItsUnusedDependencies) {
    // Dependencies in list order (the dep line reversed), only those with refcnt 0; one that
    // is not loaded has no refcnt and is left alone.
    w.build(ext4_tree());
    load({"ext4", "crc16", "jbd2"});
    load_with_refcnt("mbcache", 1);
    RemoveRunOptions opt;
    opt.show = true;
    EXPECT_EQ(remove("ext4", opt), 0);
    EXPECT_EQ(deleted(), (std::vector<std::string>{"ext4", "crc16", "jbd2"}));
    for (const auto& c : sys.calls())
        EXPECT_EQ(c.flags, k_nonblock);
    EXPECT_EQ(out, "rmmod ext4\nrmmod crc16\nrmmod jbd2\n");
    EXPECT_EQ(sys.loaded(), std::vector<std::string>{"mbcache"});
    EXPECT_TRUE(logs.empty());
}

TEST_F(ExecRemove, ADependencyThatFailsToGoDoesNotMatter) {
    w.build(ext4_tree());
    load({"ext4", "crc16", "mbcache"});
    sys.set_remove_result("crc16", -EBUSY);
    EXPECT_EQ(remove("ext4"), 0);
    EXPECT_EQ(deleted(), (std::vector<std::string>{"ext4", "crc16", "mbcache"}));
    EXPECT_EQ(logs,
              std::vector<std::string>{"ERROR: could not remove 'crc16': Device or resource busy"});
}

TEST_F(ExecRemove, AKernelRefusalIsTheResult) {
    w.build(ext4_tree());
    load({"ext4", "crc16"});
    sys.set_remove_result("ext4", -EPERM);
    EXPECT_EQ(remove("ext4"), -EPERM);
    EXPECT_EQ(deleted(), std::vector<std::string>{"ext4"});
    EXPECT_EQ(logs,
              std::vector<std::string>{"ERROR: could not remove 'ext4': Operation not permitted"});
}

TEST_F(ExecRemove, ForceAddsOTrunc) {
    w.build(ext4_tree());
    load({"ext4", "crc16"});
    RemoveRunOptions opt;
    opt.force = true;
    EXPECT_EQ(remove("ext4", opt), 0);
    ASSERT_EQ(deleted(), (std::vector<std::string>{"ext4", "crc16"}));
    EXPECT_EQ(sys.calls()[0].flags, k_nonblock | k_trunc);
    EXPECT_EQ(sys.calls()[1].flags, k_nonblock | k_trunc);
}

TEST_F(ExecRemove, HoldersGoFirstInReverseReaddirOrder) {
    w.build(ext4_tree());
    FakeSystem::Module held;
    held.holders = {"h1", "h2"};
    sys.add_module("ext4", held);
    load({"h1", "h2"});
    // The fake keeps holders/ entries; let the kernel accept ext4 once its holders are gone.
    sys.set_remove_result("ext4", 0);
    RemoveRunOptions opt;
    opt.remove_holders = true;
    EXPECT_EQ(remove("ext4", opt), 0);
    EXPECT_EQ(deleted(), (std::vector<std::string>{"h2", "h1", "ext4"}));
    EXPECT_TRUE(logs.empty());
}

TEST_F(ExecRemove, AHolderThatCannotGoStopsTheRemoval) {
    w.build(ext4_tree());
    FakeSystem::Module held;
    held.holders = {"h1", "h2"};
    sys.add_module("ext4", held);
    load({"h1"});
    load_with_refcnt("h2", 1);
    RemoveRunOptions opt;
    opt.remove_holders = true;
    EXPECT_EQ(remove("ext4", opt), -EBUSY);
    EXPECT_TRUE(sys.calls().empty());
    EXPECT_EQ(logs, std::vector<std::string>{"FATAL: Module h2 is in use."});
}

TEST_F(ExecRemove, WithoutRemoveHoldersTheKernelRefuses) {
    w.build(ext4_tree());
    FakeSystem::Module held;
    held.holders = {"h1"};
    sys.add_module("ext4", held);
    load({"h1"});
    EXPECT_EQ(remove("ext4"), -EAGAIN);
    EXPECT_EQ(deleted(), std::vector<std::string>{"ext4"});
    EXPECT_EQ(logs, std::vector<std::string>{
                        "ERROR: could not remove 'ext4': Resource temporarily unavailable"});
}

TEST_F(ExecRemove, PostSoftdepsBeforeAndPreSoftdepsAfter) {
    w.build(ext4_tree(), "softdep ext4 pre: pa pb post: qa qb\n");
    load({"ext4", "crc16", "pa", "pb", "qa", "qb"});
    EXPECT_EQ(remove("ext4"), 0);
    EXPECT_EQ(deleted(), (std::vector<std::string>{"qb", "qa", "ext4", "crc16", "pb", "pa"}));
}

TEST_F(ExecRemove, SoftdepsThatAreAbsentBuiltinOrBusyAreIgnored) {
    w.build(ext4_tree(), "softdep ext4 pre: pa unix post: qa\n");
    load({"ext4"});
    load_with_refcnt("pa", 1);
    EXPECT_EQ(remove("ext4"), 0);
    EXPECT_EQ(deleted(), std::vector<std::string>{"ext4"});
    EXPECT_EQ(logs, std::vector<std::string>{"FATAL: Module pa is in use."});
}

TEST_F(ExecRemove, IgnoreCommandsSkipsSoftdepsAndRemoveCommands) {
    w.build(ext4_tree(), "softdep ext4 pre: pa post: qa\n"
                         "remove ext4 /sbin/teardown\n");
    load({"ext4", "pa", "qa"});
    RemoveRunOptions opt;
    opt.ignore_commands = true;
    EXPECT_EQ(remove("ext4", opt), 0);
    EXPECT_EQ(deleted(), std::vector<std::string>{"ext4"});
    EXPECT_TRUE(commands.empty());
}

TEST_F(ExecRemove, ARemoveCommandReplacesDeleteModule) {
    // Not loaded, but with a command nothing is checked; $CMDLINE_OPTS becomes empty;
    // dependencies are left alone; softdeps are still removed.
    w.build(ext4_tree(), "remove ext4 /sbin/teardown $CMDLINE_OPTS --now\n"
                         "softdep ext4 post: qa\n");
    load({"crc16", "qa"});
    RemoveRunOptions opt;
    opt.show = true;
    EXPECT_EQ(remove("ext4", opt), 0);
    EXPECT_EQ(commands, std::vector<std::string>{"ext4: /sbin/teardown  --now"});
    EXPECT_EQ(deleted(), std::vector<std::string>{"qa"});
    EXPECT_EQ(out, "rmmod qa\nremove /sbin/teardown  --now\n");
}

TEST_F(ExecRemove, AFailingRemoveCommand) {
    w.build(ext4_tree(), "remove ext4 /sbin/teardown\n");
    command_status = 2 << 8;
    EXPECT_EQ(remove("ext4"), -2);
    command_status = -1;
    EXPECT_EQ(remove("ext4", {}, util::LogLevel::Warning), -1);
    EXPECT_EQ(logs, (std::vector<std::string>{"FATAL: Error running remove command for ext4",
                                              "WARNING: Error running remove command for ext4"}));
}

TEST_F(ExecRemove, ARemoveCommandNameResolves) {
    w.build(ext4_tree(), "remove fake-thing /sbin/rm-fake\n");
    EXPECT_EQ(remove("fake-thing"), 0);
    EXPECT_EQ(commands, std::vector<std::string>{"fake_thing: /sbin/rm-fake"});
}

TEST_F(ExecRemove, WaitRetriesOnEagainUntilTheModuleGoes) {
    w.build(ext4_tree());
    load_with_refcnt("ext4", 1); // -w skips the in-use check
    sys.busy_module = "ext4";
    sys.busy_calls = 3;
    RemoveRunOptions opt;
    opt.wait_msec = 5000;
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(remove("ext4", opt), 0);
    auto elapsed = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(deleted(), (std::vector<std::string>{"ext4", "ext4", "ext4", "ext4"}));
    for (const auto& c : sys.calls())
        EXPECT_EQ(c.flags, k_nonblock); // NOLOG is not a kernel flag
    EXPECT_TRUE(logs.empty());
    // Backoff 2 + 4 + 8 ms; each wake-up is computed on a millisecond clock that truncates,
    // so each sleep can be up to 1 ms short.
    EXPECT_GE(elapsed, std::chrono::milliseconds(11));
    EXPECT_LT(elapsed, std::chrono::milliseconds(2000));
}

TEST_F(ExecRemove, WaitGivesUpAtTheDeadline) {
    w.build(ext4_tree());
    load({"ext4"});
    sys.busy_module = "ext4";
    sys.busy_calls = -1;
    RemoveRunOptions opt;
    opt.wait_msec = 30;
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(remove("ext4", opt), -EAGAIN);
    auto elapsed = std::chrono::steady_clock::now() - t0;
    EXPECT_GE(elapsed, std::chrono::milliseconds(25));
    EXPECT_LT(elapsed, std::chrono::milliseconds(2000));
    EXPECT_GT(sys.calls().size(), 2u);
    EXPECT_EQ(logs, std::vector<std::string>{
                        "ERROR: could not remove 'ext4': Resource temporarily unavailable"});
}

TEST_F(ExecRemove, DryRunPrintsRmmodLinesOnly) {
    w.build(ext4_tree(), "softdep ext4 pre: pa\n");
    load({"ext4", "crc16", "mbcache", "pa"});
    RemoveRunOptions opt;
    opt.dry_run = true;
    opt.show = true;
    EXPECT_EQ(remove("ext4", opt), 0);
    EXPECT_EQ(out, "rmmod ext4\nrmmod crc16\nrmmod mbcache\nrmmod pa\n");
    EXPECT_TRUE(sys.calls().empty());
}

TEST_F(ExecRemove, ShowDependsPrintsEvenWhenNothingIsLoaded) {
    // -D (dry run, show, ignore loaded): kmod 30 prints the rmmod line of an unloaded module;
    // its dependencies have no refcnt and are not printed.
    w.build(ext4_tree(), "remove pa /sbin/rm-pa $CMDLINE_OPTS\n");
    RemoveRunOptions opt;
    opt.dry_run = true;
    opt.show = true;
    opt.ignore_loaded = true;
    EXPECT_EQ(remove("ext4", opt), 0);
    EXPECT_EQ(remove("pa", opt), 0);
    EXPECT_EQ(out, "rmmod ext4\nremove /sbin/rm-pa \n");
    EXPECT_TRUE(sys.calls().empty());
    EXPECT_TRUE(commands.empty());
}

} // namespace
} // namespace modkit::exec
