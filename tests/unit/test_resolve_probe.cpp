// resolve/probe: kmod_module_probe_insert_module's list as data. Dependencies in load order
// (the dep line reversed), soft dependencies around each dependency and around the target,
// recursion stopped by the visited flag, which entries are required, -i, the install-command
// quirk of modules with softdeps (kmod issue #446), options, and the blacklist rules.
#include "resolve/probe.hpp"

#include "test_resolve_tree.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace modkit::resolve {
namespace {

using test::ModuleTree;

// "<kind> <name> <req|opt> <reason>[:<of>]", one per step.
std::string step_line(const ProbeStep& s) {
    static const char* const kinds[] = {"insmod", "install", "builtin", "missing"};
    static const char* const reasons[] = {"target", "dep", "pre", "post"};
    std::string out = std::string(kinds[static_cast<int>(s.kind)]) + " " + s.name + " " +
                      (s.required ? "req" : "opt") + " " + reasons[static_cast<int>(s.reason)];
    if (!s.reason_of.empty()) out += ":" + s.reason_of;
    return out;
}

class ResolveProbe : public ::testing::Test {
protected:
    ProbePlan plan(std::string_view input, const std::string* extra = nullptr,
                   ProbeFlags flags = {}) {
        auto p = plan_probe(w.r(), w.one(input), extra, flags);
        if (!p) throw std::runtime_error("plan failed: " + p.error().describe());
        return *p;
    }
    std::vector<std::string> lines(std::string_view input, ProbeFlags flags = {}) {
        std::vector<std::string> out;
        for (const ProbeStep& s : plan(input, nullptr, flags).steps)
            out.push_back(step_line(s));
        return out;
    }
    std::vector<std::string> names(const ProbePlan& p) {
        std::vector<std::string> out;
        for (const ProbeStep& s : p.steps)
            out.push_back(s.name);
        return out;
    }

