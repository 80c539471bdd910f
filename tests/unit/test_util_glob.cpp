// glob_match() must answer exactly as glibc's fnmatch(pattern, str, 0): checked on fixed cases
// and on many random patterns and strings over an alphabet rich in special characters.
#include "util/glob.hpp"

#include <fnmatch.h>
#include <gtest/gtest.h>
#include <random>
#include <string>

namespace {

bool glibc(const std::string& p, const std::string& s) {
    return fnmatch(p.c_str(), s.c_str(), 0) == 0;
}

TEST(UtilGlob, FixedCasesAgreeWithGlibc) {
    const char* cases[][2] = {
        {"pci:v00008086d*sv*sd*bc*sc*i*", "pci:v00008086d000010D3sv00001028sd0000021Dbc02sc00i00"},
        {"usb:v0D96p5200d000[1-9]dc*", "usb:v0D96p5200d0003dcff"},
        {"usb:v0D96p5200d000[1-9]dc*", "usb:v0D96p5200d000[1-9]dc*"},
        {"a[]b", "a[]b"},
        {"a[!]b", "a[!]b"},
        {"[]a]", "]"},
        {"[!]a]", "b"},
        {"[a-]", "-"},
        {"[--z]", "a"},
        {"[z-a]", "m"},
        {"*", ""},
        {"**a", "a"},
        {"a*", "a"},
        {"?", ""},
        {"a\\*b", "a*b"},
        {"[[:digit:]]x", "5x"},
        {"[.]", "."},
        {"*[", "ab["},
        {"[", "["},
        {"a*b*c", "aXbYbc"},
        {"*a*a*a", "aaab"},
        {"of:N*T*Cfsl,imx6q-pcie", "of:NpcieTCfsl,imx6q-pcie"},
    };
    for (auto& c : cases)
        EXPECT_EQ(modkit::util::glob_match(c[0], c[1]), glibc(c[0], c[1]))
            << c[0] << " vs " << c[1];
}

TEST(UtilGlob, RandomPatternsAgreeWithGlibc) {
    std::mt19937 rng(12345);
    const std::string pat_chars = "ab*?[]!^-:.=\\";
    const std::string str_chars = "ab[]-!*?:";
    for (int n = 0; n < 200000; ++n) {
        std::string p, s;
        int pl = static_cast<int>(rng() % 8), sl = static_cast<int>(rng() % 8);
        for (int i = 0; i < pl; ++i)
            p += pat_chars[rng() % pat_chars.size()];
        for (int i = 0; i < sl; ++i)
            s += str_chars[rng() % str_chars.size()];
        ASSERT_EQ(modkit::util::glob_match(p, s), glibc(p, s))
            << "pattern '" << p << "' string '" << s << "'";
    }
}

} // namespace
