// util::StatusBlock: the block goes under the unfinished line, erasing returns to that line's
// start and writes it again, and status lines are cut so that none wraps.
#include "util/status_block.hpp"

#include <gtest/gtest.h>

namespace modkit::util {
namespace {

TEST(StatusBlock, DrawsUnderTheUnfinishedLineAndErasesBackToIt) {
    StatusBlock b;
    EXPECT_EQ(b.erase(), ""); // nothing drawn
    b.passed("Sign command: x\nBuilding module(s)...");
    EXPECT_EQ(b.draw({"a/1 for K, 0 s", "b/1 for K, 0 s"}, 80),
              "\r\na/1 for K, 0 s\033[K\r\nb/1 for K, 0 s\033[K");
    EXPECT_TRUE(b.drawn());
    // Up past both status rows to the unfinished line, which is written again.
    EXPECT_EQ(b.erase(), "\033[2A\r\033[JBuilding module(s)...");
    EXPECT_FALSE(b.drawn());
    EXPECT_EQ(b.erase(), "");
    b.passed(".");
    b.draw({"a"}, 80);
    EXPECT_EQ(b.erase(), "\033[1A\r\033[JBuilding module(s)....");
}

TEST(StatusBlock, CountsTheRowsOfAWrappedUnfinishedLine) {
    StatusBlock b;
    b.passed(std::string(25, '.')); // three rows at 10 columns
    b.draw({"x"}, 10);
    EXPECT_EQ(b.erase(), "\033[3A\r\033[J" + std::string(25, '.'));
    StatusBlock exact; // exactly two rows: the cursor waits at the end of the second
    exact.passed(std::string(20, '.'));
    exact.draw({"x"}, 10);
    EXPECT_EQ(exact.erase(), "\033[2A\r\033[J" + std::string(20, '.'));
}

TEST(StatusBlock, AfterANewlineTheBlockStartsUnderAnEmptyLine) {
    StatusBlock b;
    b.passed("done.\n");
    b.draw({"x", "y", "z"}, 80);
    EXPECT_EQ(b.erase(), "\033[3A\r\033[J");
}

TEST(StatusBlock, CutsLinesToTheWidthAndBlanksControlCharacters) {
    StatusBlock b;
    EXPECT_EQ(b.draw({"abcdefghijkl"}, 6), "\r\nabcde\033[K");
    b.erase();
    EXPECT_EQ(b.draw({"a\tb\033[1mc"}, 80), "\r\na b [1mc\033[K");
    b.erase();
    // Cut before a character, never inside one (three columns of "é" are six bytes).
    EXPECT_EQ(b.draw({"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"}, 4),
              "\r\n\xc3\xa9\xc3\xa9\xc3\xa9\033[K");
    b.erase();
    EXPECT_EQ(b.draw({}, 80), "");
    EXPECT_FALSE(b.drawn());
}

} // namespace
} // namespace modkit::util

namespace modkit::util {
namespace {

TEST(StatusBlock, ErasesInPlaceForASignalHandler) {
    StatusBlock b;
    EXPECT_EQ(b.erase_in_place(), "");
    b.passed("Building module(s)...");
    b.draw({"a", "b"}, 80);
    // Up two rows to the unfinished line, to column 22 (after its 21 characters), clear below.
    EXPECT_EQ(b.erase_in_place(), "\033[2A\033[22G\033[J");
    b.erase();
    EXPECT_EQ(b.erase_in_place(), "");
    b.passed("\n");
    b.draw({"a"}, 80);
    EXPECT_EQ(b.erase_in_place(), "\033[1A\033[1G\033[J");
}

} // namespace
} // namespace modkit::util
