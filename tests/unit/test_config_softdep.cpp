// softdep/weakdep splitting with kmod's quirks (checked against kmod 30's "modprobe -c"), and
// the first-match rule of kmod_module_get_softdeps (kmod issue #33).
#include "config/modprobe_config.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace modkit::config {
namespace {

using Words = std::vector<std::string>;

struct SoftdepCase {
    const char* rest; // the raw text after "softdep mod"'s single delimiter
    Words pre;
    Words post;
    const char* shown;
};

TEST(ConfigSoftdep, SplitTable) {
    const SoftdepCase cases[] = {
        {"pre: a b post: c", {"a", "b"}, {"c"}, "pre: a bpost: c"},
        {"pre: loop post: null_blk", {"loop"}, {"null_blk"}, "pre: looppost: null_blk"},
        {"post: x", {}, {"x"}, "post: x"},
        {"pre:\ta\t\tb  ", {"a", "b"}, {}, "pre: a b"},
        {" ", {}, {}, ""},
        {"a b", {}, {}, ""}, // words before any keyword are dropped
        // Exactly one blank before the first keyword glues it to the blank: " pre:" is no
        // keyword, so the pre list is lost (kmod 30 and HEAD).
        {" pre: a post: b", {}, {"b"}, "post: b"},
        // Two or more blanks are skipped properly.
        {"  pre: a post: b", {"a"}, {"b"}, "pre: apost: b"},
        // Interleaved lists: the printed range runs from the first to the last word of each
        // list in line order, so words of the other list bleed in.
        {"pre: a post: b pre: c", {"a", "c"}, {"b"}, "pre: a b cpost: b"},
        {"post: x pre: y", {"y"}, {"x"}, "pre: ypost: x"},
        {"pre: a pre: b", {"a", "b"}, {}, "pre: a b"},
        {"pre:a post:b", {}, {}, ""},
        {"pre: a\rb\vc", {"a", "b", "c"}, {}, "pre: a b c"},
    };
    for (const SoftdepCase& c : cases) {
        Softdep dep = parse_softdep("m", c.rest, {});
        EXPECT_EQ(dep.pre, c.pre) << '"' << c.rest << '"';
        EXPECT_EQ(dep.post, c.post) << '"' << c.rest << '"';
        EXPECT_EQ(dep.shown, c.shown) << '"' << c.rest << '"';
        EXPECT_EQ(dep.raw, c.rest);
    }
}

TEST(ConfigSoftdep, ExtraBlanksAfterTheModuleNameInAFile) {
    ModprobeConfig config;
    config.parse("f.conf", "softdep a  pre: x post: y\n"    // one extra blank: pre lost
                           "softdep b   pre: x post: y\n"); // two extra: fine
    ASSERT_EQ(config.softdeps().size(), 2u);
    EXPECT_TRUE(config.softdeps()[0].pre.empty());
    EXPECT_EQ(config.softdeps()[0].raw, " pre: x post: y");
    EXPECT_EQ(config.softdeps()[1].pre, Words{"x"});
    EXPECT_EQ(config.show_config(), "softdep a post: y\nsoftdep b pre: xpost: y\n");
}

TEST(ConfigSoftdep, WeakdepKeepsEveryWord) {
    EXPECT_EQ(parse_weakdep("m", "a b\tc  ", {}).deps, (Words{"a", "b", "c"}));
    EXPECT_EQ(parse_weakdep("m", "a b", {}).shown, "a b");
    EXPECT_EQ(parse_weakdep("m", "pre: a", {}).deps, (Words{"pre:", "a"}));
    // The same scanner: one leading blank stays glued to the first word.
    EXPECT_EQ(parse_weakdep("m", " a b", {}).deps, (Words{" a", "b"}));
    EXPECT_EQ(parse_weakdep("m", "  ", {}).shown, "");
}

TEST(ConfigSoftdep, OnlyTheFirstMatchingEntryCounts) {
    ModprobeConfig config;
    config.parse("/lib/modules/4.4.4/modules.softdep", "softdep mod-a pre: from-kernel\n");
    config.parse("/etc/modprobe.d/zz.conf",
                 "softdep mod-a pre: user-one\nsoftdep mod* post: glob\nsoftdep mod-b pre: b\n");
    const Softdep* a = config.softdep_for("mod_a");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->pre, Words{"from-kernel"});
    EXPECT_EQ(a->origin.file, "/lib/modules/4.4.4/modules.softdep");
    const Softdep* b = config.softdep_for("mod_b");
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->post, Words{"glob"}); // the earlier glob hides the exact entry
    EXPECT_EQ(config.softdep_for("other"), nullptr);
    // Names are compared as given: "mod-a" misses the underscored "mod_a" entries.
    ASSERT_NE(config.softdep_for("mod-a"), nullptr);
    EXPECT_EQ(config.softdep_for("mod-a")->module, "mod*");
}

TEST(ConfigSoftdep, WeakdepFirstMatchToo) {
    ModprobeConfig config;
    config.parse("f.conf", "weakdep m* a\nweakdep mx b\n");
    ASSERT_NE(config.weakdep_for("mx"), nullptr);
    EXPECT_EQ(config.weakdep_for("mx")->deps, Words{"a"});
    EXPECT_EQ(config.weakdep_for("x"), nullptr);
}

} // namespace
} // namespace modkit::config
