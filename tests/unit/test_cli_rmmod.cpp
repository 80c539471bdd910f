// rmmod's command line against the fake kernel: the checks before removal (built in, not
// loaded, holders, refcnt, no unloading support), forced removal, names versus paths, and
// carrying on after a failure.
#include "cli/kernel_tools.hpp"

#include "cli_capture.hpp"
#include "fake_system.hpp"
#include "index/writer.hpp"
#include "kernel/system.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>

namespace modkit::cli {
namespace {

using test::CliResult;
using test::FakeSystem;

class CliRmmod : public ::testing::Test {
protected:
    CliRmmod() {
        // modules.builtin.bin of the fake kernel's release, listing ext4.
        std::filesystem::create_directories(root.file(sys.kernel_release()));
        index::IndexBuilder b;
        b.insert("ext4", "", 0);
        test::write_file(root.file(sys.kernel_release() + "/modules.builtin.bin"), b.serialize());
    }
    CliResult rmmod(std::vector<std::string> args) {
        args.insert(args.begin(), "rmmod");
        KernelToolEnv env{sys, root.path()};
        return test::run_cli("rmmod", args,
                             [&](int argc, char** argv) { return rmmod_run(argc, argv, env); });
    }
    int delete_flags(size_t i) const { return sys.calls().at(i).flags; }

    test::TempDir root;
    FakeSystem sys;
};

constexpr int k_nonblock = static_cast<int>(kernel::k_delete_nonblock);
constexpr int k_trunc = static_cast<int>(kernel::k_delete_trunc);

TEST_F(CliRmmod, RemovesAnUnusedModule) {
    sys.add_module("loop");
    CliResult r = rmmod({"loop"});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out + r.err, "");
    ASSERT_EQ(sys.calls().size(), 1u);
    EXPECT_EQ(sys.calls()[0].name, "loop");
    EXPECT_EQ(delete_flags(0), k_nonblock);
    EXPECT_TRUE(sys.loaded().empty());
}

TEST_F(CliRmmod, NamesAreNormalised) {
    sys.add_module("snd_foo");
    EXPECT_EQ(rmmod({"snd-foo.ko"}).rc, 0);
    EXPECT_EQ(sys.calls().at(0).name, "snd_foo");
}

TEST_F(CliRmmod, ChecksBeforeRemoving) {
    FakeSystem::Module held;
    held.holders = {"zeta", "alpha"};
    sys.add_module("base", held);
    FakeSystem::Module busy;
    busy.refcnt = 1;
    sys.add_module("busy", busy);
    sys.add_dir("/sys/module/8250/parameters"); // built in: no holders, no refcnt

    EXPECT_EQ(rmmod({"nosuch"}).err, "rmmod: ERROR: Module nosuch is not currently loaded\n");
    EXPECT_EQ(rmmod({"ext4"}).err, "rmmod: ERROR: Module ext4 is builtin.\n");
    EXPECT_EQ(rmmod({"base"}).err, "rmmod: ERROR: Module base is in use by: zeta alpha\n");
    EXPECT_EQ(rmmod({"busy"}).err, "rmmod: ERROR: Module busy is in use\n");
    CliResult r = rmmod({"8250"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "rmmod: ERROR: could not open '/sys/module/8250/holders': No such file or "
                     "directory\n"
                     "rmmod: ERROR: Module unloading is not supported\n");
    EXPECT_TRUE(sys.calls().empty());
}

TEST_F(CliRmmod, KeepsGoingAfterAFailure) {
    sys.add_module("a");
    sys.add_module("b");
    CliResult r = rmmod({"a", "nosuch", "b"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "rmmod: ERROR: Module nosuch is not currently loaded\n");
    EXPECT_TRUE(sys.loaded().empty());
}

TEST_F(CliRmmod, KernelRefusalPrintsBothLines) {
    sys.add_module("stuck");
    sys.set_remove_result("stuck", -EBUSY);
    CliResult r = rmmod({"stuck"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "rmmod: ERROR: could not remove 'stuck': Device or resource busy\n"
                     "rmmod: ERROR: could not remove module stuck: Device or resource busy\n");
}

TEST_F(CliRmmod, ForceSkipsTheChecksAndTruncates) {
    FakeSystem::Module busy;
    busy.refcnt = 3;
    sys.add_module("busy", busy);
    EXPECT_EQ(rmmod({"-f", "busy"}).rc, 0);
    EXPECT_EQ(delete_flags(0), k_nonblock | k_trunc);
    CliResult r = rmmod({"--force", "nosuch"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "rmmod: ERROR: could not remove 'nosuch': No such file or directory\n"
                     "rmmod: ERROR: could not remove module nosuch: No such file or directory\n");
}

TEST_F(CliRmmod, PathsAreNeverBuiltinAndNameTheModule) {
    std::filesystem::create_directories(root.file("a"));
    std::filesystem::create_directories(root.file("b"));
    test::write_file(root.file("a/ext4.ko"), std::string_view("x"));
    test::write_file(root.file("b/ext4.ko"), std::string_view("x"));
    CliResult r = rmmod({root.file("a/ext4.ko")});
    EXPECT_EQ(r.err, "rmmod: ERROR: Module ext4 is not currently loaded\n");
    // The same module by two different paths: kmod refuses the second and stops there.
    sys.add_module("ext4");
    sys.add_module("later");
    r = rmmod({root.file("a/ext4.ko"), root.file("b/ext4.ko"), "later"});
    EXPECT_EQ(r.rc, 0); // kmod keeps the status it had so far
    EXPECT_EQ(r.err, "rmmod: ERROR: kmod_module 'ext4' already exists with different path: "
                     "new-path='" +
                         root.file("b/ext4.ko") + "' old-path='" + root.file("a/ext4.ko") +
                         "'\nrmmod: ERROR: could not use module " + root.file("b/ext4.ko") +
                         ": File exists\n");
    EXPECT_EQ(sys.loaded(), std::vector<std::string>{"later"});
}

TEST_F(CliRmmod, UsageVersionHelp) {
    CliResult r = rmmod({});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "rmmod: ERROR: missing module name.\n");
    r = rmmod({"-w", "x"}); // kmod 30 listed -w and then rejected it; kmod 34 dropped it
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "rmmod: invalid option -- 'w'\n");
    r = rmmod({"-V"});
    EXPECT_EQ(r.out, "kmod version 34\n+ZSTD +XZ +ZLIB +LIBCRYPTO -EXPERIMENTAL\n");
    r = rmmod({"-h"});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out, "Usage:\n"
                     "\trmmod [options] modulename ...\n"
                     "Options:\n"
                     "\t-f, --force       forces a module unload and may crash your\n"
                     "\t                  machine. This requires Forced Module Removal\n"
                     "\t                  option in your kernel. DANGEROUS\n"
                     "\t-s, --syslog      print to syslog, not stderr\n"
                     "\t-v, --verbose     enables more messages\n"
                     "\t-V, --version     show version\n"
                     "\t-h, --help        show this help\n");
}

} // namespace
} // namespace modkit::cli