    test::ResolveWorld w;
};

ModuleTree ext4_tree() {
    ModuleTree t;
    t.module("crc16")
        .module("mbcache")
        .module("jbd2", {"crc16"})
        .module("ext4", {"jbd2", "mbcache", "crc16"}, {"fs-ext4"})
        .module("pdep")
        .module("pa", {"pdep"})
        .module("pb")
        .module("pt")
        .module("qt")
        .module("ptt")
        .builtin("unix");
    return t;
}

TEST_F(ResolveProbe, DependenciesFirstInReverseDepLineOrder) {
    w.build(ext4_tree());
    ProbePlan p = plan("ext4");
    EXPECT_FALSE(p.blacklisted);
    EXPECT_EQ(p.target, w.r().by_name("ext4"));
    ASSERT_EQ(p.steps.size(), 4u);
    EXPECT_EQ(lines("ext4"),
              (std::vector<std::string>{"insmod crc16 req dep:ext4", "insmod mbcache req dep:ext4",
                                        "insmod jbd2 req dep:ext4", "insmod ext4 req target"}));
    EXPECT_EQ(p.steps[0].path, w.path_of("crc16"));
    EXPECT_EQ(p.steps[3].path, w.path_of("ext4"));
    EXPECT_TRUE(p.steps[3].is_target);
    EXPECT_FALSE(p.steps[2].is_target);
    EXPECT_EQ(p.steps[3].install, nullptr);
}

TEST_F(ResolveProbe, DependenciesOfDependenciesAreNotExpanded) {
    // Only the target's own dep line counts (depmod already lists the closure there).
    w.build(ext4_tree());
    EXPECT_EQ(names(plan("jbd2")), (std::vector<std::string>{"crc16", "jbd2"}));
    ModuleTree t;
    t.module("a", {"b"}).module("b", {"c"}).module("c");
    test::ResolveWorld w2;
    w2.build(t);
    auto p = plan_probe(w2.r(), w2.one("a"), nullptr, {});
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(names(*p), (std::vector<std::string>{"b", "a"}));
}

TEST_F(ResolveProbe, SoftdepsAroundEachDependencyAndTheTarget) {
    w.build(ext4_tree(), "softdep jbd2 pre: pa post: pb\n"
                         "softdep ext4 pre: pt post: qt\n");
    EXPECT_EQ(lines("ext4"),
              (std::vector<std::string>{"insmod crc16 req dep:ext4", "insmod mbcache req dep:ext4",
                                        "insmod pdep opt dep:pa", "insmod pa opt pre:jbd2",
                                        "insmod jbd2 req dep:ext4", "insmod pb opt post:jbd2",
                                        "insmod pt opt pre:ext4", "insmod ext4 req target",
                                        "insmod qt opt post:ext4"}));
}

TEST_F(ResolveProbe, SoftdepsOfSoftdepsRecurse) {
    w.build(ext4_tree(), "softdep ext4 pre: pt\n"
                         "softdep pt pre: ptt post: pb\n"
                         "softdep pb pre: qt\n");
    EXPECT_EQ(names(plan("ext4")), (std::vector<std::string>{"crc16", "mbcache", "jbd2", "ptt",
                                                             "pt", "qt", "pb", "ext4"}));
}

TEST_F(ResolveProbe, SoftdepLoopsTerminate) {
    w.build(ext4_tree(), "softdep pa pre: pb\n"
                         "softdep pb pre: pa\n"
                         "softdep pt post: qt\n"
                         "softdep qt post: pt\n");
    EXPECT_EQ(lines("pa"),
              (std::vector<std::string>{"insmod pdep req dep:pa", "insmod pb opt pre:pa",
                                        "insmod pa req target"}));
    EXPECT_EQ(lines("pt"),
              (std::vector<std::string>{"insmod pt req target", "insmod qt opt post:pt"}));
    // A softdep naming the module itself.
    test::ResolveWorld w2;
    w2.build(ext4_tree(), "softdep pt pre: pt post: pt\n");
    auto p = plan_probe(w2.r(), w2.one("pt"), nullptr, {});
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(names(*p), std::vector<std::string>{"pt"});
}

TEST_F(ResolveProbe, ADependencyReachedThroughASoftdepIsListedAgain) {
    // The visited rule guards softdeps only: t's dependency x, already pulled in as y's
    // pre-softdep, is appended a second time when t's dependencies are walked. Both entries
    // are the same object, required because it is a hard dependency of the target.
    ModuleTree t;
    t.module("x").module("y").module("t", {"x", "y"});
    w.build(t, "softdep y pre: x\n");
    EXPECT_EQ(lines("t"), (std::vector<std::string>{"insmod x req pre:y", "insmod y req dep:t",
                                                    "insmod x req dep:t", "insmod t req target"}));
}

TEST_F(ResolveProbe, OnlyTheFirstMatchingSoftdepLineCounts) {
    w.build(ext4_tree(), "softdep ext* pre: pa\n"
                         "softdep ext4 pre: pb\n");
    EXPECT_EQ(names(plan("ext4")),
              (std::vector<std::string>{"crc16", "mbcache", "jbd2", "pdep", "pa", "ext4"}));
}

TEST_F(ResolveProbe, SoftdepNamesGoThroughTheFullLookup) {
    // A config alias (several modules), a modules.alias entry, a builtin module and a name
    // nothing knows (skipped silently: only a lookup error is reported).
    w.build(ext4_tree(), "alias two pb\n"
                         "alias tw* qt\n"
                         "softdep pt pre: two fs-ext4 unix nowhere\n");
    ProbePlan p = plan("pt");
    EXPECT_EQ(lines("pt"),
              (std::vector<std::string>{"insmod pb opt pre:pt", "insmod qt opt pre:pt",
                                        "insmod crc16 opt dep:ext4", "insmod mbcache opt dep:ext4",
                                        "insmod jbd2 opt dep:ext4", "insmod ext4 opt pre:pt",
                                        "builtin unix opt pre:pt", "insmod pt req target"}));
    EXPECT_TRUE(w.messages().empty());
    // The softdep objects are the alias objects.
    EXPECT_EQ(w.r().get(p.steps[0].mod).alias, std::optional<std::string>("two"));
    EXPECT_EQ(w.r().get(p.steps[5].mod).alias, std::optional<std::string>("fs_ext4"));
}

TEST_F(ResolveProbe, ASoftdepThatCannotBeLookedUpIsReportedAndSkipped) {
    w.build(ext4_tree(), "softdep pt pre: bad] pb\n");
    EXPECT_EQ(names(plan("pt")), (std::vector<std::string>{"pb", "pt"}));
    EXPECT_EQ(w.messages(), std::vector<std::string>{
                                "failed to lookup soft dependency 'bad]', continuing anyway."});
}

TEST_F(ResolveProbe, IgnoreCommandsSkipsTheTargetsSoftdepsOnly) {
    w.build(ext4_tree(), "softdep jbd2 pre: pa post: pb\n"
                         "softdep ext4 pre: pt post: qt\n");
    ProbeFlags flags;
    flags.ignore_commands = true;
    EXPECT_EQ(names(plan("ext4", nullptr, flags)),
              (std::vector<std::string>{"crc16", "mbcache", "pdep", "pa", "jbd2", "pb", "ext4"}));
}

TEST_F(ResolveProbe, InstallCommands) {
    w.build(ext4_tree(), "install ext4 /sbin/ext4-setup $CMDLINE_OPTS\n"
                         "install jbd2 /sbin/jbd2-setup\n"
                         "install crc* /sbin/crc-setup\n"
                         "install crc16 /sbin/never-reached\n");
    ProbePlan p = plan("ext4");
    EXPECT_EQ(lines("ext4"),
              (std::vector<std::string>{"install crc16 req dep:ext4", "insmod mbcache req dep:ext4",
                                        "install jbd2 req dep:ext4", "install ext4 req target"}));
    ASSERT_NE(p.steps[0].install, nullptr);
    EXPECT_EQ(p.steps[0].install->command, "/sbin/crc-setup"); // the first fnmatch wins
    EXPECT_EQ(p.steps[3].install->command, "/sbin/ext4-setup $CMDLINE_OPTS");
    EXPECT_EQ(p.steps[3].install->origin.line, 1u);
    EXPECT_TRUE(p.steps[3].path.empty());
}

TEST_F(ResolveProbe, IgnoreCommandsKeepsTheInstallCommandsOfDependencies) {
    // -i marks only the target; a dependency without softdeps still uses its command.
    w.build(ext4_tree(), "install ext4 /sbin/ext4-setup\n"
                         "install jbd2 /sbin/jbd2-setup\n");
    ProbeFlags flags;
    flags.ignore_commands = true;
    EXPECT_EQ(lines("ext4", flags),
              (std::vector<std::string>{"insmod crc16 req dep:ext4", "insmod mbcache req dep:ext4",
                                        "install jbd2 req dep:ext4", "insmod ext4 req target"}));
}

TEST_F(ResolveProbe, AModuleWithSoftdepsIgnoresItsInstallCommand) {
    // kmod issue #446: __kmod_module_fill_softdep sets ignorecmd when pre or post is non-empty.
    w.build(ext4_tree(), "install ext4 /sbin/ext4-setup\n"
                         "install jbd2 /sbin/jbd2-setup\n"
                         "install pt /sbin/pt-setup\n"
                         "softdep ext4 post: qt\n"
                         "softdep jbd2 pre: pa\n"
                         "softdep pt\n"
                         "softdep qt pre: nowhere\n"
                         "install qt /sbin/qt-setup\n");
    EXPECT_EQ(lines("ext4"),
              (std::vector<std::string>{"insmod crc16 req dep:ext4", "insmod mbcache req dep:ext4",
                                        "insmod pdep opt dep:pa", "insmod pa opt pre:jbd2",
                                        "insmod jbd2 req dep:ext4", "insmod ext4 req target",
                                        "install qt opt post:ext4"}));
    // A softdep line with no modules (or none that resolve) does not count.
    EXPECT_EQ(lines("pt"), std::vector<std::string>{"install pt req target"});
}

TEST_F(ResolveProbe, InstallCommandFoundByCommandLookup) {
    w.build(ext4_tree(), "install fake-thing /bin/echo hi\n");
    ProbePlan p = plan("fake-thing");
    ASSERT_EQ(p.steps.size(), 1u);
    EXPECT_EQ(step_line(p.steps[0]), "install fake_thing req target");
    EXPECT_EQ(p.steps[0].install->command, "/bin/echo hi");
}

TEST_F(ResolveProbe, BuiltinAndMissingTargets) {
    w.build(ext4_tree(), "alias ghost not-there\n");
    EXPECT_EQ(lines("unix"), std::vector<std::string>{"builtin unix req target"});
    EXPECT_EQ(lines("ghost"), std::vector<std::string>{"missing not_there req target"});
}

TEST_F(ResolveProbe, OptionsConfigThenExtraForTheTargetOnly) {
    w.build(ext4_tree(), "options ext4 a=1\n"
                         "options jbd2 j=1\n"
                         "options ext4 b=2\n"
                         "options fs-ext4 via_alias=1\n");
    const std::string extra = "x=9 y";
    ProbePlan p = plan("ext4", &extra);
    std::vector<std::string> opts;
    for (const ProbeStep& s : p.steps)
        opts.push_back(s.name + "=[" + s.options + "]");
    // "j=1 ": module_options_concat keeps the separator even without extra options.
    EXPECT_EQ(opts, (std::vector<std::string>{"crc16=[]", "mbcache=[]", "jbd2=[j=1 ]",
                                              "ext4=[a=1 b=2 x=9 y]"}));
    EXPECT_EQ(plan("ext4").steps.back().options, "a=1 b=2 ");
    EXPECT_EQ(plan("crc16", &extra).steps.back().options, "x=9 y");
    EXPECT_EQ(plan("fs-ext4", &extra).steps.back().options, "a=1 b=2 via_alias=1 x=9 y");
}

TEST_F(ResolveProbe, ConcatOptions) {
    const std::string extra = "e=1", empty;
    EXPECT_EQ(concat_options("", nullptr), "");
    EXPECT_EQ(concat_options("", &extra), "e=1");
    EXPECT_EQ(concat_options("", &empty), "");
    EXPECT_EQ(concat_options("a=1", nullptr), "a=1 ");
    EXPECT_EQ(concat_options("a=1", &empty), "a=1 ");
    EXPECT_EQ(concat_options("a=1", &extra), "a=1 e=1");
}

TEST_F(ResolveProbe, BlacklistAppliesToAliasesOnlyByDefault) {
    w.build(ext4_tree(), "blacklist ext4\n"
                         "alias my-ext4 ext4\n");
    EXPECT_FALSE(plan("ext4").blacklisted);
    EXPECT_EQ(plan("ext4").steps.size(), 4u);
    for (const char* alias : {"my-ext4", "fs-ext4"}) {
        ProbePlan p = plan(alias);
        EXPECT_TRUE(p.blacklisted) << alias;
        EXPECT_TRUE(p.steps.empty()) << alias;
    }
    ProbeFlags b;
    b.apply_blacklist = true;
    EXPECT_TRUE(plan("ext4", nullptr, b).blacklisted);
}

TEST_F(ResolveProbe, BlacklistNeverFiltersDependenciesOrSoftdeps) {
    w.build(ext4_tree(), "blacklist jbd2\n"
                         "blacklist pt\n"
                         "softdep ext4 pre: pt\n");
    ProbeFlags b;
    b.apply_blacklist = true;
    ProbePlan p = plan("fs-ext4", nullptr, b);
    EXPECT_FALSE(p.blacklisted);
    EXPECT_EQ(names(p), (std::vector<std::string>{"crc16", "mbcache", "jbd2", "pt", "ext4"}));
}

TEST_F(ResolveProbe, BlacklistComparesTheModuleNameNotTheAlias) {
    w.build(ext4_tree(), "blacklist fs-ext4\n");
    EXPECT_FALSE(plan("fs-ext4").blacklisted);
}

TEST_F(ResolveProbe, PlanningTwiceGivesTheSameList) {
    w.build(ext4_tree(), "softdep ext4 pre: pt post: qt\n"
                         "softdep pt pre: ptt\n");
    auto first = lines("ext4");
    EXPECT_EQ(lines("ext4"), first);
    lines("pt");
    EXPECT_EQ(lines("ext4"), first);
}

} // namespace
} // namespace modkit::resolve
