// The option tables against what the tools accept and document: every long option a tool's
// --help names is in its table and every option the table offers is in --help; DKMS's own
// parser knows exactly the table's options and actions; every tool has a man page whose
// generated OPTIONS section lists the table; the completion scripts name every option.
#include "cli/completion_data.hpp"
#include "cli/docgen.hpp"
#include "cli/option_table.hpp"
#include "cli/tools.hpp"
#include "dkms/command_line.hpp"

#include "cli_capture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace modkit::cli {
namespace {

std::set<std::string> long_words(const std::string& text) {
    std::set<std::string> out;
    static const std::regex word(R"((^|[^A-Za-z0-9-])(--[a-z][a-z0-9_-]*[a-z0-9]))");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), word);
         it != std::sregex_iterator(); ++it)
        out.insert((*it)[2].str());
    return out;
}

std::set<std::string> table_longs(std::span<const OptionSpec> options, bool offered_only) {
    std::set<std::string> out;
    for (const OptionSpec& o : options)
        if (!o.long_name.empty() && (!offered_only || !o.help.empty()))
            out.insert("--" + std::string(o.long_name));
    return out;
}

std::string help_of(std::vector<std::string> args) {
    const Tool* tool = find_tool(args[0]);
    EXPECT_NE(tool, nullptr) << args[0];
    if (tool == nullptr) return {};
    test::CliResult r = test::run_cli(args[0], args, tool->main);
    EXPECT_EQ(r.rc, 0) << args[0] << ": " << r.err;
    return r.out;
}

// Each tool's --help (its argv and the table it must match).
struct HelpCase {
    std::vector<std::string> args;
    std::span<const OptionSpec> options;
};

std::vector<HelpCase> help_cases() {
    return {
        {{"modprobe", "--help"}, modprobe_options()},
        {{"insmod", "--help"}, insmod_options()},
        {{"rmmod", "--help"}, rmmod_options()},
        {{"lsmod", "--help"}, lsmod_options()},
        {{"modinfo", "--help"}, modinfo_options()},
        {{"depmod", "--help"}, depmod_options()},
        {{"kmod", "--help"}, kmod_options()},
        {{"hw", "--help"}, hw_options()},
        {{"preflight", "--help"}, preflight_options()},
        {{"weak-modules", "--help"}, weak_modules_options()},
        {{"modules-load", "--help"}, modules_load_options()},
        {{"abi", "check", "--help"}, abi_check_options()},
        {{"abi", "diff", "--help"}, abi_diff_options()},
    };
}

TEST(OptionTables, HelpNamesExactlyTheTablesOptions) {
    for (const HelpCase& c : help_cases()) {
        const std::string help = help_of(c.args);
        const std::set<std::string> in_help = long_words(help);
        const std::set<std::string> accepted = table_longs(c.options, false);
        for (const std::string& w : in_help) {
            // kmod's own help text misspells --force-modversion in -f's description.
            if (c.args[0] == "modprobe" && w == "--force-modversions") continue;
            EXPECT_TRUE(accepted.count(w))
                << c.args[0] << " --help names " << w << ", which its option table lacks";
        }
        for (const std::string& w : table_longs(c.options, true))
            EXPECT_TRUE(in_help.count(w))
                << c.args[0] << "'s table offers " << w << ", which --help does not name";
    }
}

TEST(OptionTables, ExplainTakesModprobesOptions) {
    const ToolOptions* t = find_tool_options("explain");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->options.data(), modprobe_options().data());
    const std::set<std::string> in_help = long_words(help_of({"explain", "--help"}));
    const std::set<std::string> accepted = table_longs(modprobe_options(), false);
    for (const std::string& w : in_help)
        EXPECT_TRUE(accepted.count(w) || w == "--explain") << "explain --help names " << w;
}

TEST(OptionTables, DkmsTableIsDkmsParsers) {
    std::set<std::string> table;
    for (const OptionSpec& o : dkms_options()) {
        if (!o.long_name.empty()) table.insert("--" + std::string(o.long_name));
        if (o.short_name != 0) table.insert(std::string("-") + o.short_name);
    }
    std::set<std::string> parser;
    for (std::string_view w : dkms::option_words())
        parser.insert(std::string(w));
    EXPECT_EQ(table, parser);
    std::set<std::string> actions_table, actions_parser;
    for (const Subcommand& s : dkms_actions())
        actions_table.insert(std::string(s.name));
    for (std::string_view a : dkms::actions())
        actions_parser.insert(std::string(a));
    EXPECT_EQ(actions_table, actions_parser);
    // What DKMS's usage (and modkit's line of --help) names is in the table.
    const std::string help = help_of({"dkms", "--help"});
    for (const std::string& w : long_words(help))
        EXPECT_TRUE(table.count(w)) << "dkms --help names " << w;
}

