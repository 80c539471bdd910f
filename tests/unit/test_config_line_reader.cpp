// kmod's freadline_wrapped() and strtok_r() splitting, as the config parsers see them.
#include "config/line_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace modkit::config {
namespace {

std::vector<std::pair<std::string, unsigned>> read_all(std::string_view data) {
    std::vector<std::pair<std::string, unsigned>> out;
    LineReader reader(data);
    LogicalLine line;
    while (reader.next(line))
        out.emplace_back(line.text, line.line);
    return out;
}

using Lines = std::vector<std::pair<std::string, unsigned>>;

TEST(ConfigLineReader, SplitsOnNewlinesAndNumbersFromOne) {
    EXPECT_EQ(read_all("a\nb\n"), (Lines{{"a", 1}, {"b", 2}}));
    EXPECT_EQ(read_all("a\n\nb"), (Lines{{"a", 1}, {"", 2}, {"b", 3}}));
    EXPECT_EQ(read_all(""), Lines{});
    EXPECT_EQ(read_all("\n"), (Lines{{"", 1}}));
}

TEST(ConfigLineReader, ContinuationReportsTheLineWhereTheLogicalLineEnds) {
    // Verified with kmod 30: "foo\<newline>bar" on lines 16-17 is reported as line 17.
    EXPECT_EQ(read_all("alias x\\\ny z\nnext\n"), (Lines{{"alias xy z", 2}, {"next", 3}}));
    EXPECT_EQ(read_all("a\\\n\\\nb\nc\n"), (Lines{{"ab", 3}, {"c", 4}}));
}

TEST(ConfigLineReader, BackslashBeforeAnyOtherByteIsDropped) {
    EXPECT_EQ(read_all("a\\b\n"), (Lines{{"ab", 1}}));
    EXPECT_EQ(read_all("a\\\\\nb\n"), (Lines{{"a\\", 1}, {"b", 2}}));
}

TEST(ConfigLineReader, BackslashAtEndOfFileStoresEofByte) {
    // getc() returns EOF and kmod stores it as the byte 0xff.
    EXPECT_EQ(read_all("a\\"), (Lines{{"a\xff", 1}}));
    // Only continuations and no byte: no line at all.
    EXPECT_EQ(read_all("x\n\\\n"), (Lines{{"x", 1}}));
}

TEST(ConfigLineReader, CutsAtNulLikeCStrings) {
    EXPECT_EQ(read_all(std::string("ab\0cd\nx\n", 8)), (Lines{{"ab", 1}, {"x", 2}}));
}

TEST(ConfigLineReader, CarriageReturnIsAnOrdinaryByte) {
    EXPECT_EQ(read_all("a\r\n"), (Lines{{"a\r", 1}}));
}

TEST(ConfigTokenizer, WordsSplitOnSpaceAndTabOnly) {
    Tokenizer tok("  alias\ta-b \v c\r");
    EXPECT_EQ(tok.word(), "alias");
    EXPECT_EQ(tok.word(), "a-b");
    EXPECT_EQ(tok.word(), "\v");
    EXPECT_EQ(tok.word(), "c\r");
    EXPECT_EQ(tok.word(), std::nullopt);
    EXPECT_EQ(tok.rest(), std::nullopt);
}

TEST(ConfigTokenizer, RestStartsAfterTheSingleDelimiter) {
    Tokenizer tok("options mod   a=1\tb");
    EXPECT_EQ(tok.word(), "options");
    EXPECT_EQ(tok.word(), "mod");
    EXPECT_EQ(tok.rest(), "  a=1\tb");
    EXPECT_EQ(tok.rest(), std::nullopt);
}

TEST(ConfigTokenizer, RestIsMissingAfterOneTrailingBlank) {
    Tokenizer one("options mod ");
    one.word();
    one.word();
    EXPECT_EQ(one.rest(), std::nullopt);
    Tokenizer two("options mod  ");
    two.word();
    two.word();
    EXPECT_EQ(two.rest(), " ");
    Tokenizer none("options mod");
    none.word();
    none.word();
    EXPECT_EQ(none.rest(), std::nullopt);
}

} // namespace
} // namespace modkit::config
