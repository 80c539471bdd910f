// util::ProgressLine: only a terminal gets the live line; pipes, dumb terminals and CI never do.
#include "util/progress.hpp"

#include <gtest/gtest.h>

namespace modkit::util {
namespace {

TEST(ProgressLine, OnlyATerminalOutsideCiGetsTheLine) {
    EXPECT_TRUE(ProgressLine::wanted(true, "xterm-256color", nullptr));
    EXPECT_TRUE(ProgressLine::wanted(true, nullptr, ""));
    EXPECT_FALSE(ProgressLine::wanted(false, "xterm", nullptr)); // a pipe or a file
    EXPECT_FALSE(ProgressLine::wanted(true, "dumb", nullptr));
    EXPECT_FALSE(ProgressLine::wanted(true, "xterm", "true")); // CI=true
}

} // namespace
} // namespace modkit::util
