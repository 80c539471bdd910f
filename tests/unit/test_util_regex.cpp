// util/regex: bash's =~ semantics and the guard against patterns that make regcomp explode.
#include "util/regex.hpp"

#include <gtest/gtest.h>

#include <string>

namespace modkit::util {
namespace {

TEST(Regex, IsBashEquals) {
    EXPECT_TRUE(regex_search("6.1.0-50-amd64", "^6\\."));
    EXPECT_TRUE(regex_search("6.1.0-50-amd64", "amd64"));
    EXPECT_FALSE(regex_search("6.1.0-50-amd64", "^5\\."));
    EXPECT_FALSE(regex_search("x86_64", "^do_not_build$"));
    EXPECT_FALSE(regex_search("anything", "(")); // invalid: no match, as [[ =~ ]] returns 2
}

TEST(Regex, RepetitionBlowUpIsRefusedNotExpanded) {
    for (const char* real :
         {"^6\\.", "^(5\\.(1[0-9]|[2-9][0-9])|6\\.[0-9]+)\\.", "x86_64|aarch64",
          "^[0-9]{1,2}\\.[0-9]+", "[+{]+", "a\\+\\+\\+\\+\\+\\+\\+\\+\\+\\+\\+\\+\\+"})
        EXPECT_FALSE(regex_too_complex(real)) << real;
    for (const char* bad : {"((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+", "a{255}{255}",
                            "(a{100}){100}", "a+++++++++++++++++++++++++++++++++++++++", "a{5000}",
                            "a{1,}{99}{99}", "^5*+++15", "a{2}{2}{2}"})
        EXPECT_TRUE(regex_too_complex(bad)) << bad;
    EXPECT_FALSE(regex_search("aaaa", "a+++++++++++++++++++++++++++++++++++++++"));
    EXPECT_TRUE(regex_search("6.1.0", "^[0-9]{1,2}\\.[0-9]+"));
}

TEST(Regex, ComplexityScanSurvivesTruncatedPatterns) {
    // Every prefix of patterns that end inside an escape, a bracket, a class or an interval.
    // None of them repeats anything much, so none may be refused, and bash's matcher gets them.
    for (std::string p :
         {"a\\", "[", "[^]", "[[:alpha:", "[[.", "a{", "a{1,", "(a{255}", "x{2}{"}) {
        for (size_t n = 0; n <= p.size(); ++n) {
            EXPECT_FALSE(regex_too_complex(p.substr(0, n))) << p.substr(0, n);
            (void)regex_search("aaa", p.substr(0, n));
        }
    }
    EXPECT_TRUE(regex_too_complex("a{99999999999999999999}"));
    EXPECT_FALSE(regex_too_complex("[[:alpha:"));
}

} // namespace
} // namespace modkit::util