TEST(OptionTables, KmodCommandsAreKmodsHelp) {
    const std::string help = help_of({"kmod", "help"});
    const ToolOptions* t = find_tool_options("kmod");
    ASSERT_NE(t, nullptr);
    for (const Subcommand& s : t->subcommands)
        EXPECT_NE(help.find("  " + std::string(s.name) + " "), std::string::npos) << s.name;
    EXPECT_EQ(t->subcommands.size(), 3u);
}

TEST(OptionTables, EveryToolInTheDispatchTableHasATable) {
    for (const Tool& tool : tools())
        EXPECT_NE(find_tool_options(tool.name), nullptr) << tool.name;
}

TEST(OptionTables, SpellingsAreUniqueAndNamed) {
    for (const ToolOptions& t : all_tool_options()) {
        auto check = [&](std::span<const OptionSpec> options, const std::string& where) {
            std::set<std::string> local;
            for (const OptionSpec& o : options) {
                if (!o.long_name.empty()) {
                    EXPECT_TRUE(local.insert("--" + std::string(o.long_name)).second)
                        << where << " --" << o.long_name;
                }
                EXPECT_FALSE(o.long_name.empty() && o.short_name == 0) << where;
            }
        };
        check(t.options, std::string(t.tool));
        for (const Subcommand& s : t.subcommands)
            check(s.options, std::string(t.tool) + " " + std::string(s.name));
    }
}

std::string source_dir() {
    return std::filesystem::path(MODKIT_TEST_DATA).parent_path().parent_path().string();
}

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(ManPages, EveryToolHasAPageWithItsGeneratedOptions) {
    const std::string man = source_dir() + "/docs/man/";
    for (const ToolOptions& t : all_tool_options()) {
        const std::string name = is_link_name(t.tool) ? std::string(t.tool) + ".8.scd"
                                                      : "modkit-" + std::string(t.tool) + ".8.scd";
        const std::string src = read(man + name);
        ASSERT_FALSE(src.empty()) << "no man page " << man << name;
        EXPECT_NE(src.find("@OPTIONS " + std::string(t.tool) + "@"), std::string::npos) << name;
        std::string page, error;
        ASSERT_TRUE(expand_man_source(src, page, error)) << name << ": " << error;
        for (const CompletionEntry& e : completion_entries()) {
            if (e.tool != t.tool) continue;
            for (const OptionSpec* o : e.options) {
                // scdoc escapes underscores; the synopsis is otherwise verbatim.
                std::string syn = option_synopsis(*o);
                std::string escaped;
                for (char c : syn)
                    escaped += c == '_' ? std::string("\\_") : std::string(1, c);
                EXPECT_NE(page.find("*" + escaped + "*"), std::string::npos)
                    << name << " lacks " << syn;
            }
        }
    }
}

TEST(ManPages, UnknownTableIsAnError) {
    std::string out, error;
    EXPECT_FALSE(expand_man_source("x(8)\n\n@OPTIONS nosuchtool@\n", out, error));
    EXPECT_EQ(error, "line 3: no option table for 'nosuchtool'");
}

TEST(Completions, EveryScriptNamesEveryOfferedOption) {
    const std::string bash = bash_completion();
    const std::string zsh = zsh_completion();
    const std::string fish = fish_completion("modkit");
    for (const CompletionEntry& e : completion_entries()) {
        for (const OptionSpec* o : e.options) {
            if (o->long_name.empty()) continue;
            const std::string w = "--" + std::string(o->long_name);
            EXPECT_TRUE(bash.find(" " + w) != std::string::npos ||
                        bash.find("'" + w) != std::string::npos)
                << e.key << " " << w;
            EXPECT_NE(zsh.find("'" + w), std::string::npos) << e.key << " " << w;
            EXPECT_NE(fish.find("-l " + std::string(o->long_name)), std::string::npos)
                << e.key << " " << w;
        }
    }
    // Deprecated spellings are accepted, never offered.
    EXPECT_EQ(bash.find("--unresolved-error"), std::string::npos);
    EXPECT_EQ(bash.find("--remove-dependencies"), std::string::npos);
}

} // namespace
} // namespace modkit::cli
