// Module-name rules, with kmod's own test vectors (testsuite/test-util.c: alias_1 and
// test_underscores; test-new-module.c: from_name).
#include "module/names.hpp"

#include <gtest/gtest.h>

namespace modkit::module {
namespace {

TEST(AliasNormalize, KmodTestVectorsAreUnchanged) {
    // test-util/alias-correct.txt: every input comes back as it was, with its length.
    for (const char* alias :
         {"test1234", "test[abcfoobar]2211", "bar[aaa][bbbb]sss", "kmod[p.b]lib", "[az]1234[AZ]"}) {
        auto out = alias_normalize(alias);
        ASSERT_TRUE(out) << alias;
        EXPECT_EQ(*out, alias);
    }
}

TEST(AliasNormalize, DashesBecomeUnderscoresOutsideBrackets) {
    EXPECT_EQ(alias_normalize("snd-card-0"), "snd_card_0");
    EXPECT_EQ(alias_normalize("-a-[-b-]-c-"), "_a_[-b-]_c_");
    EXPECT_EQ(alias_normalize("sym[-_]test[0-9]"), "sym[-_]test[0-9]");
    EXPECT_EQ(alias_normalize("pci:v00008086d*sv*"), "pci:v00008086d*sv*");
    EXPECT_EQ(alias_normalize(""), "");
}

TEST(AliasNormalize, UnbalancedBracketsAreRejected) {
    EXPECT_EQ(alias_normalize("a]b"), std::nullopt);
    EXPECT_EQ(alias_normalize("a[b"), std::nullopt);
    EXPECT_EQ(alias_normalize("]"), std::nullopt);
    EXPECT_EQ(alias_normalize("a[b]c]"), std::nullopt);
    EXPECT_EQ(alias_normalize("a[b[c]d"), "a[b[c]d"); // '[' inside brackets is plain
}

TEST(AliasNormalize, StopsAtNul) {
    EXPECT_EQ(alias_normalize(std::string_view("a-b\0c-d", 7)), "a_b");
}

TEST(Underscores, KmodTestVectors) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"aa-bb-cc_", "aa_bb_cc_"},         {"-aa-bb-cc-", "_aa_bb_cc_"},
        {"-aa[-bb-]cc-", "_aa[-bb-]cc_"},   {"-aa-[bb]-cc-", "_aa_[bb]_cc_"},
        {"-aa-[b-b]-cc-", "_aa_[b-b]_cc_"}, {"-aa-b[-]b-cc", "_aa_b[-]b_cc"},
    };
    for (const auto& [in, want] : cases) {
        std::string s = in;
        EXPECT_TRUE(underscores(s)) << in;
        EXPECT_EQ(s, want);
    }
}

TEST(Underscores, UnbalancedBracketsFail) {
    std::string close = "a-b]c";
    EXPECT_FALSE(underscores(close));
    std::string open = "a-b[c-d";
    EXPECT_FALSE(underscores(open));
    EXPECT_EQ(open.substr(0, 3), "a_b"); // converted up to the bad bracket, as kmod does
}

TEST(ModnameNormalize, KmodFromNameVectors) {
    // test-new-module/from_name/correct.txt
    EXPECT_EQ(modname_normalize("ext4"), "ext4");
    EXPECT_EQ(modname_normalize("balbalbalbbalbalbalbalbalbalbal"),
              "balbalbalbbalbalbalbalbalbalbal");
    EXPECT_EQ(modname_normalize("snd-hda-intel"), "snd_hda_intel");
    EXPECT_EQ(modname_normalize("snd-timer"), "snd_timer");
    EXPECT_EQ(modname_normalize("iTCO_wdt"), "iTCO_wdt");
}

TEST(ModnameNormalize, CutsAtTheFirstDot) {
    EXPECT_EQ(modname_normalize("snd-hda-intel.ko.xz"), "snd_hda_intel");
    EXPECT_EQ(modname_normalize("a.b-c"), "a");
    EXPECT_EQ(modname_normalize(".hidden"), "");
    EXPECT_EQ(modname_normalize(std::string_view("ab\0cd", 5)), "ab");
}

TEST(PathToModname, UsesTheBasename) {
    EXPECT_EQ(path_to_modname("/lib/modules/6.1.0/kernel/sound/core/snd-timer.ko"), "snd_timer");
    EXPECT_EQ(path_to_modname("kernel/fs/ext4/ext4.ko.zst"), "ext4");
    EXPECT_EQ(path_to_modname("ext4"), "ext4");
    EXPECT_EQ(path_to_modname("dir/"), "");
}

} // namespace
} // namespace modkit::module
