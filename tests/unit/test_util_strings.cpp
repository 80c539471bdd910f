// util string helpers and Error formatting.
#include "util/error.hpp"
#include "util/strings.hpp"

#include <gtest/gtest.h>

namespace modkit::util {
namespace {

using Views = std::vector<std::string_view>;

TEST(Strings, SplitAnyDropsEmptyFields) {
    EXPECT_EQ(split_any("  a b\t\tc  ", " \t"), (Views{"a", "b", "c"}));
    EXPECT_EQ(split_any("", " "), Views{});
    EXPECT_EQ(split_any("   ", " "), Views{});
    EXPECT_EQ(split_any("abc", " "), Views{"abc"});
}

TEST(Strings, SplitKeepsEmptyFields) {
    EXPECT_EQ(split("a::b:", ':'), (Views{"a", "", "b", ""}));
    EXPECT_EQ(split("", ':'), Views{""});
    EXPECT_EQ(split("x", ':'), Views{"x"});
}

TEST(Strings, JoinAndTrim) {
    std::vector<std::string> parts = {"a", "b", "c"};
    EXPECT_EQ(join(parts, ", "), "a, b, c");
    EXPECT_EQ(join(std::vector<std::string>{}, ","), "");
    EXPECT_EQ(trim("  \tx y \n"), "x y");
    EXPECT_EQ(trim(" \t\n"), "");
    EXPECT_EQ(trim("--x--", "-"), "x");
}

TEST(Strings, HexColonWrapsLikeKmod) {
    std::vector<uint8_t> bytes = {0x00, 0xab, 0x10};
    EXPECT_EQ(hex_colon(bytes), "00:AB:10");
    EXPECT_EQ(hex_colon({}), "");
    std::vector<uint8_t> twenty(20, 0xff);
    std::string line(59, ':');
    for (size_t i = 0; i < 20; ++i)
        line.replace(i * 3, 2, "FF");
    EXPECT_EQ(hex_colon(twenty), line); // exactly 20: no wrap, no trailing colon
    twenty.push_back(0x01);
    EXPECT_EQ(hex_colon(twenty), line + ":\n\t\t01");
    EXPECT_EQ(hex_colon(std::vector<uint8_t>{1, 2, 3}, 2), "01:02:\n\t\t03");
    EXPECT_EQ(hex_colon(std::vector<uint8_t>{1, 2, 3}, 0), "01:02:03");
}

TEST(Strings, BasenameAndDirname) {
    EXPECT_EQ(basename("/lib/modules/x.ko"), "x.ko");
    EXPECT_EQ(basename("x.ko"), "x.ko");
    EXPECT_EQ(basename("dir/"), "");
    EXPECT_EQ(dirname("/lib/modules/x.ko"), "/lib/modules");
    EXPECT_EQ(dirname("/x"), "/");
    EXPECT_EQ(dirname("x"), ".");
    EXPECT_TRUE(ends_with("a.ko", ".ko"));
    EXPECT_FALSE(starts_with("a.ko", ".ko"));
}

TEST(Error, DescribeNamesPathAndLine) {
    Error e{ErrorKind::Invalid, EINVAL, "/etc/modprobe.d/x.conf", 12, "bad line"};
    EXPECT_EQ(e.describe(), "/etc/modprobe.d/x.conf:12: bad line");
    e.line = 0;
    EXPECT_EQ(e.describe(), "/etc/modprobe.d/x.conf: bad line");
    e.path.clear();
    EXPECT_EQ(e.describe(), "bad line");
}

TEST(Error, FailErrnoMapsEnoentToNotFound) {
    auto nf = fail_errno(ENOENT, "/x", "could not open");
    EXPECT_EQ(nf.error().kind, ErrorKind::NotFound);
    EXPECT_EQ(nf.error().message, "could not open: No such file or directory");
    auto io = fail_errno(EACCES, "/x", "could not open");
    EXPECT_EQ(io.error().kind, ErrorKind::Io);
    EXPECT_EQ(io.error().sys_errno, EACCES);
    EXPECT_EQ(io.error().message, "could not open: Permission denied");
    EXPECT_EQ(fail_errno(EIO, "", "").error().message, "Input/output error");
}

} // namespace
} // namespace modkit::util
