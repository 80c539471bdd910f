// The questions modprobe asks of its configuration, with libkmod's match rules: fnmatch and
// all matches for aliases, exact names for options and blacklist, first fnmatch match for
// install/remove, first exact match for kmod_lookup_alias_from_commands.
#include "config/modprobe_config.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace modkit::config {
namespace {

ModprobeConfig sample() {
    ModprobeConfig config;
    config.parse("/etc/modprobe.d/a.conf", "alias net-pf-* first\n"
                                           "alias net-pf-10 second\n"
                                           "alias pci:v00008086d*sv*sd*bc*sc*i* e1000e\n"
                                           "alias [ab]x third\n"
                                           "options e1000e debug=1\n"
                                           "options e1000e  \n"
                                           "options  e1000e  \tlate=2\n"
                                           "options net_pf_10 via_alias=1\n"
                                           "options e1000* never=1\n"
                                           "install snd* echo first-glob\n"
                                           "install snd_foo echo exact\n"
                                           "install snd_foo echo exact-second\n"
                                           "remove snd_bar echo remove-exact\n"
                                           "blacklist pcspkr\n"
                                           "blacklist crc32c-generic\n");
    config.parse_kcmdline("e1000e.cmd=3 modprobe.blacklist=crc32c-generic,floppy");
    return config;
}

std::vector<std::string> alias_modules(const ModprobeConfig& config, std::string_view name) {
    std::vector<std::string> out;
    for (const Alias* a : config.aliases_matching(name))
        out.push_back(a->module);
    return out;
}

TEST(ConfigQueries, AliasesMatchWithFnmatchAllInFileOrder) {
    ModprobeConfig config = sample();
    EXPECT_EQ(alias_modules(config, "net_pf_10"), (std::vector<std::string>{"first", "second"}));
    EXPECT_EQ(alias_modules(config, "net_pf_2"), (std::vector<std::string>{"first"}));
    EXPECT_EQ(alias_modules(config, "pci:v00008086d00001502sv1sd2bc02sc00i00"),
              (std::vector<std::string>{"e1000e"}));
    EXPECT_EQ(alias_modules(config, "bx"), (std::vector<std::string>{"third"}));
    EXPECT_TRUE(alias_modules(config, "cx").empty());
    // Patterns were underscored when parsed; the caller normalizes its input.
    EXPECT_TRUE(alias_modules(config, "net-pf-10").empty());
}

TEST(ConfigQueries, OptionsAreExactNameOrAliasJoinedCommandLineLast) {
    ModprobeConfig config = sample();
    // "options e1000e  " stores " " (the text after the single delimiter): not empty, so it
    // is joined too; the tab of the third line became a space.
    EXPECT_EQ(config.options_for("e1000e"), "debug=1     late=2 cmd=3");
    EXPECT_EQ(config.options_entries("e1000e").size(), 4u);
    EXPECT_TRUE(config.options_entries("e1000e").back()->origin.from_kcmdline());
    EXPECT_EQ(config.options_for("second", "net_pf_10"), "via_alias=1");
    EXPECT_EQ(config.options_for("e1000x"), ""); // no wildcards in options
}

TEST(ConfigQueries, EmptyCommandLineOptionIsSkippedWhenJoining) {
    ModprobeConfig config;
    config.parse("f.conf", "options m a=1\n");
    config.parse_kcmdline("m. m.b=2");
    EXPECT_EQ(config.options().size(), 3u);
    EXPECT_EQ(config.options_for("m"), "a=1 b=2");
    EXPECT_EQ(config.show_config(), "options m a=1\noptions m \noptions m b=2\n");
}

TEST(ConfigQueries, InstallAndRemoveTakeTheFirstFnmatch) {
    ModprobeConfig config = sample();
    const Command* install = config.command_for(CommandKind::Install, "snd_foo");
    ASSERT_NE(install, nullptr);
    EXPECT_EQ(install->command, "echo first-glob");
    EXPECT_EQ(install->origin.line, 10u);
    EXPECT_EQ(config.command_for(CommandKind::Install, "usb"), nullptr);
    ASSERT_NE(config.command_for(CommandKind::Remove, "snd_bar"), nullptr);
    EXPECT_EQ(config.command_for(CommandKind::Remove, "snd_foo"), nullptr);
}

TEST(ConfigQueries, ExactCommandLookupIgnoresGlobs) {
    ModprobeConfig config = sample();
    const Command* exact = config.command_exact(CommandKind::Install, "snd_foo");
    ASSERT_NE(exact, nullptr);
    EXPECT_EQ(exact->command, "echo exact");
    EXPECT_EQ(config.command_exact(CommandKind::Install, "snd_x"), nullptr);
    EXPECT_EQ(config.command_exact(CommandKind::Remove, "snd_bar")->command, "echo remove-exact");
}

TEST(ConfigQueries, BlacklistIsExactAndCommandLineValuesAreNotNormalized) {
    ModprobeConfig config = sample();
    EXPECT_TRUE(config.is_blacklisted("pcspkr"));
    EXPECT_TRUE(config.is_blacklisted("floppy"));
    // The file entry was underscored; the command-line one was not (verified with kmod 30).
    EXPECT_TRUE(config.is_blacklisted("crc32c_generic"));
    EXPECT_TRUE(config.is_blacklisted("crc32c-generic"));
    ASSERT_NE(config.blacklist_entry("crc32c-generic"), nullptr);
    EXPECT_TRUE(config.blacklist_entry("crc32c-generic")->origin.from_kcmdline());
    EXPECT_FALSE(config.is_blacklisted("pcspk*"));
}

TEST(ConfigQueries, ShowConfigSectionsInKmodOrder) {
    EXPECT_EQ(sample().show_config(), "blacklist pcspkr\n"
                                      "blacklist crc32c_generic\n"
                                      "blacklist crc32c-generic\n"
                                      "blacklist floppy\n"
                                      "install snd* echo first-glob\n"
                                      "install snd_foo echo exact\n"
                                      "install snd_foo echo exact-second\n"
                                      "remove snd_bar echo remove-exact\n"
                                      "alias net_pf_* first\n"
                                      "alias net_pf_10 second\n"
                                      "alias pci:v00008086d*sv*sd*bc*sc*i* e1000e\n"
                                      "alias [ab]x third\n"
                                      "options e1000e debug=1\n"
                                      "options e1000e  \n"
                                      "options e1000e   late=2\n"
                                      "options net_pf_10 via_alias=1\n"
                                      "options e1000* never=1\n"
                                      "options e1000e cmd=3\n");
}

} // namespace
} // namespace modkit::config
