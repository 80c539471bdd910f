// resolve/removal: modprobe -r's and rmmod's plans as data, without a kernel: soft
// dependencies in reverse line order around the module, unused dependencies after it, the
// conditions each step is checked against, built-in targets and soft dependencies, -i, remove
// commands, a softdep cycle cut, and the lines --explain -r prints.
#include "resolve/removal.hpp"

#include "test_resolve_tree.hpp"

#include <gtest/gtest.h>

namespace modkit::resolve {
namespace {

using test::ModuleTree;

ModuleTree tree() {
    ModuleTree t;
    t.module("crc16")
        .module("jbd2", {"crc16"})
        .module("ext4", {"jbd2", "crc16"})
        .module("pa")
        .module("pb")
        .module("qa")
        .builtin("unix");
    return t;
}

std::vector<std::string> names(const std::vector<RemovalPlan>& plans) {
    std::vector<std::string> out;
    for (const auto& p : plans)
        out.push_back(p.name);
    return out;
}

TEST(ResolveRemoval, SoftdepsAroundTheModuleAndDependenciesAfter) {
    test::ResolveWorld w;
    w.build(tree(), "softdep ext4 pre: pa pb post: qa unix\n");
    auto p = plan_removal(w.r(), w.one("ext4"), {});
    ASSERT_TRUE(p) << p.error().describe();
    EXPECT_EQ(p->name, "ext4");
    EXPECT_TRUE(p->check_loaded);
    EXPECT_EQ(p->if_not_loaded, OnFail::Skip);
    EXPECT_TRUE(p->refuse_if_in_use);
    EXPECT_EQ(names(p->post), (std::vector<std::string>{"unix", "qa"})); // reverse line order
    EXPECT_TRUE(p->post[0].builtin);
    EXPECT_EQ(p->post[0].if_builtin, OnFail::Skip); // a built-in softdep is skipped
    EXPECT_EQ(names(p->pre), (std::vector<std::string>{"pb", "pa"}));
    EXPECT_EQ(p->pre[0].reason, RemovalReason::SoftdepPre);
    EXPECT_EQ(p->pre[0].reason_of, "ext4");
    ASSERT_EQ(names(p->unused_deps), (std::vector<std::string>{"crc16", "jbd2"}));
    for (const auto& d : p->unused_deps) {
        EXPECT_TRUE(d.only_if_unused);
        EXPECT_FALSE(d.check_loaded);
        EXPECT_FALSE(d.refuse_if_in_use);
    }
}

TEST(ResolveRemoval, ABuiltinTargetIsRefusedAndNothingElseIsPlanned) {
    test::ResolveWorld w;
    w.build(tree(), "softdep unix post: qa\n");
    auto p = plan_removal(w.r(), w.one("unix"), {});
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->builtin);
    EXPECT_EQ(p->if_builtin, OnFail::Refuse);
    EXPECT_TRUE(p->post.empty());
}

TEST(ResolveRemoval, FlagsChangeTheConditions) {
    test::ResolveWorld w;
    w.build(tree(), "softdep ext4 pre: pa\nremove jbd2 /sbin/rm-jbd2\n");
    RemovalFlags flags;
    flags.first_time = true;
    flags.wait = true;
    flags.remove_holders = true;
    auto p = plan_removal(w.r(), w.one("ext4"), flags);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->if_not_loaded, OnFail::Refuse);
    EXPECT_FALSE(p->refuse_if_in_use); // -w waits instead
    EXPECT_TRUE(p->remove_holders);
    EXPECT_FALSE(p->pre[0].remove_holders); // only for the module asked for
    flags = {};
    flags.ignore_commands = true;
    auto i = plan_removal(w.r(), w.one("ext4"), flags);
    ASSERT_TRUE(i);
    EXPECT_TRUE(i->pre.empty());
    auto cmd = plan_removal(w.r(), w.one("jbd2"), {});
    ASSERT_TRUE(cmd);
    ASSERT_NE(cmd->command, nullptr);
    EXPECT_EQ(cmd->command->command, "/sbin/rm-jbd2");
    EXPECT_FALSE(cmd->check_loaded); // a command stands in: nothing is checked
    EXPECT_TRUE(cmd->unused_deps.empty());
}

TEST(ResolveRemoval, ASoftdepCycleIsCut) {
    test::ResolveWorld w;
    w.build(tree(), "softdep pa post: pb\nsoftdep pb post: pa\n");
    auto p = plan_removal(w.r(), w.one("pa"), {});
    ASSERT_TRUE(p);
    ASSERT_EQ(names(p->post), std::vector<std::string>{"pb"});
    EXPECT_TRUE(p->post[0].post.empty()); // pa is not removed inside its own removal
}

TEST(ResolveRemoval, RmmodPlans) {
    RemovalPlan p = plan_rmmod("loop", false, false);
    EXPECT_EQ(p.if_not_loaded, OnFail::Refuse);
    EXPECT_TRUE(p.refuse_if_held);
    EXPECT_TRUE(p.refuse_if_in_use);
    EXPECT_TRUE(p.refuse_if_no_unload);
    RemovalPlan forced = plan_rmmod("loop", false, true);
    EXPECT_FALSE(forced.check_loaded);
    EXPECT_FALSE(forced.refuse_if_in_use);
    EXPECT_FALSE(forced.refuse_if_held);
    RemovalPlan builtin = plan_rmmod("unix", true, false);
    EXPECT_TRUE(builtin.builtin);
}

TEST(ResolveRemoval, LinesInExecutionOrder) {
    test::ResolveWorld w;
    w.build(tree(), "softdep ext4 pre: pa post: qa\n");
    RemovalFlags flags;
    flags.remove_holders = true;
    auto p = plan_removal(w.r(), w.one("ext4"), flags);
    ASSERT_TRUE(p);
    std::vector<std::string> got;
    for (const auto& l : removal_lines(*p))
        got.push_back(std::to_string(l.depth) + " " + l.action + " | " + reason_text(l) + " | " +
                      l.conditions);
    EXPECT_EQ(got, (std::vector<std::string>{
                       "1 rmmod qa | post soft dependency of ext4 | only if loaded; refused if "
                       "in use",
                       "1 every module holding ext4, as found when its turn comes | holds ext4 | "
                       "the first that cannot go stops the removal",
                       "0 rmmod ext4 | the module asked for | only if loaded; refused if in use",
                       "1 rmmod crc16 | dependency of ext4 | only if unused",
                       "1 rmmod jbd2 | dependency of ext4 | only if unused",
                       "1 rmmod pa | pre soft dependency of ext4 | only if loaded; refused if in "
                       "use",
                   }));
}

} // namespace
} // namespace modkit::resolve
