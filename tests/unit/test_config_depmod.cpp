// depmod.d: directives and messages as kmod 30's cfg_file_parse prints them, and the
// duplicate-module priority (depmod_module_is_higher_priority). kmod's search-order fixtures
// are in tests/data/config/depmod; the other tables were checked against kmod 30's depmod on
// trees of empty .ko files (its modules.dep shows which duplicate won).
#include "config/depmod_config.hpp"

#include "util/mapped_file.hpp"
#include "util/strings.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace modkit::config {
namespace {

const std::string k_dir = "/lib/modules/6.1.0";

DepmodConfig parse_text(std::string_view text, const std::string& kver = "6.1.0") {
    DepmodConfig config(kver);
    config.parse("/etc/depmod.d/a.conf", text);
    config.finish();
    return config;
}

std::vector<std::string> messages(const DepmodConfig& config) {
    std::vector<std::string> out;
    for (const Diagnostic& d : config.diagnostics())
        out.push_back(d.message);
    return out;
}

// The path depmod keeps when it finds `paths` in this order.
std::string winner(const DepmodConfig& config, const std::vector<std::string>& paths,
                   const std::string& dir = k_dir) {
    std::string kept = paths.at(0);
    for (size_t i = 1; i < paths.size(); ++i)
        if (!config.keeps_existing(dir, kept, paths[i])) kept = paths[i];
    return kept;
}

TEST(ConfigDepmod, MessagesMatchKmod30) {
    DepmodConfig config = parse_text("search extra built-in\n"
                                     "override foo 6.1.* weird\n"
                                     "override foo 5.* weird\n"
                                     "external * /opt/ext\n"
                                     "bogus\n"
                                     "include x\n"
                                     "external\n"
                                     "search\n"
                                     "make_map_files\n"
                                     "override a b\n"
                                     "external 7.* /x\n"
                                     "  # indented\n"
                                     "# comment\n");
    const std::string p = "/etc/depmod.d/a.conf";
    EXPECT_EQ(messages(config),
              (std::vector<std::string>{p + ":3: override kernel did not match 5.*",
                                        p + ":5: ignoring bad line starting with 'bogus'",
                                        p + ":6: command include not implemented yet",
                                        p + ":7: ignoring bad line starting with 'external'",
                                        p + ":9: command make_map_files not implemented yet",
                                        p + ":10: ignoring bad line starting with 'override'",
                                        p + ":11: external directory did not match 7.*",
                                        p + ":12: ignoring bad line starting with '#'"}));
    EXPECT_EQ(config.diagnostics()[0].level, util::LogLevel::Info);
    EXPECT_EQ(config.diagnostics()[1].level, util::LogLevel::Error);
    EXPECT_EQ(config.diagnostics()[1].line, 5u);
    ASSERT_EQ(config.overrides().size(), 1u);
    EXPECT_EQ(config.overrides()[0].origin.line, 2u);
    EXPECT_EQ(config.external_dirs(), std::vector<std::string>{"/opt/ext"});
}

TEST(ConfigDepmod, SearchKeywordsAndImplicitUpdates) {
    DepmodConfig config = parse_text("search a built-in\nsearch external b\n");
    ASSERT_EQ(config.searches().size(), 4u);
    EXPECT_EQ(config.searches()[1].type, SearchEntry::Type::Builtin);
    EXPECT_EQ(config.searches()[2].type, SearchEntry::Type::External);
    EXPECT_EQ(config.searches()[3].path, "b");
    EXPECT_EQ(config.searches()[3].origin.line, 2u);
    // No search word at all (an empty "search" line is no word): "updates" is added.
    for (const char* text : {"", "search\n", "exclude x\n"}) {
        DepmodConfig d = parse_text(text);
        ASSERT_EQ(d.searches().size(), 1u) << text;
        EXPECT_EQ(d.searches()[0].path, "updates");
        EXPECT_TRUE(d.searches()[0].origin.file.empty());
    }
}

TEST(ConfigDepmod, KernelVersionIsAnUnanchoredExtendedRegex) {
    struct Case {
        const char* pattern;
        bool match;
    };
    const Case cases[] = {{"*", true},           {"6.1.0", true}, {"6\\.1", true},
                          {"1\\.0", true},       {"^1", false},   {"^6.*0$", true},
                          {"(5|6)\\.", true},    {"[", false},    {"7.*", false},
                          {"6.1.0-amd64", false}};
    for (const Case& c : cases) {
        DepmodConfig config = parse_text(std::string("external ") + c.pattern + " /x\n");
        EXPECT_EQ(config.externals().size(), c.match ? 1u : 0u) << c.pattern;
    }
}

TEST(ConfigDepmod, ExplosiveKernelPatternIsRefusedNotCompiled) {
    // Found by fuzz_config_depmod: stacked repetitions made regcomp take more than 2 GB.
    // The pattern is treated as invalid (no match), as dkms.conf patterns are.
    DepmodConfig config = parse_text("override foo 4++++++++++++++++++++++++++++++ kernel\n"
                                     "external a{255}{255} /x\n");
    EXPECT_TRUE(config.overrides().empty());
    EXPECT_TRUE(config.externals().empty());
}

TEST(ConfigDepmod, ExcludedNames) {
    DepmodConfig config = parse_text("exclude skip-me other\nexclude third\n");
    for (const char* name : {".", "..", "build", "source", "skip-me", "other", "third"})
        EXPECT_TRUE(config.is_excluded(name)) << name;
    for (const char* name : {"kernel", "skip_me", ".git", "builds"})
        EXPECT_FALSE(config.is_excluded(name)) << name;
}

TEST(ConfigDepmod, ExternalDirsAreScannedLastLineFirst) {
    DepmodConfig config = parse_text("external * /a\nexternal 6.* /b\nexternal * /c\n");
    EXPECT_EQ(config.external_dirs(), (std::vector<std::string>{"/c", "/b", "/a"}));
}

TEST(ConfigDepmod, KmodSearchOrderFixtures) {
    const std::string data = std::string(MODKIT_TEST_DATA) + "/config/depmod/";
    for (const char* name :
         {"search-order-simple", "search-order-same-prefix", "search-order-external-first",
          "search-order-external-last", "search-order-override"}) {
        DepmodConfig config("4.4.4");
        std::vector<std::string> confs;
        for (const auto& entry : std::filesystem::directory_iterator(data + name))
            if (entry.path().extension() == ".conf") confs.push_back(entry.path());
        std::sort(confs.begin(), confs.end());
        for (const std::string& conf : confs)
            config.parse(conf, util::read_file(conf).value());
        config.finish();
        EXPECT_TRUE(config.diagnostics().empty()) << name;

        std::vector<std::string> modules;
        const std::string list = util::read_file(data + name + "/modules.txt").value();
        for (auto line : util::split(list, '\n'))
            if (!line.empty()) modules.emplace_back(line);
        std::string dep = util::read_file(data + name + "/correct-modules.dep").value();
        std::string expected = dep.substr(0, dep.find(':'));
        // The answer must not depend on the order the files are found in.
        std::sort(modules.begin(), modules.end());
        do {
            EXPECT_EQ(winner(config, modules, "/lib/modules/4.4.4"), expected) << name;
        } while (std::next_permutation(modules.begin(), modules.end()));
    }
}

TEST(ConfigDepmod, PriorityTable) {
    struct Case {
        const char* config;
        std::vector<std::string> found; // in readdir order
        const char* kept;
    };
    const Case cases[] = {
        // Default: updates first, otherwise the first found.
        {"", {"kernel/fs/foo.ko", "updates/foo.ko"}, "updates/foo.ko"},
        {"", {"updates/foo.ko", "kernel/fs/foo.ko"}, "updates/foo.ko"},
        {"", {"extra/foo.ko", "kernel/foo.ko"}, "extra/foo.ko"},
        {"", {"updates-x/foo.ko", "kernel/foo.ko"}, "updates-x/foo.ko"}, // needs "updates/"
        {"", {"kernel/foo.ko", "updates/sub/foo.ko.xz"}, "updates/sub/foo.ko.xz"},
        // Earlier words and lines win; built-in is everything else.
        {"search extra updates", {"updates/foo.ko", "extra/foo.ko"}, "extra/foo.ko"},
        {"search extra\nsearch updates", {"updates/foo.ko", "extra/foo.ko"}, "extra/foo.ko"},
        {"search built-in updates", {"updates/foo.ko", "kernel/foo.ko"}, "kernel/foo.ko"},
        {"search updates", {"kernel/foo.ko", "extra/foo.ko"}, "kernel/foo.ko"},
        // Overrides beat search order; MOD is matched against the file's own spelling.
        {"search updates\noverride foo * kernel/fs",
         {"updates/foo.ko", "kernel/fs/foo.ko"},
         "kernel/fs/foo.ko"},
        {"override foo-bar * kernel",
         {"updates/foo-bar.ko", "kernel/foo-bar.ko"},
         "kernel/foo-bar.ko"},
        {"override foo_bar * kernel",
         {"updates/foo-bar.ko", "kernel/foo-bar.ko"},
         "updates/foo-bar.ko"},
        {"override foo 5.* kernel", {"kernel/foo.ko", "updates/foo.ko"}, "updates/foo.ko"},
        // The LAST matching override line decides.
        {"override foo * a\noverride foo * b", {"a/foo.ko", "b/foo.ko"}, "b/foo.ko"},
        {"override foo * a\noverride foo * b", {"b/foo.ko", "a/foo.ko"}, "b/foo.ko"},
        // External dirs: only where "external" stands in the search list.
        {"search external updates\nexternal * /opt/ext",
         {"updates/foo.ko", "/opt/ext/foo.ko"},
         "/opt/ext/foo.ko"},
        {"search updates external\nexternal * /opt/ext",
         {"/opt/ext/foo.ko", "updates/foo.ko"},
         "updates/foo.ko"},
        {"search updates\nexternal * /opt/ext",
         {"kernel/foo.ko", "/opt/ext/foo.ko"},
         "kernel/foo.ko"},
        {"search external\nexternal * /opt/a\nexternal * /opt/b",
         {"/opt/b/foo.ko", "/opt/a/foo.ko"},
         "/opt/a/foo.ko"},
        {"search external\nexternal * /opt/ext/",
         {"kernel/foo.ko", "/opt/ext/foo.ko"},
         "kernel/foo.ko"}, // a trailing slash never matches
        // When one search dir matches both files, only the candidate gets its index, so the
        // file found LAST wins inside a search dir (and inside the implicit "updates").
        {"search updates", {"updates/a/foo.ko", "updates/b/foo.ko"}, "updates/b/foo.ko"},
        {"", {"updates/b/foo.ko", "updates/a/foo.ko"}, "updates/a/foo.ko"},
        {"search updates built-in", {"updates/a/foo.ko", "updates/b/foo.ko"}, "updates/b/foo.ko"},
        {"search built-in", {"kernel/a/foo.ko", "kernel/b/foo.ko"}, "kernel/a/foo.ko"},
    };
    for (const Case& c : cases) {
        DepmodConfig config = parse_text(c.config);
        EXPECT_EQ(winner(config, c.found), c.kept) << c.config;
    }
}

TEST(ConfigDepmod, DecisionSaysWhichRuleApplied) {
    DepmodConfig config = parse_text("search updates\noverride foo * extra\n");
    PriorityDecision d = config.compare(k_dir, "updates/foo.ko", "extra/foo.ko");
    EXPECT_FALSE(d.keep_existing);
    EXPECT_EQ(d.rule, PriorityDecision::Rule::Override);
    ASSERT_TRUE(d.origin.has_value());
    EXPECT_EQ(d.origin->line, 2u);

    d = config.compare(k_dir, "kernel/bar.ko", "updates/bar.ko");
    EXPECT_FALSE(d.keep_existing);
    EXPECT_EQ(d.rule, PriorityDecision::Rule::Search);
    EXPECT_EQ(d.candidate_priority, 0);
    EXPECT_EQ(d.existing_priority, -1);

    d = config.compare(k_dir + "/", "kernel/bar.ko", k_dir + "/drivers/bar.ko");
    EXPECT_TRUE(d.keep_existing);
    EXPECT_EQ(d.rule, PriorityDecision::Rule::Default);
}

} // namespace
} // namespace modkit::config
