// modules-load against the fake kernel and a made-up root (--root): systemd-modules-load's
// log lines in its order (kernel command line first, then the files by name, file-level errors
// where systemd meets them), its exit status, the journal's priority prefixes, the log level from
// $SYSTEMD_LOG_LEVEL, --dry-run's plan with file:line, and bad arguments.
#include "cli/tools.hpp"

#include "cli_capture.hpp"
#include "fake_system.hpp"
#include "test_resolve_tree.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace modkit::cli {
namespace {

using test::CliResult;
using test::FakeSystem;
using test::ModuleTree;

class CliModulesLoad : public ::testing::Test {
protected:
    CliModulesLoad() {
        ModuleTree t;
        t.module("crc16").module("jbd2", {"crc16"}).module("loop").module("dummy").module("tun");
        t.builtin("unix");
        t.write(root.path() + "/lib/modules/6.1.0-test");
        std::filesystem::create_directories(root.file("etc/modules-load.d"));
        std::filesystem::create_directories(root.file("usr/lib/modules-load.d"));
        std::filesystem::create_directories(root.file("etc/modprobe.d"));
        sys.set_kernel_release("6.1.0-test");
        sys.set_file("/proc/cmdline", "root=/dev/vda quiet\n");
        ::setenv("SYSTEMD_PROC_CMDLINE", "modules_load=dummy", 1);
        ::unsetenv("SYSTEMD_LOG_LEVEL");
        ::unsetenv("JOURNAL_STREAM");
        ::setenv("SYSTEMD_IN_INITRD", "0", 1);
    }
    ~CliModulesLoad() override {
        ::unsetenv("SYSTEMD_PROC_CMDLINE");
        ::unsetenv("SYSTEMD_LOG_LEVEL");
        ::unsetenv("SYSTEMD_IN_INITRD");
    }

    CliResult run(std::vector<std::string> args) {
        args.insert(args.begin(), {"modules-load", "--root", root.path()});
        return test::run_cli("modules-load", args, [&](int argc, char** argv) {
            return modules_load_run(argc, argv, sys);
        });
    }

    test::TempDir root;
    FakeSystem sys;
};

TEST_F(CliModulesLoad, SystemdsLinesInSystemdsOrder) {
    test::write_file(root.file("usr/lib/modules-load.d/b.conf"), "jbd2\nnosuch\n");
    test::write_file(root.file("etc/modules-load.d/a.conf"), "# c\nloop\nunix\ndummy\n");
    test::write_file(root.file("etc/modprobe.d/t.conf"), "blacklist tun\n");
    test::write_file(root.file("usr/lib/modules-load.d/c.conf"), "tun\n");
    CliResult r = run({});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "Inserted module 'dummy'\n"
                     "Inserted module 'loop'\n"
                     "Module 'unix' is built in\n"
                     "Inserted module 'jbd2'\n"
                     "Failed to find module 'nosuch'\n"
                     "Module 'tun' is deny-listed\n");
    // Entries load in parallel: the set is fixed, and so is each plan's own order (a dependency
    // before the module needing it); how entries interleave is not.
    std::vector<std::string> loaded = sys.loaded();
    auto at = [&](const char* m) { return std::find(loaded.begin(), loaded.end(), m); };
    EXPECT_LT(at("crc16"), at("jbd2"));
    std::sort(loaded.begin(), loaded.end());
    EXPECT_EQ(loaded, (std::vector<std::string>{"crc16", "dummy", "jbd2", "loop"}));
}

TEST_F(CliModulesLoad, AFailedInsertFailsTheRunButNotFoundOrNoDeviceDoNot) {
    test::write_file(root.file("etc/modules-load.d/a.conf"), "loop\ntun\njbd2\n");
    sys.set_insert_result("tun", -ENODEV);
    sys.set_insert_result("jbd2", -ENOENT);
    CliResult ok = run({});
    EXPECT_EQ(ok.rc, 0);
    EXPECT_EQ(ok.err, "Inserted module 'dummy'\n"
                      "Inserted module 'loop'\n"
                      "Failed to insert module 'tun': No such device\n"
                      "Failed to insert module 'jbd2': No such file or directory\n");
    sys = FakeSystem();
    sys.set_kernel_release("6.1.0-test");
    sys.set_insert_result("loop", -ENOEXEC);
    CliResult bad = run({});
    EXPECT_EQ(bad.rc, 1);
    EXPECT_NE(bad.err.find("Failed to insert module 'loop': Exec format error\n"),
              std::string::npos);
}

