// exec/probe_exec: run_probe() against the fake kernel. What is skipped (a live target, live
// or built-in entries), which errors stop the loop (required entries) and which do not
// (softdeps, "already loaded"), install commands ($CMDLINE_OPTS, MODPROBE_MODULE, kmod's error
// line), the exact -n/-v/-D lines, and the force flags reaching the syscall.
#include "exec/probe_exec.hpp"

#include "fake_system.hpp"
#include "test_resolve_tree.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace modkit::exec {
namespace {

using resolve::ProbeFlags;
using resolve::ProbePlan;
using test::FakeSystem;
using test::ModuleTree;
using Kind = FakeSystem::CallKind;

std::string level_name(util::LogLevel l) {
    switch (l) {
    case util::LogLevel::Fatal:
        return "FATAL";
    case util::LogLevel::Error:
        return "ERROR";
    case util::LogLevel::Warning:
        return "WARNING";
    case util::LogLevel::Notice:
        return "NOTICE";
    case util::LogLevel::Info:
        return "INFO";
    case util::LogLevel::Debug:
        return "DEBUG";
    }
    return "?";
}

class ExecProbe : public ::testing::Test {
protected:
    ExecProbe() {
        fx.run_command = [this](const std::string& cmd, const std::string& module) {
            commands.push_back(module + ": " + cmd);
            if (command_errno != 0) errno = command_errno;
            return command_status;
        };
        fx.out = [this](std::string_view s) { out += s; };
        fx.log = [this](util::LogLevel l, const std::string& m) {
            logs.push_back(level_name(l) + ": " + m);
        };
    }

    int probe(std::string_view input, const ProbeRunOptions& opt = {},
              const std::string* extra = nullptr, ProbeFlags flags = {}) {
        auto plan = resolve::plan_probe(w.r(), w.one(input), extra, flags);
        if (!plan) throw std::runtime_error("plan failed: " + plan.error().describe());
        return run_probe(w.r(), *plan, opt, fx);
    }
    // "<module> <params>" for every syscall (finit/init: the module the image names).
    std::vector<std::string> inserted() const {
        std::vector<std::string> names;
        for (const auto& c : sys.calls()) {
            EXPECT_NE(c.kind, Kind::DeleteModule);
            names.push_back(c.name + (c.params.empty() ? "" : " " + c.params));
        }
        return names;
    }

