// index::ModuleDirectory: lazy access to a directory's indexes (missing = no answer, corrupt =
// Error), modules.dep lines joined with the directory, and builtin checks. Uses the reference
// indexes in tests/data/index/pre.
#include "index/module_dir.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace modkit::index {
namespace {

const std::string k_pre = std::string(MODKIT_TEST_DATA) + "/index/pre";

TEST(ModuleDirectory, IndexNames) {
    EXPECT_STREQ(index_base_name(IndexKind::Dep), "modules.dep");
    EXPECT_STREQ(index_base_name(IndexKind::Alias), "modules.alias");
    EXPECT_STREQ(index_base_name(IndexKind::Symbols), "modules.symbols");
    EXPECT_STREQ(index_base_name(IndexKind::Builtin), "modules.builtin");
    EXPECT_STREQ(index_base_name(IndexKind::BuiltinAlias), "modules.builtin.alias");
}

TEST(ModuleDirectory, DepLinesAreJoinedWithTheDirectory) {
    ModuleDirectory dir(k_pre);
    auto dep = dir.dep("ext4");
    ASSERT_TRUE(dep) << dep.error().describe();
    ASSERT_TRUE(*dep);
    EXPECT_EQ((*dep)->path, k_pre + "/kernel/fs/ext4/ext4.ko");
    EXPECT_EQ((*dep)->deps, (std::vector<std::string>{k_pre + "/kernel/lib/crc16.ko",
                                                      k_pre + "/kernel/fs/jbd2/jbd2.ko",
                                                      k_pre + "/kernel/fs/mbcache.ko"}));
    auto abs = dir.dep("my_driver");
    ASSERT_TRUE(abs && *abs);
    EXPECT_EQ((*abs)->path, "/opt/extra/my-driver.ko"); // absolute paths stay as they are
    EXPECT_EQ((*abs)->deps, (std::vector<std::string>{k_pre + "/kernel/sound/snd-timer.ko"}));
    auto none = dir.dep("dummy");
    ASSERT_TRUE(none && *none);
    EXPECT_TRUE((*none)->deps.empty());
    auto absent = dir.dep("nonexistent");
    ASSERT_TRUE(absent);
    EXPECT_FALSE(*absent);
}

TEST(ModuleDirectory, BuiltinLookups) {
    ModuleDirectory dir(k_pre);
    EXPECT_EQ(dir.is_builtin("unix"), true);
    EXPECT_EQ(dir.is_builtin("mem_driver"), true);
    EXPECT_EQ(dir.is_builtin("ext4"), false);
}

TEST(ModuleDirectory, MissingIndexesAreNoAnswer) {
    test::TempDir tmp;
    ModuleDirectory dir(tmp.path());
    auto idx = dir.index(IndexKind::Alias);
    ASSERT_TRUE(idx);
    EXPECT_EQ(*idx, nullptr);
    EXPECT_EQ(dir.dep("ext4").value(), std::nullopt);
    EXPECT_EQ(dir.is_builtin("ext4"), false);
}

TEST(ModuleDirectory, CorruptMandatoryIndexIsAnError) {
    test::TempDir tmp;
    test::write_file(tmp.file("modules.dep.bin"), std::string_view("garbage, not an index"));
    test::write_file(tmp.file("modules.alias.bin"), std::string_view("short"));
    ModuleDirectory dir(tmp.path());
    auto dep = dir.dep("ext4");
    ASSERT_FALSE(dep);
    EXPECT_EQ(dep.error().sys_errno, EINVAL);
    EXPECT_EQ(dep.error().path, tmp.file("modules.dep.bin"));
    auto alias = dir.index(IndexKind::Alias);
    ASSERT_FALSE(alias);
    EXPECT_EQ(alias.error().message, "index file too short");
}

TEST(ModuleDirectory, UnusableOptionalIndexIsNoAnswer) {
    // Both kmod's depmod and modkit's publish a 0-byte modules.builtin.bin for a tree without
    // modules.builtin; libkmod answers "not built in" and so must modkit (issue 8, defect 1).
    test::TempDir tmp;
    test::write_file(tmp.file("modules.builtin.bin"), std::string_view());
    test::write_file(tmp.file("modules.builtin.alias.bin"), std::string_view("bad"));
    test::write_file(tmp.file("modules.symbols.bin"), std::string_view("not an index at all"));
    ModuleDirectory dir(tmp.path());
    EXPECT_EQ(dir.is_builtin("ext4"), false);
    for (IndexKind k : {IndexKind::Builtin, IndexKind::BuiltinAlias, IndexKind::Symbols}) {
        EXPECT_TRUE(is_optional(k));
        auto idx = dir.index(k);
        ASSERT_TRUE(idx) << index_base_name(k);
        EXPECT_EQ(*idx, nullptr) << index_base_name(k);
    }
    EXPECT_FALSE(is_optional(IndexKind::Dep));
    EXPECT_FALSE(is_optional(IndexKind::Alias));
}

TEST(ModuleDirectory, JoinAndParseDepLine) {
    ModuleDirectory dir("/lib/modules/6.1.0");
    EXPECT_EQ(dir.join("kernel/a.ko"), "/lib/modules/6.1.0/kernel/a.ko");
    EXPECT_EQ(dir.join("/abs/b.ko"), "/abs/b.ko");
    EXPECT_EQ(dir.file("modules.dep"), "/lib/modules/6.1.0/modules.dep");
    auto d = parse_dep_line("kernel/a.ko: kernel/b.ko\tkernel/c.ko  ");
    EXPECT_EQ(d.path, "kernel/a.ko");
    EXPECT_EQ(d.deps, (std::vector<std::string>{"kernel/b.ko", "kernel/c.ko"}));
    EXPECT_TRUE(parse_dep_line("no colon here").path.empty());
    EXPECT_TRUE(parse_dep_line("x.ko:").deps.empty());
}

} // namespace
} // namespace modkit::index
