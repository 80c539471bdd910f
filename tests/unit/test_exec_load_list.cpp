// exec/load_list: systemd-modules-load's handling of each entry (built in, already loaded,
// deny-listed, inserted, failed with libkmod's log lines) against the fake kernel, and the
// parallel run: the same outcomes and the same syscalls as one by one, a module shared by two
// entries loaded once, a module an earlier entry loads seen as already loaded by a later one,
// and an earlier entry's failure retried by the later entry that needs the module too.
#include "exec/load_list.hpp"

#include "fake_system.hpp"
#include "test_resolve_tree.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <mutex>
#include <string>
#include <vector>

namespace modkit::exec {
namespace {

using test::FakeSystem;
using test::ModuleTree;

// The fake kernel behind a lock, so that several loader threads can share it.
class LockedSystem final : public System {
public:
    explicit LockedSystem(FakeSystem& inner)
        : m_inner(inner) {}
    int finit_module(int fd, const std::string& params, int flags) override {
        std::lock_guard lock(m_mutex);
        return m_inner.finit_module(fd, params, flags);
    }
    int init_module(std::span<const uint8_t> image, const std::string& params) override {
        std::lock_guard lock(m_mutex);
        return m_inner.init_module(image, params);
    }
    int delete_module(const std::string& name, unsigned flags) override {
        std::lock_guard lock(m_mutex);
        return m_inner.delete_module(name, flags);
    }
    util::Expected<std::string> read_file(const std::string& path) override {
        std::lock_guard lock(m_mutex);
        return m_inner.read_file(path);
    }
    util::Expected<std::vector<std::string>> list_dir(const std::string& path) override {
        std::lock_guard lock(m_mutex);
        return m_inner.list_dir(path);
    }
    bool is_dir(const std::string& path) override {
        std::lock_guard lock(m_mutex);
        return m_inner.is_dir(path);
    }
    std::string kernel_release() override { return m_inner.kernel_release(); }
    std::string machine() override { return m_inner.machine(); }

private:
    FakeSystem& m_inner;
    std::mutex m_mutex;
};

ModuleTree tree() {
    ModuleTree t;
    t.module("crc16")
        .module("mbcache")
        .module("jbd2", {"crc16"})
        .module("ext4", {"jbd2", "mbcache", "crc16"}, {"fs-ext4"})
        .module("videodev")
        .module("v4l2loopback", {"videodev"})
        .module("uvcvideo", {"videodev"})
        .module("bonding")
        .module("dummy")
        .module("a1", {}, {"twin"})
        .module("a2", {}, {"twin"})
        .builtin("unix");
    return t;
}

std::string describe(const TargetOutcome& o) {
    std::string s;
    switch (o.result) {
    case LoadResult::BuiltIn:
        s = "builtin";
        break;
    case LoadResult::AlreadyLoaded:
        s = "loaded";
        break;
    case LoadResult::Inserted:
        s = "inserted";
        break;
    case LoadResult::Blacklisted:
        s = "blacklisted";
        break;
    case LoadResult::Failed:
        s = "failed " + std::to_string(o.err);
        break;
    }
    for (const auto& [level, msg] : o.log)
        s += " [" + msg + "]";
    return s;
}

class LoadList : public ::testing::Test {
protected:
    // Plans `names` and runs them with `jobs` threads; one line per entry, its targets joined.
    std::vector<std::string> run(const std::vector<std::string>& names, unsigned jobs) {
        std::vector<config::LoadEntry> entries;
        for (const std::string& n : names)
            entries.push_back(
                {n, {"/etc/modules-load.d/t.conf", static_cast<unsigned>(entries.size() + 1)}});
        auto items = resolve::plan_load_list(w.r(), entries);
        LockedSystem locked(sys);
        LoadListOptions opt;
        opt.jobs = jobs;
        opt.run_command = [this](const std::string& cmd, const std::string& module) {
            std::lock_guard lock(m_commands_mutex);
            commands.push_back(module + ": " + cmd);
            return command_status;
        };
        auto outcomes = run_load_list(items, locked, opt);
        std::vector<std::string> lines;
        for (size_t i = 0; i < items.size(); ++i) {
            std::string line = names[i] + ":";
            if (items[i].lookup_error) line += " lookup error";
            if (!items[i].lookup_error && items[i].targets.empty()) line += " not found";
            for (size_t t = 0; t < items[i].targets.size(); ++t)
                line += " " + items[i].targets[t].name + "=" + describe(outcomes[i].targets[t]);
            lines.push_back(line);
        }
        return lines;
    }
    std::vector<std::string> inserted() const {
        std::vector<std::string> names;
        for (const auto& c : sys.calls())
            names.push_back(c.name + (c.params.empty() ? "" : " " + c.params));
        std::sort(names.begin(), names.end());
        return names;
    }

