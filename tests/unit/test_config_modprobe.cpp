// modprobe.d parsing: every directive, the bad-line table and "modprobe -c" text. The expected
// texts were produced by Debian's kmod 30 (`modprobe -C dir -c` with /proc/cmdline
// bind-mounted over an empty file); weakdep lines follow kmod 34.
#include "config/modprobe_config.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace modkit::config {
namespace {

const std::string k_path = "/etc/modprobe.d/ks.conf";

// One line per directive kind, plus every kind of bad line.
const char* const k_kitchen_sink = "# comment\n"
                                   "\n"
                                   "alias my-veth veth\n"
                                   "alias usb:v1234p*d* some-drv\n"
                                   "alias pat[a-b]-x mod-x\n"
                                   "options veth numbers=1\ttab=2\n"
                                   "options  my_veth  spaced\n"
                                   "install snd-foo /sbin/modprobe --ignore-install snd-foo "
                                   "$CMDLINE_OPTS\n"
                                   "install snd* echo wild\n"
                                   "remove snd-foo echo bye\n"
                                   "blacklist pcspkr\n"
                                   "blacklist floppy extra words\n"
                                   "softdep loop pre: a-b c post: d\n"
                                   "softdep cifs\n"
                                   "softdep cifs2  \n"
                                   "softdep e  pre: a post: b\n"
                                   "softdep f pre: a post: b pre: c\n"
                                   "softdep g post: x pre: y\n"
                                   "softdep loop post: ignored\n"
                                   "config x\n"
                                   "include /etc/foo\n"
                                   "  # indented\n"
                                   "alias onlyone\n"
                                   "alias a] b\n"
                                   "options m\n"
                                   "options m \n"
                                   "install m\n"
                                   "remove m\n"
                                   "softdep m\n"
                                   "blacklist\n"
                                   "frobnicate x\n"
                                   "blacklist br[k\n";

ModprobeConfig parse_text(std::string_view text, const std::string& path = k_path) {
    ModprobeConfig config;
    config.parse(path, text);
    return config;
}

std::vector<std::string> messages(const ModprobeConfig& config) {
    std::vector<std::string> out;
    for (const Diagnostic& d : config.diagnostics())
        out.push_back(d.message);
    return out;
}

TEST(ConfigModprobe, ShowConfigMatchesKmod30) {
    ModprobeConfig config = parse_text(k_kitchen_sink);
    EXPECT_EQ(config.show_config(), "blacklist pcspkr\n"
                                    "blacklist floppy\n"
                                    "install snd_foo /sbin/modprobe --ignore-install snd-foo "
                                    "$CMDLINE_OPTS\n"
                                    "install snd* echo wild\n"
                                    "remove snd_foo echo bye\n"
                                    "alias my_veth veth\n"
                                    "alias usb:v1234p*d* some_drv\n"
                                    "alias pat[a-b]_x mod_x\n"
                                    "options veth numbers=1 tab=2\n"
                                    "options my_veth  spaced\n"
                                    "softdep loop pre: a-b cpost: d\n"
                                    "softdep cifs2 \n"
                                    "softdep e post: b\n"
                                    "softdep f pre: a b cpost: b\n"
                                    "softdep g pre: ypost: x\n"
                                    "softdep loop post: ignored\n");
}

TEST(ConfigModprobe, BadLinesAreReportedAsKmod30Does) {
    ModprobeConfig config = parse_text(k_kitchen_sink);
    const std::string p = k_path;
    std::vector<std::string> expected = {
        p + " line 14: ignoring bad line starting with 'softdep'",
        p + ": command config is deprecated and not parsed anymore",
        p + ": command include is deprecated and not parsed anymore",
        p + " line 22: ignoring bad line starting with '#'",
        p + " line 23: ignoring bad line starting with 'alias'",
        p + " line 24: ignoring bad line starting with 'alias'",
        p + " line 25: ignoring bad line starting with 'options'",
        p + " line 26: ignoring bad line starting with 'options'",
        p + " line 27: ignoring bad line starting with 'install'",
        p + " line 28: ignoring bad line starting with 'remove'",
        p + " line 29: ignoring bad line starting with 'softdep'",
        p + " line 30: ignoring bad line starting with 'blacklist'",
        p + " line 31: ignoring bad line starting with 'frobnicate'",
        p + " line 32: ignoring bad line starting with 'blacklist'",
    };
    EXPECT_EQ(messages(config), expected);
    for (const Diagnostic& d : config.diagnostics()) {
        EXPECT_EQ(d.level, util::LogLevel::Error);
        EXPECT_EQ(d.file, p);
    }
    EXPECT_EQ(config.diagnostics()[1].line, 20u);
}

struct BadLineCase {
    const char* text;
    const char* message; // after "<path> line 1: "
};

TEST(ConfigModprobe, BadLineTable) {
    const BadLineCase cases[] = {
        {"alias", "ignoring bad line starting with 'alias'"},
        {"alias x", "ignoring bad line starting with 'alias'"},
        {"alias x[ y", "ignoring bad line starting with 'alias'"},
        {"alias x y]", "ignoring bad line starting with 'alias'"},
        {"options", "ignoring bad line starting with 'options'"},
        {"options m[", "ignoring bad line starting with 'options'"},
        {"install m ", "ignoring bad line starting with 'install'"},
        {"remove", "ignoring bad line starting with 'remove'"},
        {"softdep ]x pre: a", "ignoring bad line starting with 'softdep'"},
        {"weakdep m", "ignoring bad line starting with 'weakdep'"},
        {"blacklist a]", "ignoring bad line starting with 'blacklist'"},
        {" #x", "ignoring bad line starting with '#x'"},
        {"\t# x", "ignoring bad line starting with '#'"},
        {"Alias a b", "ignoring bad line starting with 'Alias'"},
    };
    for (const BadLineCase& c : cases) {
        ModprobeConfig config = parse_text(c.text, "f.conf");
        ASSERT_EQ(config.diagnostics().size(), 1u) << c.text;
        EXPECT_EQ(config.diagnostics()[0].message, std::string("f.conf line 1: ") + c.message)
            << c.text;
        EXPECT_EQ(config.show_config(), "") << c.text;
    }
}

TEST(ConfigModprobe, ContinuedBadLineIsReportedAtItsLastLine) {
    ModprobeConfig config = parse_text("alias\\\n", "f.conf");
    ASSERT_EQ(config.diagnostics().size(), 1u);
    EXPECT_EQ(config.diagnostics()[0].message,
              "f.conf line 2: ignoring bad line starting with 'alias'");
    EXPECT_EQ(config.diagnostics()[0].line, 2u);
}

TEST(ConfigModprobe, IgnoredLinesProduceNothing) {
    for (const char* text : {"", "\n\n", "# alias a b", "#", "   ", "\t \t", "\\\n"}) {
        ModprobeConfig config = parse_text(text);
        EXPECT_TRUE(config.diagnostics().empty()) << text;
        EXPECT_EQ(config.show_config(), "") << text;
    }
}

TEST(ConfigModprobe, DirectivesKeepTheirOrigin) {
    ModprobeConfig config = parse_text("alias a b\n\noptions b x=1 \\\n y=2\nblacklist c\n"
                                       "install d e\nremove f g\nsoftdep h pre: i\n"
                                       "weakdep j k l\n");
    ASSERT_EQ(config.aliases().size(), 1u);
    EXPECT_EQ(config.aliases()[0].origin.line, 1u);
    EXPECT_EQ(config.aliases()[0].origin.file, k_path);
    ASSERT_EQ(config.options().size(), 1u);
    EXPECT_EQ(config.options()[0].options, "x=1  y=2");
    EXPECT_EQ(config.options()[0].origin.line, 4u); // the line where the continuation ends
    EXPECT_EQ(config.options()[0].origin.describe(), k_path + ":4");
    EXPECT_EQ(config.blacklists()[0].origin.line, 5u);
    EXPECT_EQ(config.install_commands()[0].command, "e");
    EXPECT_EQ(config.remove_commands()[0].origin.line, 7u);
    EXPECT_EQ(config.softdeps()[0].origin.line, 8u);
    ASSERT_EQ(config.weakdeps().size(), 1u);
    EXPECT_EQ(config.weakdeps()[0].deps, (std::vector<std::string>{"k", "l"}));
    EXPECT_EQ(config.weakdeps()[0].origin.line, 9u);
}

TEST(ConfigModprobe, NamesGoThroughUnderscoresButValuesDoNot) {
    ModprobeConfig config = parse_text("alias a-[x-y]-b c-d\nsoftdep e-f pre: g-h\n"
                                       "options i-j k-l=m-n\nweakdep o-p q-r\n");
    EXPECT_EQ(config.aliases()[0].pattern, "a_[x-y]_b");
    EXPECT_EQ(config.aliases()[0].module, "c_d");
    EXPECT_EQ(config.softdeps()[0].module, "e_f");
    EXPECT_EQ(config.softdeps()[0].pre, std::vector<std::string>{"g-h"});
    EXPECT_EQ(config.options()[0].module, "i_j");
    EXPECT_EQ(config.options()[0].options, "k-l=m-n");
    EXPECT_EQ(config.weakdeps()[0].deps, std::vector<std::string>{"q-r"});
}

TEST(ConfigModprobe, ShowConfigPrintsWeakdepsLastOnlyWhenPresent) {
    // kmod 34's test-weakdep modprobe-c.txt (config part).
    ModprobeConfig config;
    config.parse("/etc/modprobe.d/dumb-weakdep.conf", "weakdep mod-loop-b mod-loop-a mod-simple\n");
    config.parse("/lib/modules/4.4.4/modules.weakdep",
                 "# Weak dependencies extracted from modules themselves.\n"
                 "weakdep mod_weakdep mod-simple\n");
    EXPECT_EQ(config.show_config(), "weakdep mod_loop_b mod-loop-a mod-simple\n"
                                    "weakdep mod_weakdep mod-simple\n");
    EXPECT_EQ(parse_text("weakdep a  \n").show_config(), "weakdep a \n");
    EXPECT_EQ(parse_text("blacklist a\n").show_config(), "blacklist a\n");
}

} // namespace
} // namespace modkit::config
