// The kernel command line: kmod's own fixtures (testsuite/rootfs-pristine/test-modprobe/
// module-param-kcmdline*), copied unchanged into tests/data/config/kcmdline, plus the corner
// cases checked against kmod 30 with a bind-mounted /proc/cmdline.
#include "config/modprobe_config.hpp"

#include "util/mapped_file.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace modkit::config {
namespace {

const std::string k_data = std::string(MODKIT_TEST_DATA) + "/config/kcmdline/";

std::string fixture(const std::string& name, const char* file) {
    auto text = util::read_file(k_data + name + "/" + file);
    EXPECT_TRUE(text.has_value()) << name << "/" << file;
    return text.value_or("");
}

std::string show(std::string_view cmdline) {
    ModprobeConfig config;
    config.parse_kcmdline(cmdline);
    return config.show_config() + std::string(k_show_config_trailer);
}

std::vector<std::string> messages(std::string_view cmdline) {
    ModprobeConfig config;
    config.parse_kcmdline(cmdline);
    std::vector<std::string> out;
    for (const Diagnostic& d : config.diagnostics())
        out.push_back(d.message);
    return out;
}

TEST(ConfigKcmdline, KmodFixturesShowConfig) {
    for (const char* name :
         {"module-param-kcmdline2", "module-param-kcmdline3", "module-param-kcmdline4",
          "module-param-kcmdline5", "module-param-kcmdline6", "module-param-kcmdline7",
          "module-param-kcmdline8", "module-param-kcmdline9"}) {
        // The fixtures have no modprobe.d and an empty index, so "modprobe -c" prints the
        // command-line entries and the trailer only.
        EXPECT_EQ(show(fixture(name, "cmdline")), fixture(name, "correct.txt")) << name;
    }
    // Fixture 6's "ivrs_acpihid[14:00.5]=..." splits at the dot inside the brackets; kmod 30
    // reports it on stderr, which the fixture does not check.
    EXPECT_EQ(messages(fixture("module-param-kcmdline6", "cmdline")),
              std::vector<std::string>{"Ignoring bad option on kernel command line while "
                                       "parsing module name: 'ivrs_acpihid[14:00'"});
    EXPECT_TRUE(messages(fixture("module-param-kcmdline5", "cmdline")).empty());
}

TEST(ConfigKcmdline, KmodFixtureShowDependsOptions) {
    // correct.txt is "insmod /lib/modules/4.4.4/kernel/mod-simple.ko foo bar=1 ".
    ModprobeConfig config;
    config.parse_kcmdline(fixture("module-param-kcmdline", "cmdline"));
    std::string expected = fixture("module-param-kcmdline", "correct.txt");
    EXPECT_EQ("insmod /lib/modules/4.4.4/kernel/mod-simple.ko " + config.options_for("mod_simple") +
                  " \n",
              expected);
}

TEST(ConfigKcmdline, TokensAndQuoting) {
    struct Case {
        const char* cmdline;
        const char* shown;
    };
    const Case cases[] = {
        {"m.p", "options m p\n"},
        {"m.p=1.5G", "options m p=1.5G\n"},
        {"a-b.c-d=e-f", "options a_b c-d=e-f\n"},
        {"m.p=\"a b\" x", "options m p=\"a b\"\n"},
        {"\"m.p=a b\" x", "options m p=\"a b\"\n"}, // grub-mangled, re-quoted
        {"\"m.p=1\"", "options m p=\"1\"\n"},
        {"m.a.b=1", ""},                        // a second dot in the name part
        {"k=v root=/dev/x initrd=\\x.img", ""}, // '=' before any '.'
        {"m.\"q\" mo\"d.p=1 \"x", ""},          // quotes outside the value
        {"m.p=\"unterminated x", ""},           // never completed
        {"m.p=a\"b\"c", "options m p=a\"b\"c\n"},
        {"mod.", "options mod \n"},                // empty parameter, kept
        {".p=1", "options  p=1\n"},                // empty module name, kept
        {"m.p=\"a\tb\"", "options m p=\"a b\"\n"}, // tabs become spaces
        {"a.b=1\nc.d=2\te.f", "options a b=1\noptions c d=2\noptions e f\n"},
        {"ivrs_acpihid[14:00.5]=AMD0020:00", ""},
        {"modprobe.blacklist=,x-y,,", "blacklist \nblacklist x-y\nblacklist \nblacklist \n"},
        {"modprobe.blacklist", "options modprobe blacklist\n"},
        {"\"modprobe.blacklist=a b\"", "blacklist \"a b\"\n"},
    };
    for (const Case& c : cases)
        EXPECT_EQ(show(c.cmdline), c.shown + std::string(k_show_config_trailer)) << c.cmdline;
}

TEST(ConfigKcmdline, BadModuleNamesAreReportedAfterPartialUnderscores) {
    EXPECT_EQ(messages("a[b.c=1 x-y]z.q=2 good.p=1"),
              (std::vector<std::string>{
                  "Ignoring bad option on kernel command line while parsing module name: 'a[b'",
                  "Ignoring bad option on kernel command line while parsing module name: "
                  "'x_y]z'"}));
    ModprobeConfig config;
    config.parse_kcmdline("a[b.c=1");
    ASSERT_EQ(config.diagnostics().size(), 1u);
    EXPECT_EQ(config.diagnostics()[0].level, util::LogLevel::Error);
    EXPECT_EQ(config.diagnostics()[0].file, "");
    EXPECT_EQ(config.diagnostics()[0].line, 0u);
}

TEST(ConfigKcmdline, ParsedAfterFilesSoItsOptionsComeLast) {
    ModprobeConfig config;
    config.parse("/etc/modprobe.d/a.conf", "options m from=file\n");
    config.parse_kcmdline("m.from=cmdline");
    config.parse("/etc/modprobe.d/b.conf", "options m later=file\n");
    // load() parses every file first; done by hand here the order is the call order.
    EXPECT_EQ(config.options_for("m"), "from=file from=cmdline later=file");
}

TEST(ConfigKcmdline, OnlyTheFirst4095BytesAreRead) {
    std::string long_line(4090, 'x');
    long_line += " ab.cd=1";
    ModprobeConfig config;
    config.parse_kcmdline(long_line);
    // 4095 bytes end in " ab.c": the truncated token still completes at the end.
    ASSERT_EQ(config.options().size(), 1u);
    EXPECT_EQ(config.options()[0].module, "ab");
    EXPECT_EQ(config.options()[0].options, "c");
}

TEST(ConfigKcmdline, StopsAtNul) {
    EXPECT_EQ(show(std::string_view("a.b=1\0c.d=2", 11)),
              "options a b=1\n" + std::string(k_show_config_trailer));
}

} // namespace
} // namespace modkit::config