    test::ResolveWorld w;
    FakeSystem sys;
    Effects fx{sys, {}, {}, {}};
    std::vector<std::string> commands;
    int command_status = 0;
    int command_errno = 0;
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
        .builtin("unix");
    return t;
}

ProbeRunOptions dry_show() {
    ProbeRunOptions o;
    o.dry_run = true;
    o.show = true;
    return o;
}

TEST_F(ExecProbe, LoadsDependenciesThenTheTarget) {
    w.build(ext4_tree(), "options ext4 a=1\n");
    const std::string extra = "b=2";
    EXPECT_EQ(probe("ext4", {}, &extra), 0);
    EXPECT_EQ(inserted(), (std::vector<std::string>{"crc16", "mbcache", "jbd2", "ext4 a=1 b=2"}));
    ASSERT_EQ(sys.calls().size(), 4u);
    EXPECT_EQ(sys.calls()[0].kind, Kind::FinitModule);
    EXPECT_EQ(sys.calls()[0].path, w.path_of("crc16"));
    EXPECT_EQ(sys.calls()[3].path, w.path_of("ext4"));
    EXPECT_EQ(sys.calls()[3].flags, 0);
    EXPECT_EQ(sys.loaded(), (std::vector<std::string>{"crc16", "mbcache", "jbd2", "ext4"}));
    EXPECT_EQ(out, "");
    EXPECT_TRUE(logs.empty());
}

TEST_F(ExecProbe, ALiveTargetIsSuccessWithoutAnySyscall) {
    w.build(ext4_tree());
    sys.add_module("ext4");
    ProbeRunOptions opt = dry_show();
    opt.dry_run = false;
    EXPECT_EQ(probe("ext4", opt), 0);
    opt.first_time = true;
    EXPECT_EQ(probe("ext4", opt), -EEXIST);
    EXPECT_TRUE(sys.calls().empty());
    EXPECT_EQ(out, "");
    EXPECT_TRUE(logs.empty());
}

TEST_F(ExecProbe, ABuiltinTargetIsInTheKernel) {
    w.build(ext4_tree());
    EXPECT_EQ(probe("unix"), 0);
    ProbeRunOptions opt;
    opt.first_time = true;
    EXPECT_EQ(probe("unix", opt), -EEXIST);
    EXPECT_TRUE(sys.calls().empty());
}

TEST_F(ExecProbe, LiveDependenciesAreSkipped) {
    w.build(ext4_tree());
    sys.add_module("jbd2");
    ProbeRunOptions opt;
    opt.show = true;
    opt.first_time = true; // applies to the target only
    EXPECT_EQ(probe("ext4", opt), 0);
    EXPECT_EQ(inserted(), (std::vector<std::string>{"crc16", "mbcache", "ext4"}));
    EXPECT_EQ(out, "insmod " + w.path_of("crc16") + " \n" + "insmod " + w.path_of("mbcache") +
                       " \n" + "insmod " + w.path_of("ext4") + " \n");
}

TEST_F(ExecProbe, AComingModuleIsTriedAndTheKernelsEexistIsSuccess) {
    w.build(ext4_tree());
    FakeSystem::Module coming;
    coming.initstate = "coming";
    sys.add_module("mbcache", coming);
    EXPECT_EQ(probe("ext4"), 0);
    EXPECT_EQ(inserted(), (std::vector<std::string>{"crc16", "mbcache", "jbd2", "ext4"}));
    // The failed syscall is logged at INFO, as libkmod does for any init_module failure.
    EXPECT_EQ(logs, std::vector<std::string>{"INFO: Failed to insert module '" +
                                             w.path_of("mbcache") + "': File exists"});
}

TEST_F(ExecProbe, TheTargetRacingInWithFirstTimeIsEexist) {
    w.build(ext4_tree());
    sys.set_insert_result("ext4", -EEXIST);
    EXPECT_EQ(probe("ext4"), 0);
    ProbeRunOptions opt;
    opt.first_time = true;
    EXPECT_EQ(probe("ext4", opt), -EEXIST);
}

TEST_F(ExecProbe, BuiltinSoftdepsAreSkipped) {
    w.build(ext4_tree(), "softdep pa pre: unix\n");
    ProbeRunOptions opt;
    opt.show = true;
    EXPECT_EQ(probe("pa", opt), 0);
    EXPECT_EQ(inserted(), std::vector<std::string>{"pa"});
    EXPECT_EQ(out, "insmod " + w.path_of("pa") + " \n");
}

TEST_F(ExecProbe, ARequiredFailureStopsTheLoop) {
    w.build(ext4_tree());
    sys.set_insert_result("mbcache", -ENOEXEC);
    EXPECT_EQ(probe("ext4"), -ENOEXEC);
    EXPECT_EQ(inserted(), (std::vector<std::string>{"crc16", "mbcache"}));
    EXPECT_EQ(logs, std::vector<std::string>{"INFO: Failed to insert module '" +
                                             w.path_of("mbcache") + "': Exec format error"});
}

TEST_F(ExecProbe, TheTargetsFailureIsTheResult) {
    w.build(ext4_tree(), "softdep ext4 post: pa\n");
    sys.set_insert_result("ext4", -ENOENT);
    EXPECT_EQ(probe("ext4"), -ENOENT);
    EXPECT_EQ(inserted(), (std::vector<std::string>{"crc16", "mbcache", "jbd2", "ext4"}));
}

TEST_F(ExecProbe, SoftdepFailuresAreIgnored) {
    w.build(ext4_tree(), "softdep ext4 pre: pa post: pb\n");
    sys.set_insert_result("pa", -ENOENT);
    sys.set_insert_result("pb", -EINVAL);
    EXPECT_EQ(probe("ext4"), 0);
    EXPECT_EQ(inserted(),
              (std::vector<std::string>{"crc16", "mbcache", "jbd2", "pa", "ext4", "pb"}));
    EXPECT_EQ(logs, (std::vector<std::string>{"INFO: Failed to insert module '" + w.path_of("pa") +
                                                  "': No such file or directory",
                                              "INFO: Failed to insert module '" + w.path_of("pb") +
                                                  "': Invalid argument"}));
}

TEST_F(ExecProbe, InstallCommandRunsWithOptionsSubstituted) {
    w.build(ext4_tree(), "install ext4 /sbin/setup --opts='$CMDLINE_OPTS' again=$CMDLINE_OPTS\n"
                         "options ext4 a=1\n");
    const std::string extra = "b=2";
    EXPECT_EQ(probe("ext4", {}, &extra), 0);
    EXPECT_EQ(commands,
              std::vector<std::string>{"ext4: /sbin/setup --opts='a=1 b=2' again=a=1 b=2"});
    EXPECT_EQ(inserted(), (std::vector<std::string>{"crc16", "mbcache", "jbd2"}));
    EXPECT_TRUE(logs.empty());
}

TEST_F(ExecProbe, InstallCommandWithoutOptions) {
    w.build(ext4_tree(), "install pa /sbin/setup-pa [$CMDLINE_OPTS]\n");
    EXPECT_EQ(probe("pa"), 0);
    EXPECT_EQ(commands, std::vector<std::string>{"pa: /sbin/setup-pa []"});
    EXPECT_TRUE(sys.calls().empty());
}

TEST_F(ExecProbe, AFailingInstallCommandIsEinval) {
    w.build(ext4_tree(), "install pa /sbin/setup-pa $CMDLINE_OPTS\n"
                         "options pa x=1\n");
    command_status = 3 << 8; // exit status 3
    EXPECT_EQ(probe("pa"), -EINVAL);
    EXPECT_EQ(logs, std::vector<std::string>{
                        "ERROR: Error running install command '/sbin/setup-pa x=1 ' for module pa: "
                        "retcode 3"});
}

TEST_F(ExecProbe, AnInstallCommandThatCannotRunIsEinval) {
    w.build(ext4_tree(), "install pa /sbin/setup-pa\n");
    command_status = -1;
    command_errno = EAGAIN;
    EXPECT_EQ(probe("pa"), -EINVAL);
    EXPECT_EQ(logs, std::vector<std::string>{
                        "ERROR: Could not run install command '/sbin/setup-pa' for module pa: "
                        "Resource temporarily unavailable"});
}

TEST_F(ExecProbe, AFailingInstallCommandOfASoftdepIsIgnored) {
    w.build(ext4_tree(), "install pb /sbin/setup-pb\n"
                         "softdep pa post: pb\n");
    command_status = 1 << 8;
    EXPECT_EQ(probe("pa"), 0);
    EXPECT_EQ(commands, std::vector<std::string>{"pb: /sbin/setup-pb"});
    EXPECT_EQ(inserted(), std::vector<std::string>{"pa"});
    EXPECT_EQ(logs.size(), 1u);
}

TEST_F(ExecProbe, DryRunPrintsEveryActionAndTouchesNothing) {
    w.build(ext4_tree(), "install jbd2 /sbin/jbd2-setup $CMDLINE_OPTS\n"
                         "options jbd2 j=1\n"
                         "options ext4 a=1\n"
                         "softdep ext4 pre: unix post: ghost\n"
                         "alias ghost not-there\n");
    const std::string extra = "b=2";
    ProbeRunOptions opt = dry_show();
    EXPECT_EQ(probe("ext4", opt, &extra), 0);
    // The builtin softdep counts as loaded and prints nothing; the alias with nothing behind
    // it prints nothing either.
    EXPECT_EQ(out, "insmod " + w.path_of("crc16") + " \n" + "insmod " + w.path_of("mbcache") +
                       " \n" + "install /sbin/jbd2-setup $CMDLINE_OPTS j=1 \n" + "insmod " +
                       w.path_of("ext4") + " a=1 b=2\n");
    EXPECT_TRUE(sys.calls().empty());
    EXPECT_TRUE(commands.empty());
    EXPECT_TRUE(logs.empty());
}

TEST_F(ExecProbe, ShowDependsPrintsLoadedAndBuiltinModulesToo) {
    // -D: dry run, show, ignore what is loaded.
    w.build(ext4_tree(), "softdep ext4 pre: unix\n");
    sys.add_module("ext4");
    sys.add_module("crc16");
    ProbeRunOptions opt = dry_show();
    opt.ignore_loaded = true;
    EXPECT_EQ(probe("ext4", opt), 0);
    EXPECT_EQ(out, "insmod " + w.path_of("crc16") + " \n" + "insmod " + w.path_of("mbcache") +
                       " \n" + "insmod " + w.path_of("jbd2") + " \n" + "builtin unix\n" +
                       "insmod " + w.path_of("ext4") + " \n");
    EXPECT_TRUE(sys.calls().empty());
    out.clear();
    EXPECT_EQ(probe("unix", opt), 0);
    EXPECT_EQ(out, "builtin unix\n");
}

TEST_F(ExecProbe, DryRunSkipsWhatIsLoaded) {
    w.build(ext4_tree());
    sys.add_module("crc16");
    sys.add_module("jbd2");
    EXPECT_EQ(probe("ext4", dry_show()), 0);
    EXPECT_EQ(out,
              "insmod " + w.path_of("mbcache") + " \n" + "insmod " + w.path_of("ext4") + " \n");
    EXPECT_TRUE(sys.calls().empty());
}

TEST_F(ExecProbe, DryRunWithoutShowPrintsNothing) {
    w.build(ext4_tree());
    ProbeRunOptions opt;
    opt.dry_run = true;
    EXPECT_EQ(probe("ext4", opt), 0);
    EXPECT_EQ(out, "");
    EXPECT_TRUE(sys.calls().empty());
}

TEST_F(ExecProbe, AMissingModuleIsEnoent) {
    w.build(ext4_tree(), "alias ghost not-there\n");
    EXPECT_EQ(probe("ghost"), -ENOENT);
    EXPECT_EQ(logs, std::vector<std::string>{"ERROR: could not find module by name='not_there'"});
    EXPECT_TRUE(sys.calls().empty());
}

TEST_F(ExecProbe, ForceFlagsReachTheSyscall) {
    w.build(ext4_tree());
    ProbeRunOptions opt;
    opt.force_vermagic = true;
    EXPECT_EQ(probe("pa", opt), 0);
    sys.remove_module_state("pa");
    opt.force_vermagic = false;
    opt.force_modversion = true;
    EXPECT_EQ(probe("pa", opt), 0);
    sys.remove_module_state("pa");
    opt.force_vermagic = true;
    EXPECT_EQ(probe("pa", opt), 0);
    ASSERT_EQ(sys.calls().size(), 3u);
    EXPECT_EQ(sys.calls()[0].flags, kernel::k_init_ignore_vermagic);
    EXPECT_EQ(sys.calls()[1].flags, kernel::k_init_ignore_modversions);
    EXPECT_EQ(sys.calls()[2].flags,
              kernel::k_init_ignore_vermagic | kernel::k_init_ignore_modversions);
}

TEST_F(ExecProbe, ABlacklistedPlanIsSkippedOnPurpose) {
    w.build(ext4_tree(), "blacklist ext4\n");
    ProbeRunOptions opt = dry_show();
    EXPECT_EQ(probe("fs-ext4", opt), 1);
    EXPECT_EQ(out, "");
    // ...but a live target is checked first.
    sys.add_module("ext4");
    opt.first_time = true;
    EXPECT_EQ(probe("fs-ext4", opt), -EEXIST);
}

TEST_F(ExecProbe, InKernelMeansLiveOrBuiltin) {
    w.build(ext4_tree());
    FakeSystem::Module going;
    going.initstate = "going";
    sys.add_module("pb", going);
    sys.add_module("pa");
    EXPECT_TRUE(in_kernel(w.r(), w.one("pa"), sys));
    EXPECT_FALSE(in_kernel(w.r(), w.one("pb"), sys));
    EXPECT_FALSE(in_kernel(w.r(), w.one("ext4"), sys));
    EXPECT_TRUE(in_kernel(w.r(), w.one("unix"), sys));
}

TEST(ExecCommands, SubstituteCmdlineOpts) {
    EXPECT_EQ(substitute_cmdline_opts("a $CMDLINE_OPTS b $CMDLINE_OPTS", "x=1"), "a x=1 b x=1");
    EXPECT_EQ(substitute_cmdline_opts("$CMDLINE_OPTS", ""), "");
    EXPECT_EQ(substitute_cmdline_opts("no variable", "x"), "no variable");
    // kmod searches from the start again after each replacement, so a replacement that
    // completes a new occurrence with the text after it is replaced too...
    EXPECT_EQ(substitute_cmdline_opts("X$CMDLINE_OPTS_OPTS", "$CMDLINE"), "X$CMDLINE");
    // ...but options holding the variable (where kmod never stops) are put in once.
    EXPECT_EQ(substitute_cmdline_opts("[$CMDLINE_OPTS] $CMDLINE_OPTS", "$CMDLINE_OPTS"),
              "[$CMDLINE_OPTS] $CMDLINE_OPTS");
}

TEST(ExecCommands, ShellRunnerSetsModprobeModule) {
    unsetenv("MODPROBE_MODULE");
    int status = run_shell_command("test \"$MODPROBE_MODULE\" = snd_foo || exit 7", "snd_foo");
    EXPECT_EQ(WEXITSTATUS(status), 0);
    status = run_shell_command("exit 3", "snd_foo");
    EXPECT_EQ(WEXITSTATUS(status), 3);
    EXPECT_EQ(std::getenv("MODPROBE_MODULE"), nullptr);
}

} // namespace
} // namespace modkit::exec
