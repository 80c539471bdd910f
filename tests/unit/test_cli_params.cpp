// `modkit params` against the fake kernel: values from /sys/module/M/parameters, each with its
// source (a modprobe.d line, the kernel command line, the default, or set at load time when it
// differs from the configuration), the last setting winning, and the errors.
#include "cli/tools.hpp"
#include "resolve/module_params.hpp"

#include "cli_capture.hpp"
#include "fake_system.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace modkit::cli {
namespace {

class CliParams : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = std::filesystem::temp_directory_path() /
                ("modkit-params-" + std::to_string(::getpid()));
        std::filesystem::create_directories(m_dir);
        std::ofstream(m_dir / "loop.conf") << "# loop\noptions loop max_loop=8\n"
                                              "options loop max_part=2\noptions loop max-part=3\n";
        sys.add_module("loop");
        sys.set_file("/sys/module/loop/parameters/max_loop", "8\n");
        sys.set_file("/sys/module/loop/parameters/max_part", "3\n");
        sys.set_file("/sys/module/loop/parameters/hw_queue_depth", "128\n");
        sys.set_file("/proc/cmdline", "quiet loop.hw_queue_depth=64\n");
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    test::CliResult params(std::vector<std::string> args) {
        args.insert(args.begin(), "params");
        args.insert(args.begin() + 1, {"-C", m_dir.string()});
        return test::run_cli("params", args,
                             [&](int argc, char** argv) { return params_run(argc, argv, sys); });
    }
    std::filesystem::path m_dir;
    test::FakeSystem sys;
};

TEST_F(CliParams, EachValueWithItsSource) {
    auto r = params({"loop"});
    EXPECT_EQ(r.rc, 0) << r.err;
    const std::string conf = (m_dir / "loop.conf").string();
    EXPECT_NE(r.out.find("max_loop = 8"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(conf + ":2"), std::string::npos) << r.out;
    // max-part=3 on line 4 comes after max_part=2 on line 3: the kernel keeps the last.
    EXPECT_NE(r.out.find(conf + ":4"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(conf + ":3"), std::string::npos) << r.out;
    // 64 on the command line, 128 in force: set at load time.
    EXPECT_NE(r.out.find("hw_queue_depth = 128"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("set when loaded; kernel command line asks for 64"), std::string::npos)
        << r.out;
}

TEST_F(CliParams, DefaultAndCommandLine) {
    sys.set_file("/sys/module/loop/parameters/hw_queue_depth", "64\n");
    sys.set_file("/sys/module/loop/parameters/max_loop", "0\n");
    std::ofstream(m_dir / "loop.conf") << "\n";
    auto r = params({"--json", "loop"});
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.out.find("\"name\": \"hw_queue_depth\",\n          \"value\": \"64\",\n"
                         "          \"source\": \"kernel command line\""),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("\"name\": \"max_loop\",\n          \"value\": \"0\",\n"
                         "          \"source\": \"default\""),
              std::string::npos)
        << r.out;
}

TEST_F(CliParams, NotLoadedIsAnError) {
    auto r = params({"nosuch"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "params: ERROR: module nosuch is not loaded (no /sys/module/nosuch)\n");
    EXPECT_EQ(params({}).rc, 2);
}

TEST(ModuleParams, KernelSplitAndBooleans) {
    auto words = resolve::split_options("a=1  b=\"x y\" flag c=");
    ASSERT_EQ(words.size(), 4u);
    EXPECT_EQ(words[1].first, "b");
    EXPECT_EQ(*words[1].second, "x y");
    EXPECT_FALSE(words[2].second.has_value());
    EXPECT_EQ(*words[3].second, "");
    EXPECT_TRUE(resolve::same_param_value("Y", std::nullopt));
    EXPECT_TRUE(resolve::same_param_value("N", std::string("0")));
    EXPECT_FALSE(resolve::same_param_value("8", std::string("4")));
}

} // namespace
} // namespace modkit::cli
