// `kmod static-nodes` and the kmod front end: the three output formats, -o with parent
// directories, kmod's line parsing (sscanf quirks, bad entries), a missing modules.devname,
// and kmod's help, version and command errors.
#include "cli/kernel_tools.hpp"

#include "cli_capture.hpp"
#include "fake_system.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace modkit::cli {
namespace {

using test::CliResult;
using test::FakeSystem;

class CliStaticNodes : public ::testing::Test {
protected:
    void devname(const std::string& text) {
        std::filesystem::create_directories(root.file(sys.kernel_release()));
        test::write_file(root.file(sys.kernel_release() + "/modules.devname"), text);
    }
    CliResult kmod(std::vector<std::string> args) {
        args.insert(args.begin(), "kmod");
        KernelToolEnv env{sys, root.path()};
        return test::run_cli("kmod", args,
                             [&](int argc, char** argv) { return kmod_run(argc, argv, env); });
    }
    std::string contents(const std::string& path) {
        auto bytes = test::read_file(path);
        return {bytes.begin(), bytes.end()};
    }
    test::TempDir root;
    FakeSystem sys;
};

const char* const k_devname = "# Device nodes to trigger on-demand module loading.\n"
                              "fuse fuse c10:229\n"
                              "tun net/tun c10:200\n"
                              "dm_mod mapper/control c10:236\n";

// Output goes to /dev/stdout, reopened as kmod does; capture it through a file instead.
TEST_F(CliStaticNodes, HumanTmpfilesDevname) {
    devname(k_devname);
    std::string out = root.file("out");
    CliResult r = kmod({"static-nodes", "-o", out});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out + r.err, "");
    EXPECT_EQ(contents(out), "Module: fuse\n\tDevice node: /dev/fuse\n\t\tType: character device\n"
                             "\t\tMajor: 10\n\t\tMinor: 229\n"
                             "Module: tun\n\tDevice node: /dev/net/tun\n\t\tType: character "
                             "device\n\t\tMajor: 10\n\t\tMinor: 200\n"
                             "Module: dm_mod\n\tDevice node: /dev/mapper/control\n\t\tType: "
                             "character device\n\t\tMajor: 10\n\t\tMinor: 236\n");
    EXPECT_EQ(kmod({"static-nodes", "--format=tmpfiles", "--output", out}).rc, 0);
    EXPECT_EQ(contents(out), "c! /dev/fuse 0600 - - - 10:229\n"
                             "d /dev/net 0755 - - -\n"
                             "c! /dev/net/tun 0600 - - - 10:200\n"
                             "d /dev/mapper 0755 - - -\n"
                             "c! /dev/mapper/control 0600 - - - 10:236\n");
    EXPECT_EQ(kmod({"static-nodes", "-f", "devname", "-o", out}).rc, 0);
    EXPECT_EQ(contents(out), "fuse fuse c10:229\ntun net/tun c10:200\n"
                             "dm_mod mapper/control c10:236\n");
}

TEST_F(CliStaticNodes, DefaultOutputIsDevStdout) {
    devname(k_devname);
    CliResult r = kmod({"static-nodes", "-f", "devname"});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out, "fuse fuse c10:229\ntun net/tun c10:200\ndm_mod mapper/control c10:236\n");
}

TEST_F(CliStaticNodes, OutputParentsAreCreated) {
    devname(k_devname);
    std::string out = root.file("a/b/c/static-nodes.conf");
    EXPECT_EQ(kmod({"static-nodes", "-f", "devname", "-o", out}).rc, 0);
    EXPECT_EQ(contents(out).substr(0, 18), "fuse fuse c10:229\n");
    test::write_file(root.file("file"), std::string_view("x"));
    CliResult r = kmod({"static-nodes", "-o", root.file("file/sub/out")});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "Error: could not create parent directory for " + root.file("file/sub/out") +
                         " - Not a directory.\n");
}

TEST_F(CliStaticNodes, ParsesLikeSscanf) {
    devname("bad line\n"
            "x y z1:2\n"
            "neg n c-1:+5\n"
            "\n"
            "snd seq   b 4294967296:7\n"
            "# c 1:1\n"
            "tab\tsep\tc1:3");
    std::string out = root.file("out");
    CliResult r = kmod({"static-nodes", "-f", "devname", "-o", out});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "Error: invalid devname entry: bad line\n"
                     "Error: invalid devname entry: x y z1:2\n"
                     "Error: invalid devname entry: \n");
    EXPECT_EQ(contents(out), "neg n c4294967295:5\nsnd seq b0:7\ntab sep c1:3\n");
}

TEST_F(CliStaticNodes, MissingDevnameIsOnlyAWarning) {
    CliResult r = kmod({"static-nodes", "-o", root.file("never")});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "Warning: " + root.path() + "/" + sys.kernel_release() +
                         "/modules.devname not found - ignoring\n");
    EXPECT_FALSE(std::filesystem::exists(root.file("never")));
}

TEST_F(CliStaticNodes, OptionErrors) {
    devname(k_devname);
    CliResult r = kmod({"static-nodes", "-f", "bad"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "Unknown format: 'bad'.\n");
    EXPECT_EQ(r.out.rfind("Usage:\n\tkmod static-nodes [options]\n", 0), 0u);
    EXPECT_NE(r.out.find("\tdevname      the modules.devname format.\n"), std::string::npos);
    r = kmod({"static-nodes", "-x"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "static-nodes: invalid option -- 'x'\n");
    r = kmod({"static-nodes", "-h"});
    EXPECT_EQ(r.rc, 0);
    // kmod's getopt stops at the first non-option, and so does the command's: -f is not seen.
    std::string out = root.file("out");
    EXPECT_EQ(kmod({"static-nodes", "-o", out, "foo", "-f", "devname"}).rc, 0);
    EXPECT_EQ(contents(out).substr(0, 13), "Module: fuse\n");
}

TEST_F(CliStaticNodes, KmodFrontEnd) {
    CliResult r = kmod({"-V"});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out, "kmod version 34\n+ZSTD +XZ +ZLIB +LIBCRYPTO -EXPERIMENTAL\n");
    const std::string help_tail =
        " [options] command [command_options]\n\n"
        "Options:\n"
        "\t-V, --version     show version\n"
        "\t-h, --help        show this help\n\n"
        "Commands:\n"
        "  help         Show help message\n"
        "  list         list currently loaded modules\n"
        "  static-nodes outputs the static-node information installed with the currently "
        "running kernel\n"
        "\nkmod also handles gracefully if called from following symlinks:\n"
        "  lsmod        compat lsmod command\n"
        "  rmmod        compat rmmod command\n"
        "  insmod       compat insmod command\n"
        "  modinfo      compat modinfo command\n"
        "  modprobe     compat modprobe command\n"
        "  depmod       compat depmod command\n";
    const std::string head = "kmod - Manage kernel modules: list, load, unload, etc\nUsage:\n\t";
    r = kmod({"--help"});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out, head + "kmod" + help_tail);
    r = kmod({"help"}); // kmod names argv[0] of the command, which is "help"
    EXPECT_EQ(r.out, head + "help" + help_tail);
    r = kmod({});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "missing command\n");
    EXPECT_EQ(r.out, head + "kmod" + help_tail);
    r = kmod({"frob"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "invalid command 'frob'\n");
    r = kmod({"-x"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "kmod: invalid option -- 'x'\n");
    EXPECT_EQ(r.out, "");
}

} // namespace
} // namespace modkit::cli
