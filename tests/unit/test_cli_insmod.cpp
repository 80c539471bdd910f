// insmod's command line against the fake kernel: kmod 34's options, option joining, and the
// exact messages and exit codes for every way a load can fail.
#include "cli/kernel_tools.hpp"

#include "cli_capture.hpp"
#include "elf_builder.hpp"
#include "fake_system.hpp"
#include "kernel/system.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cerrno>

namespace modkit::cli {
namespace {

using test::CliResult;
using test::FakeSystem;

class CliInsmod : public ::testing::Test {
protected:
    CliResult insmod(std::vector<std::string> args) {
        args.insert(args.begin(), "insmod");
        KernelToolEnv env{sys};
        return test::run_cli("insmod", args,
                             [&](int argc, char** argv) { return insmod_run(argc, argv, env); });
    }
    std::string module() {
        std::string path = dir.file("sample.ko");
        test::write_file(path, test::sample_module().build());
        return path;
    }
    test::TempDir dir;
    FakeSystem sys;
};

TEST_F(CliInsmod, LoadsAndPassesJoinedOptions) {
    std::string path = module();
    CliResult r = insmod({path, "a=1", "b=two words", "c='x y'", "d=\"p q\"", "flag", "e=", "f"});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "");
    ASSERT_EQ(sys.calls().size(), 1u);
    EXPECT_EQ(sys.calls()[0].params, "a=1 b=\"two words\" c='x y' d=\"p q\" flag e= f");
    EXPECT_EQ(sys.calls()[0].path, path);
    EXPECT_EQ(sys.loaded(), std::vector<std::string>{"sample"});
}

TEST_F(CliInsmod, ForceOptions) {
    std::string path = module();
    const std::pair<std::vector<std::string>, int> cases[] = {
        {{"-f"}, kernel::k_init_ignore_vermagic | kernel::k_init_ignore_modversions},
        {{"--force"}, kernel::k_init_ignore_vermagic | kernel::k_init_ignore_modversions},
        {{"--force-vermagic"}, kernel::k_init_ignore_vermagic},
        {{"--force-modversion"}, kernel::k_init_ignore_modversions},
        {{"--force-vermagic", "--force-modversion"},
         kernel::k_init_ignore_vermagic | kernel::k_init_ignore_modversions},
    };
    for (const auto& [opts, flags] : cases) {
        sys.remove_module_state("sample");
        sys.clear_calls();
        std::vector<std::string> args = opts;
        args.push_back(path);
        EXPECT_EQ(insmod(args).rc, 0);
        ASSERT_EQ(sys.calls().size(), 1u);
        EXPECT_EQ(sys.calls()[0].flags, flags) << opts[0];
    }
}

TEST_F(CliInsmod, KernelErrorsUseModStrerror) {
    std::string path = module();
    const std::pair<int, const char*> cases[] = {
        {ENOEXEC, "Invalid module format"},
        {ENOENT, "Unknown symbol in module"},
        {ESRCH, "Module has wrong symbol version"},
        {EINVAL, "Invalid parameters"},
        {EEXIST, "File exists"},
        {EPERM, "Operation not permitted"},
        {ENOSYS, "Function not implemented"},
    };
    for (const auto& [err, text] : cases) {
        sys.set_insert_result("sample", -err);
        CliResult r = insmod({path});
        EXPECT_EQ(r.rc, 1);
        EXPECT_EQ(r.out, "");
        EXPECT_EQ(r.err, "insmod: ERROR: could not insert module " + path + ": " + text + "\n");
    }
}

TEST_F(CliInsmod, VerboseShowsLibkmodsInfoLine) {
    std::string path = module();
    sys.add_module("sample");
    CliResult r = insmod({"-vvv", path});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "insmod: INFO: Failed to insert module '" + path + "': File exists\n" +
                         "insmod: ERROR: could not insert module " + path + ": File exists\n");
    EXPECT_EQ(insmod({"-vv", path}).err,
              "insmod: ERROR: could not insert module " + path + ": File exists\n");
}

TEST_F(CliInsmod, FileProblems) {
    CliResult r = insmod({"/nonexistent/x.ko"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(
        r.err,
        "insmod: ERROR: could not load module /nonexistent/x.ko: No such file or directory\n");
    r = insmod({dir.path()});
    EXPECT_EQ(r.err, "insmod: ERROR: could not insert module " + dir.path() + ": Is a directory\n");
    test::write_file(dir.file("tiny.ko"), std::string_view("abc"));
    r = insmod({dir.file("tiny.ko")});
    EXPECT_EQ(r.err, "insmod: ERROR: could not insert module " + dir.file("tiny.ko") +
                         ": Invalid parameters\n");
    r = insmod({dir.path() + "/"}); // no module name in the path
    EXPECT_EQ(r.err, "insmod: ERROR: could not load module " + dir.path() +
                         "/: No such file or directory\n");
    EXPECT_TRUE(sys.calls().empty());
}

TEST_F(CliInsmod, CorruptCompressedModule) {
    std::vector<uint8_t> xz = test::xz_compress(test::sample_module().build());
    xz.resize(xz.size() / 2);
    test::write_file(dir.file("s.ko.xz"), xz);
    CliResult r = insmod({dir.file("s.ko.xz")});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "insmod: ERROR: xz: Unexpected end of input\n"
                     "insmod: ERROR: could not insert module " +
                         dir.file("s.ko.xz") + ": Invalid parameters\n");
}

TEST_F(CliInsmod, UsageErrors) {
    CliResult r = insmod({});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "insmod: ERROR: missing filename.\n");
    r = insmod({"-"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "insmod: ERROR: this tool does not support loading from stdin!\n");
    r = insmod({"-x", "a.ko"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "insmod: invalid option -- 'x'\n");
    r = insmod({"-p", "a.ko"}); // kmod 30 ignored -p; kmod 34 removed it
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "insmod: invalid option -- 'p'\n");
    r = insmod({"--bogus"});
    EXPECT_EQ(r.err, "insmod: unrecognized option '--bogus'\n");
}

TEST_F(CliInsmod, VersionAndHelp) {
    CliResult r = insmod({"-V"});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out, "kmod version 34\n+ZSTD +XZ +ZLIB +LIBCRYPTO -EXPERIMENTAL\n");
    r = insmod({"--help"});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out.rfind("Usage:\n\tinsmod [options] filename [module options]\nOptions:\n", 0),
              0u);
    EXPECT_NE(r.out.find("\t    --force-vermagic     Ignore module's version magic\n"),
              std::string::npos);
}

TEST_F(CliInsmod, SyslogKeepsStderrQuiet) {
    CliResult r = insmod({"-s", "/nonexistent/x.ko"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "");
}

} // namespace
} // namespace modkit::cli
