// depmod/publish: all files appear together; a commit interrupted during its renames (the
// journal left behind) is finished by the next run; temporary files of a dead run are removed.
#include "depmod/publish.hpp"

#include "test_support.hpp"
#include "util/fs.hpp"
#include "util/mapped_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <dirent.h>

namespace modkit::depmod {
namespace {

std::vector<std::string> names_in(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = opendir(dir.c_str());
    while (dirent* e = d != nullptr ? readdir(d) : nullptr)
        if (e->d_name[0] != '.') out.emplace_back(e->d_name);
    if (d != nullptr) closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

TEST(DepmodPublish, WritesEveryFileAndNoJournal) {
    test::TempDir tmp;
    std::vector<OutputFile> files = {{"modules.dep", "a.ko:\n", false},
                                     {"modules.dep.bin", std::string("\x57\xf4\x0e\x80", 4), true}};
    ASSERT_TRUE(publish_files(tmp.path(), files));
    EXPECT_EQ(names_in(tmp.path()), (std::vector<std::string>{"modules.dep", "modules.dep.bin"}));
    EXPECT_EQ(util::read_file(tmp.file("modules.dep")).value(), "a.ko:\n");
    EXPECT_FALSE(util::path_exists(tmp.file(k_journal_name)));
}

TEST(DepmodPublish, AnInterruptedCommitIsFinishedByTheNextRun) {
    test::TempDir tmp;
    test::write_file(tmp.file("modules.dep"), std::string_view("old\n"));
    // A run that died after writing its temporaries and the journal, before its renames.
    test::write_file(tmp.file(".modules.dep.Ab12Cd"), std::string_view("new\n"));
    test::write_file(tmp.file(".modules.alias.Ef34Gh"), std::string_view("alias new\n"));
    test::write_file(tmp.file(k_journal_name),
                     std::string_view(".modules.dep.Ab12Cd\tmodules.dep\n"
                                      ".modules.alias.Ef34Gh\tmodules.alias\n"));
    // And a temporary of a run that died before writing its journal: never part of the set.
    test::write_file(tmp.file(".modules.symbols.Zz9Yy8"), std::string_view("stray\n"));
    auto done = recover_interrupted_commit(tmp.path());
    ASSERT_TRUE(done);
    EXPECT_EQ(*done, 2u);
    EXPECT_EQ(names_in(tmp.path()), (std::vector<std::string>{"modules.alias", "modules.dep"}));
    EXPECT_EQ(util::read_file(tmp.file("modules.dep")).value(), "new\n");
    EXPECT_EQ(util::read_file(tmp.file("modules.alias")).value(), "alias new\n");
    EXPECT_FALSE(util::path_exists(tmp.file(k_journal_name)));
}

TEST(DepmodPublish, NothingToRecoverChangesNothing) {
    test::TempDir tmp;
    test::write_file(tmp.file("modules.dep"), std::string_view("kept\n"));
    auto done = recover_interrupted_commit(tmp.path());
    ASSERT_TRUE(done);
    EXPECT_EQ(*done, 0u);
    EXPECT_EQ(names_in(tmp.path()), std::vector<std::string>{"modules.dep"});
}

} // namespace
} // namespace modkit::depmod