    test::ResolveWorld w;
    FakeSystem sys;
    std::vector<std::string> commands;
    int command_status = 0;
    std::mutex m_commands_mutex;
};

TEST_F(LoadList, EachEntryAsSystemdModulesLoadHandlesIt) {
    w.build(tree(), "blacklist bonding\noptions dummy numdummies=3\n");
    sys.add_module("mbcache");
    EXPECT_EQ(run({"ext4", "unix", "bonding", "mbcache", "nosuch", "dummy", "foo[", "fs-ext4"}, 1),
              (std::vector<std::string>{"ext4: ext4=inserted", "unix: unix=builtin",
                                        "bonding: bonding=blacklisted", "mbcache: mbcache=loaded",
                                        "nosuch: not found", "dummy: dummy=inserted",
                                        "foo[: lookup error", "fs-ext4: ext4=loaded"}));
    EXPECT_EQ(inserted(),
              (std::vector<std::string>{"crc16", "dummy numdummies=3 ", "ext4", "jbd2"}));
}

TEST_F(LoadList, FailuresCarryTheKernelsErrorAndLibkmodsLines) {
    w.build(tree(), "install dummy /bin/false\n");
    sys.set_insert_result("videodev", -ENOEXEC);
    command_status = 1 << 8;
    EXPECT_EQ(run({"v4l2loopback", "dummy", "crc16"}, 1),
              (std::vector<std::string>{
                  "v4l2loopback: v4l2loopback=failed -8",
                  "dummy: dummy=failed -22 [Error running install command '/bin/false' for module "
                  "dummy: retcode 1]",
                  "crc16: crc16=inserted"}));
    EXPECT_EQ(commands, (std::vector<std::string>{"dummy: /bin/false"}));
}

TEST_F(LoadList, ParallelGivesTheSameAnswersAndLoadsASharedModuleOnce) {
    const std::vector<std::string> names = {"v4l2loopback", "uvcvideo", "ext4",   "videodev",
                                            "jbd2",         "unix",     "twin",   "dummy",
                                            "bonding",      "a1",       "nosuch", "ext4"};
    w.build(tree(), "blacklist bonding\n");
    auto one_by_one = run(names, 1);
    auto calls = inserted();
    for (unsigned jobs : {2u, 4u, 16u}) {
        for (int round = 0; round < 20; ++round) {
            sys = FakeSystem();
            EXPECT_EQ(run(names, jobs), one_by_one) << jobs << " jobs, round " << round;
            EXPECT_EQ(inserted(), calls) << jobs << " jobs, round " << round;
        }
    }
    // videodev is loaded once (by the first entry), and the later entry naming it finds it.
    EXPECT_EQ(std::count(calls.begin(), calls.end(), "videodev"), 1);
    EXPECT_EQ(one_by_one[3], "videodev: videodev=loaded");
    EXPECT_EQ(one_by_one[6], "twin: a1=inserted a2=inserted");
    EXPECT_EQ(one_by_one[9], "a1: a1=loaded");
}

TEST_F(LoadList, AModuleAnEarlierEntryFailedToLoadIsTriedAgain) {
    w.build(tree());
    sys.set_insert_result("videodev", -ENOMEM);
    for (unsigned jobs : {1u, 4u}) {
        sys = FakeSystem();
        sys.set_insert_result("videodev", -ENOMEM);
        EXPECT_EQ(run({"v4l2loopback", "uvcvideo"}, jobs),
                  (std::vector<std::string>{"v4l2loopback: v4l2loopback=failed -12",
                                            "uvcvideo: uvcvideo=failed -12"}));
        EXPECT_EQ(inserted(), (std::vector<std::string>{"videodev", "videodev"}));
    }
}

TEST_F(LoadList, InstallCommandsRunInParallelWithTheirOwnEnvironment) {
    w.build(tree(), "install dummy echo $MODPROBE_MODULE >/dev/null\n");
    EXPECT_EQ(spawn_shell_command("exit 3", "x"), 3 << 8);
    EXPECT_EQ(spawn_shell_command("test \"$MODPROBE_MODULE\" = dummy", "dummy"), 0);
    EXPECT_EQ(run({"dummy", "crc16"}, 2),
              (std::vector<std::string>{"dummy: dummy=inserted", "crc16: crc16=inserted"}));
    EXPECT_EQ(commands, (std::vector<std::string>{"dummy: echo $MODPROBE_MODULE >/dev/null"}));
}

} // namespace
} // namespace modkit::exec
