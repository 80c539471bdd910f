// resolve/explain: the data behind `modprobe --explain`. The lookup sources tried, in chain
// order, up to the first that answered; each answer's configuration with its file:line; and
// whether the blacklist applies (only through an alias, or with -b).
#include "resolve/explain.hpp"

#include "test_resolve_tree.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace modkit::resolve {
namespace {

using test::ModuleTree;

class ResolveExplain : public ::testing::Test {
protected:
    Explanation explain_of(std::string_view input, ProbeFlags flags = {}) {
        auto ex = explain(w.r(), input, flags);
        if (!ex) throw std::runtime_error("explain failed: " + ex.error().describe());
        return *ex;
    }
    // "<source>: <names found>" per attempt.
    static std::vector<std::string> attempts(const Explanation& ex) {
        std::vector<std::string> out;
        for (const LookupAttempt& a : ex.attempts) {
            std::string line = std::string(source_name(a.source)) + ":";
            for (const Found& f : a.found)
                line += " " + f.name;
            out.push_back(line);
        }
        return out;
    }

    test::ResolveWorld w;
};

ModuleTree tree() {
    ModuleTree t;
    t.module("crc16")
        .module("jbd2", {"crc16"}, {}, {"jbd2_start"})
        .module("ext4", {"jbd2", "crc16"}, {"fs-ext4"})
        .module("pa")
        .builtin("unix", {"net-pf-1"});
    return t;
}

TEST_F(ResolveExplain, StopsAtModulesDep) {
    w.build(tree());
    Explanation ex = explain_of("ext4");
    EXPECT_EQ(ex.input, "ext4");
    EXPECT_EQ(ex.normalized, "ext4");
    EXPECT_FALSE(ex.invalid);
    EXPECT_EQ(attempts(ex), (std::vector<std::string>{"config alias:", "modules.dep: ext4"}));
    ASSERT_EQ(ex.modules.size(), 1u);
    const ExplainedModule& m = ex.modules[0];
    EXPECT_EQ(m.name, "ext4");
    EXPECT_FALSE(m.alias.has_value());
    EXPECT_EQ(m.source, Source::ModulesDep);
    EXPECT_EQ(m.path, std::optional<std::string>(w.path_of("ext4")));
    EXPECT_FALSE(m.builtin);
    EXPECT_EQ(m.blacklist, nullptr);
    EXPECT_FALSE(m.blacklist_applies);
    EXPECT_TRUE(m.options.empty());
    EXPECT_EQ(m.install, nullptr);
    EXPECT_EQ(m.softdep, nullptr);
    std::vector<std::string> plan;
    for (const ProbeStep& s : m.plan.steps)
        plan.push_back(s.name);
    EXPECT_EQ(plan, (std::vector<std::string>{"crc16", "jbd2", "ext4"}));
}

TEST_F(ResolveExplain, EverySourceInChainOrderUntilOneAnswers) {
    w.build(tree());
    EXPECT_EQ(attempts(explain_of("symbol:jbd2_start")),
              (std::vector<std::string>{"config alias:", "modules.dep:", "modules.symbols: jbd2"}));
    EXPECT_EQ(attempts(explain_of("fs-ext4")),
              (std::vector<std::string>{"config alias:", "modules.dep:", "modules.symbols:",
                                        "install/remove command:", "modules.alias: ext4"}));
    EXPECT_EQ(attempts(explain_of("unix")),
              (std::vector<std::string>{
                  "config alias:", "modules.dep:", "modules.symbols:", "install/remove command:",
                  "modules.alias:", "modules.builtin: unix"}));
    Explanation ex = explain_of("net-pf-1");
    EXPECT_EQ(ex.normalized, "net_pf_1");
    EXPECT_EQ(attempts(ex),
              (std::vector<std::string>{
                  "config alias:", "modules.dep:", "modules.symbols:", "install/remove command:",
                  "modules.alias:", "modules.builtin:", "modules.builtin.alias: unix"}));
    ASSERT_EQ(ex.modules.size(), 1u);
    EXPECT_TRUE(ex.modules[0].builtin);
    EXPECT_EQ(ex.modules[0].source, Source::BuiltinAlias);
    EXPECT_EQ(ex.modules[0].path, std::nullopt);
}

TEST_F(ResolveExplain, NothingAnswers) {
    w.build(tree());
    Explanation ex = explain_of("nowhere");
    EXPECT_EQ(ex.attempts.size(), 7u);
    for (const LookupAttempt& a : ex.attempts)
        EXPECT_TRUE(a.found.empty());
    EXPECT_TRUE(ex.modules.empty());
}

TEST_F(ResolveExplain, InvalidInput) {
    w.build(tree());
    Explanation ex = explain_of("bad]name");
    EXPECT_TRUE(ex.invalid);
    EXPECT_TRUE(ex.attempts.empty());
    EXPECT_TRUE(ex.modules.empty());
}

TEST_F(ResolveExplain, ConfigAliasWithItsConfiguration) {
    w.build(tree(), "alias my-fs ext4\n"
                    "alias my-* pa\n"
                    "options ext4 a=1\n"
                    "options my-fs b=2\n"
                    "blacklist ext4\n"
                    "install ext4 /sbin/ext4-setup\n"
                    "softdep ext4 pre: pa fs-ext4 post: unix\n");
    Explanation ex = explain_of("my-fs");
    EXPECT_EQ(ex.normalized, "my_fs");
    ASSERT_EQ(ex.attempts.size(), 1u);
    ASSERT_EQ(ex.attempts[0].found.size(), 2u);
    EXPECT_EQ(ex.attempts[0].found[0].origin, "/etc/modprobe.d/test.conf:1");
    EXPECT_EQ(ex.attempts[0].found[1].origin, "/etc/modprobe.d/test.conf:2");
    ASSERT_EQ(ex.modules.size(), 2u);

    const ExplainedModule& m = ex.modules[0];
    EXPECT_EQ(m.name, "ext4");
    EXPECT_EQ(m.alias, std::optional<std::string>("my_fs"));
    EXPECT_EQ(m.source, Source::ConfigAlias);
    EXPECT_EQ(m.origin, "/etc/modprobe.d/test.conf:1");
    ASSERT_NE(m.blacklist, nullptr);
    EXPECT_EQ(m.blacklist->origin.describe(), "/etc/modprobe.d/test.conf:5");
    EXPECT_TRUE(m.blacklist_applies);
    std::vector<std::string> options;
    for (const config::Options* o : m.options)
        options.push_back(o->origin.describe() + " " + o->options);
    EXPECT_EQ(options, (std::vector<std::string>{"/etc/modprobe.d/test.conf:3 a=1",
                                                 "/etc/modprobe.d/test.conf:4 b=2"}));
    ASSERT_NE(m.install, nullptr);
    EXPECT_EQ(m.install->origin.describe(), "/etc/modprobe.d/test.conf:6");
    ASSERT_NE(m.softdep, nullptr);
    EXPECT_EQ(m.softdep->origin.describe(), "/etc/modprobe.d/test.conf:7");
    EXPECT_EQ(m.softdep_pre, (std::vector<std::string>{"pa", "ext4"}));
    EXPECT_EQ(m.softdep_post, std::vector<std::string>{"unix"});
    // Blacklisted through the alias: the plan says so and has no steps.
    EXPECT_TRUE(m.plan.blacklisted);
    EXPECT_TRUE(m.plan.steps.empty());

    const ExplainedModule& p = ex.modules[1];
    EXPECT_EQ(p.name, "pa");
    EXPECT_EQ(p.alias, std::optional<std::string>("my_*"));
    EXPECT_EQ(p.origin, "/etc/modprobe.d/test.conf:2");
    EXPECT_EQ(p.blacklist, nullptr);
    ASSERT_EQ(p.plan.steps.size(), 1u);
    EXPECT_EQ(p.plan.steps[0].name, "pa");
}

TEST_F(ResolveExplain, BlacklistByNameAppliesOnlyWithUseBlacklist) {
    w.build(tree(), "blacklist ext4\n");
    Explanation ex = explain_of("ext4");
    ASSERT_EQ(ex.modules.size(), 1u);
    ASSERT_NE(ex.modules[0].blacklist, nullptr);
    EXPECT_FALSE(ex.modules[0].blacklist_applies);
    EXPECT_FALSE(ex.modules[0].plan.blacklisted);
    EXPECT_EQ(ex.modules[0].plan.steps.size(), 3u);

    ProbeFlags b;
    b.apply_blacklist = true;
    ex = explain_of("ext4", b);
    EXPECT_TRUE(ex.modules[0].blacklist_applies);
    EXPECT_TRUE(ex.modules[0].plan.blacklisted);

    // Through modules.alias it applies without -b.
    ex = explain_of("fs-ext4");
    ASSERT_EQ(ex.modules.size(), 1u);
    EXPECT_TRUE(ex.modules[0].blacklist_applies);
}

TEST_F(ResolveExplain, KernelCommandLineOptionsAreNamedSo) {
    w.build(tree(), "options ext4 a=1\n", "ext4.b=2 quiet\n");
    Explanation ex = explain_of("ext4");
    ASSERT_EQ(ex.modules.size(), 1u);
    std::vector<std::string> options;
    for (const config::Options* o : ex.modules[0].options)
        options.push_back(o->origin.describe() + " " + o->options);
    EXPECT_EQ(options, (std::vector<std::string>{"/etc/modprobe.d/test.conf:1 a=1",
                                                 "kernel command line b=2"}));
    EXPECT_EQ(ex.modules[0].plan.steps.back().options, "a=1 b=2 ");
}

TEST_F(ResolveExplain, InstallCommandLookup) {
    w.build(tree(), "install fake-thing /bin/echo hi\n");
    Explanation ex = explain_of("fake-thing");
    EXPECT_EQ(attempts(ex),
              (std::vector<std::string>{"config alias:", "modules.dep:", "modules.symbols:",
                                        "install/remove command: fake_thing"}));
    EXPECT_EQ(ex.attempts.back().found[0].origin, "/etc/modprobe.d/test.conf:1");
    ASSERT_EQ(ex.modules.size(), 1u);
    EXPECT_EQ(ex.modules[0].source, Source::Command);
    ASSERT_NE(ex.modules[0].install, nullptr);
    EXPECT_EQ(ex.modules[0].install->command, "/bin/echo hi");
    ASSERT_EQ(ex.modules[0].plan.steps.size(), 1u);
    EXPECT_EQ(ex.modules[0].plan.steps[0].kind, StepKind::Install);
}

} // namespace
} // namespace modkit::resolve
