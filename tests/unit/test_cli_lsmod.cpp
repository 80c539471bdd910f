// lsmod and `kmod list` against the fake kernel: kmod's exact row format, sizes and counts
// from sysfs with their fallbacks, holders in readdir order, and the error paths.
#include "cli/kernel_tools.hpp"

#include "cli_capture.hpp"
#include "fake_system.hpp"

#include <gtest/gtest.h>

namespace modkit::cli {
namespace {

using test::CliResult;
using test::FakeSystem;

class CliLsmod : public ::testing::Test {
protected:
    CliResult lsmod(std::vector<std::string> args) {
        args.insert(args.begin(), "lsmod");
        KernelToolEnv env{sys};
        return test::run_cli("lsmod", args,
                             [&](int argc, char** argv) { return lsmod_run(argc, argv, env); });
    }
    CliResult kmod(std::vector<std::string> args) {
        args.insert(args.begin(), "kmod");
        KernelToolEnv env{sys};
        return test::run_cli("kmod", args,
                             [&](int argc, char** argv) { return kmod_run(argc, argv, env); });
    }
    FakeSystem sys;
};

TEST_F(CliLsmod, KmodsFormat) {
    FakeSystem::Module m;
    m.coresize = 69632;
    m.refcnt = 2;
    m.holders = {"snd_hda_codec_realtek", "snd_hda_intel"};
    sys.add_module("snd_hda_codec", m);
    FakeSystem::Module plain;
    plain.coresize = 32768;
    sys.add_module("loop", plain);
    FakeSystem::Module big;
    big.coresize = 123456789;
    big.refcnt = 17;
    big.holders = {"x"};
    sys.add_module("a_module_name_longer_than_nineteen", big);

    CliResult r = lsmod({});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out, "Module                  Size  Used by\n"
                     "snd_hda_codec          69632  2 snd_hda_codec_realtek,snd_hda_intel\n"
                     "loop                   32768  0\n"
                     "a_module_name_longer_than_nineteen 123456789  17 x\n");
}

TEST_F(CliLsmod, FallbacksForMissingFiles) {
    FakeSystem::Module m;
    m.coresize.reset(); // size from /proc/modules
    m.refcnt.reset();   // no CONFIG_MODULE_UNLOAD: -ENOENT printed as is
    m.size = 4242;
    sys.add_module("old", m);
    CliResult r = lsmod({});
    EXPECT_EQ(r.out, "Module                  Size  Used by\n"
                     "old                     4242  -2\n");
}

TEST_F(CliLsmod, ListedButGoneFromSysfs) {
    sys.set_file("/proc/modules", "ghost 100 0 - Unloading 0x0\n");
    CliResult r = lsmod({});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out, "Module                  Size  Used by\n"
                     "ghost                     -2  -2\n");
    EXPECT_EQ(r.err, "lsmod: ERROR: could not open '/sys/module/ghost/holders': No such file or "
                     "directory\n");
}

TEST_F(CliLsmod, NoProcModules) {
    sys.set_proc_modules_missing(true);
    CliResult r = lsmod({});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "lsmod: ERROR: could not open /proc/modules: No such file or directory\n"
                     "lsmod: ERROR: could not get list of modules: No such file or directory\n");
}

TEST_F(CliLsmod, OptionsAndArguments) {
    CliResult r = lsmod({"extra"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "lsmod: ERROR: too many arguments provided.\n");
    r = lsmod({"-V"});
    EXPECT_EQ(r.out, "kmod version 34\n+ZSTD +XZ +ZLIB +LIBCRYPTO -EXPERIMENTAL\n");
    r = lsmod({"-h"});
    EXPECT_EQ(r.out, "Usage:\n"
                     "\tlsmod [options]\n"
                     "Options:\n"
                     "\t-s, --syslog      print to syslog, not stderr\n"
                     "\t-v, --verbose     enables more messages\n"
                     "\t    --json        print the modules as JSON (modkit)\n"
                     "\t-V, --version     show version\n"
                     "\t-h, --help        show this help\n");
    r = lsmod({"-q"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "lsmod: invalid option -- 'q'\n");
    EXPECT_EQ(lsmod({"-v"}).rc, 0);
}

TEST_F(CliLsmod, KmodListIsLsmodUnderKmodsName) {
    sys.add_module("loop");
    EXPECT_EQ(kmod({"list"}).out, lsmod({}).out);
    sys.set_proc_modules_missing(true);
    CliResult r = kmod({"list"});
    EXPECT_EQ(r.err, "kmod: ERROR: could not open /proc/modules: No such file or directory\n"
                     "kmod: ERROR: could not get list of modules: No such file or directory\n");
    r = kmod({"list", "extra"});
    EXPECT_EQ(r.err, "kmod: ERROR: too many arguments provided.\n");
    r = kmod({"list", "-h"});
    EXPECT_EQ(r.out.rfind("Usage:\n\tkmod [options]\n", 0), 0u);
}

TEST_F(CliLsmod, Json) {
    FakeSystem::Module m;
    m.coresize = 69632;
    m.refcnt = 2;
    m.holders = {"snd_hda_intel"};
    sys.add_module("snd_hda_codec", m);
    sys.set_file("/sys/module/snd_hda_codec/taint", "OE\n");
    CliResult r = lsmod({"--json"});
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "{\n"
                     "  \"version\": 1,\n"
                     "  \"modules\": [\n"
                     "    {\n"
                     "      \"name\": \"snd_hda_codec\",\n"
                     "      \"size\": 69632,\n"
                     "      \"refcount\": 2,\n"
                     "      \"holders\": [\n"
                     "        \"snd_hda_intel\"\n"
                     "      ],\n"
                     "      \"state\": \"live\",\n"
                     "      \"taint\": \"OE\"\n"
                     "    }\n"
                     "  ]\n"
                     "}\n");
}

} // namespace
} // namespace modkit::cli