TEST_F(CliModulesLoad, FileErrorsWhereSystemdMeetsThem) {
    test::write_file(root.file("etc/modules-load.d/a.conf"), "loop\n");
    std::filesystem::create_directory(root.file("etc/modules-load.d/b.conf"));
    test::write_file(root.file("etc/modules-load.d/c.conf"), "tun\n");
    CliResult r = run({});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "Inserted module 'dummy'\n"
                     "Inserted module 'loop'\n"
                     "Failed to read file '" +
                         root.file("etc/modules-load.d/b.conf") +
                         "', line 1: Is a directory\n"
                         "Inserted module 'tun'\n");
}

TEST_F(CliModulesLoad, NamedFilesReplaceTheDirectoriesAndTheCommandLine) {
    test::write_file(root.file("usr/lib/modules-load.d/x.conf"), "loop\n");
    test::write_file(root.file("etc/modules-load.d/y.conf"), "tun\n");
    CliResult r = run({"x.conf", "missing.conf"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "Inserted module 'loop'\n"
                     "Failed to open missing.conf: No such file or directory\n");
}

TEST_F(CliModulesLoad, JournalPrefixesAndLogLevel) {
    test::write_file(root.file("etc/modules-load.d/a.conf"), "loop\nnosuch\n");
    struct stat st {};
    ASSERT_EQ(::fstat(STDERR_FILENO, &st), 0);
    // run_cli redirects stderr to a file: JOURNAL_STREAM must name that file to count, so a
    // value that names nothing leaves the lines plain.
    ::setenv("JOURNAL_STREAM", "1:1", 1);
    ::setenv("SYSTEMD_LOG_LEVEL", "debug", 1);
    CliResult r = run({});
    ::unsetenv("JOURNAL_STREAM");
    EXPECT_EQ(r.err, "Loading module: dummy\n"
                     "Inserted module 'dummy'\n"
                     "apply: " +
                         root.file("etc/modules-load.d/a.conf") +
                         "\n"
                         "Loading module: loop\n"
                         "Inserted module 'loop'\n"
                         "Loading module: nosuch\n"
                         "Failed to find module 'nosuch'\n");
    ::setenv("SYSTEMD_LOG_LEVEL", "err", 1);
    sys = FakeSystem();
    sys.set_kernel_release("6.1.0-test");
    EXPECT_EQ(run({}).err, "Failed to find module 'nosuch'\n");
    ::setenv("SYSTEMD_LOG_LEVEL", "loud", 1);
    EXPECT_EQ(run({"--dry-run"}).err.substr(0, 38), "Failed to parse log level 'loud'. Igno");
}

TEST_F(CliModulesLoad, DryRunShowsOriginsAndPlansAndLoadsNothing) {
    test::write_file(root.file("etc/modules-load.d/a.conf"), "\n# x\njbd2\nunix\nnosuch\n");
    test::write_file(root.file("etc/modprobe.d/t.conf"), "options jbd2 a=1\nblacklist tun\n");
    ::setenv("SYSTEMD_PROC_CMDLINE", "modules_load=tun", 1);
    std::string dir = root.path() + "/lib/modules/6.1.0-test/kernel/";
    CliResult r = run({"-n"});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out, "kernel command line: tun\n"
                     "  blacklisted tun\n" +
                         root.file("etc/modules-load.d/a.conf") + ":3: jbd2\n  insmod " + dir +
                         "crc16.ko \n  insmod " + dir + "jbd2.ko a=1 \n" +
                         root.file("etc/modules-load.d/a.conf") + ":4: unix\n  builtin unix\n" +
                         root.file("etc/modules-load.d/a.conf") + ":5: nosuch\n  not found\n");
    EXPECT_TRUE(sys.calls().empty());
}

TEST_F(CliModulesLoad, BadArguments) {
    EXPECT_EQ(run({"--jobs", "0"}).rc, 1);
    EXPECT_EQ(run({"-j", "x"}).rc, 1);
    EXPECT_EQ(run({"--frobnicate"}).rc, 1);
    CliResult help = run({"--help"});
    EXPECT_EQ(help.rc, 0);
    EXPECT_NE(help.out.find("[CONFIGURATION FILE...]"), std::string::npos);
    EXPECT_TRUE(sys.calls().empty());
}

} // namespace
} // namespace modkit::cli
