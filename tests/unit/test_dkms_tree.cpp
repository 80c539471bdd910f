// The DKMS tree read without dkms.conf: state predicates, status lines and their extras,
// filters and order; and the install transaction's rollback, commit and crash recovery.
#include "dkms/status.hpp"
#include "dkms/transaction.hpp"
#include "dkms/tree.hpp"
#include "test_support.hpp"
#include "util/atomic_file.hpp"
#include "util/fs.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace modkit::dkms {
namespace {

class NullReport final : public Report {
public:
    void out(std::string_view t) override { text += t; }
    void err(std::string_view t) override { text += t; }
    std::string text;
};

void mkdirs(const std::string& p) {
    ASSERT_EQ(system(("mkdir -p '" + p + "'").c_str()), 0);
}

// A tree with: a/1.0 added only; b/2.0 built for two kernels and installed on one; c/1.0
// whose source link dangles; d/1.0 installed with a changed installed copy and an original.
struct Fixture {
    test::TempDir dir;
    Context ctx;
    Fixture() {
        ctx.dkms_tree = dir.file("tree");
        ctx.source_tree = dir.file("src");
        ctx.install_tree = dir.file("lib");
        ctx.running_distribution = "debian";
        for (const char* pkg : {"a-1.0", "b-2.0", "d-1.0"})
            mkdirs(ctx.source_tree + "/" + pkg);
        add("a", "1.0");
        add("b", "2.0");
        add("d", "1.0");
        mkdirs(ctx.dkms_tree + "/c/1.0");
        symlink((ctx.source_tree + "/c-1.0").c_str(), (ctx.dkms_tree + "/c/1.0/source").c_str());
        built("b", "2.0", "6.1.0-50-amd64", "x86_64", "bmod");
        built("b", "2.0", "6.1.0-47-amd64", "x86_64", "bmod");
        install("b", "2.0", "6.1.0-50-amd64", "x86_64", "bmod", "bmod-bytes");
        built("d", "1.0", "6.1.0-50-amd64", "x86_64", "dmod");
        install("d", "1.0", "6.1.0-50-amd64", "x86_64", "dmod", "something else");
        mkdirs(ctx.dkms_tree + "/d/original_module/6.1.0-50-amd64/x86_64");
    }
    void add(const std::string& m, const std::string& v) {
        mkdirs(ctx.dkms_tree + "/" + m + "/" + v + "/build");
        symlink((ctx.source_tree + "/" + m + "-" + v).c_str(),
                (ctx.dkms_tree + "/" + m + "/" + v + "/source").c_str());
    }
    void built(const std::string& m, const std::string& v, const std::string& k,
               const std::string& a, const std::string& name) {
        std::string d = ctx.dkms_tree + "/" + m + "/" + v + "/" + k + "/" + a + "/module";
        mkdirs(d);
        test::write_file(d + "/" + name + ".ko", m == "b" ? "bmod-bytes" : "dmod-bytes");
    }
    void install(const std::string& m, const std::string& v, const std::string& k,
                 const std::string& a, const std::string& name, const std::string& content) {
        std::string d = ctx.install_tree + "/" + k + "/updates/dkms";
        mkdirs(d);
        test::write_file(d + "/" + name + ".ko", content);
        symlink((v + "/" + k + "/" + a).c_str(),
                (ctx.dkms_tree + "/" + m + "/kernel-" + k + "-" + a).c_str());
    }
};

std::string lines(const std::vector<StatusLine>& ls) {
    std::string s;
    for (const auto& l : ls)
        s += l.text + "\n";
    return s;
}

TEST(DkmsTree, Predicates) {
    Fixture f;
    Tree t{f.ctx};
    EXPECT_TRUE(t.is_added("a", "1.0"));
    EXPECT_FALSE(t.is_added("c", "1.0"));
    EXPECT_TRUE(t.is_broken("c", "1.0"));
    EXPECT_FALSE(t.is_broken("a", "1.0"));
    EXPECT_TRUE(t.is_built("b", "2.0", "6.1.0-47-amd64", "x86_64"));
    EXPECT_FALSE(t.is_built("a", "1.0", "6.1.0-47-amd64", "x86_64"));
    EXPECT_TRUE(t.is_installed("b", "2.0", "6.1.0-50-amd64", "x86_64"));
    EXPECT_FALSE(t.is_installed("b", "2.0", "6.1.0-47-amd64", "x86_64"));
    EXPECT_EQ(t.installed_version("b", "6.1.0-50-amd64", "x86_64"), "2.0");
    EXPECT_TRUE(looks_like_kernel_dir("6.1.0"));
    EXPECT_FALSE(looks_like_kernel_dir("build"));
    EXPECT_FALSE(looks_like_kernel_dir("6"));
}

TEST(DkmsStatus, LinesInDkms34Format) {
    Fixture f;
    Tree t{f.ctx};
    EXPECT_EQ(lines(collect_status(t, {})),
              "a/1.0: added\n"
              "b/2.0, 6.1.0-47-amd64, x86_64: built\n"
              "b/2.0, 6.1.0-50-amd64, x86_64: installed\n"
              "c/1.0: broken\n"
              "d/1.0, 6.1.0-50-amd64, x86_64: installed (Original modules exist) (Differences "
              "between built and installed modules)\n");
}

TEST(DkmsStatus, Filters) {
    Fixture f;
    Tree t{f.ctx};
    EXPECT_EQ(lines(collect_status(t, {"b", "", "", ""})),
              "b/2.0, 6.1.0-47-amd64, x86_64: built\nb/2.0, 6.1.0-50-amd64, x86_64: installed\n");
    // With a kernel, a package not built for it shows as added (DKMS's quirk).
    EXPECT_EQ(lines(collect_status(t, {"", "", "6.1.0-47-amd64", ""})),
              "a/1.0: added\nb/2.0, 6.1.0-47-amd64, x86_64: built\nc/1.0: broken\nd/1.0: added\n");
    EXPECT_EQ(lines(collect_status(t, {"b", "2.0", "6.1.0-50-amd64", "x86_64"})),
              "b/2.0, 6.1.0-50-amd64, x86_64: installed\n");
    EXPECT_EQ(lines(collect_status(t, {"nope", "", "", ""})), "");
}

TEST(DkmsStatus, MissingBuiltModules) {
    Fixture f;
    unlink((f.ctx.dkms_tree + "/b/2.0/6.1.0-47-amd64/x86_64/module/bmod.ko").c_str());
    Tree t{f.ctx};
    EXPECT_EQ(lines(collect_status(t, {"b", "", "6.1.0-47-amd64", ""})),
              "b/2.0, 6.1.0-47-amd64, x86_64: built (Built modules are missing in the kernel "
              "modules folder)\n");
}

bool exists(const std::string& p) {
    struct stat st;
    return lstat(p.c_str(), &st) == 0;
}

std::string slurp(const std::string& p) {
    auto b = test::read_file(p);
    return {b.begin(), b.end()};
}

TEST(DkmsTransaction, RollbackRestoresEveryPath) {
    Fixture f;
    std::string lib = f.ctx.install_tree + "/6.1.0-50-amd64";
    std::string src = f.dir.file("new.ko");
    test::write_file(src, "new");
    {
        auto tx = Transaction::begin(f.ctx, "test");
        ASSERT_TRUE(tx) << tx.error().describe();
        ASSERT_TRUE(tx->make_directories(lib + "/extra/sub"));
        ASSERT_TRUE(tx->install_file(src, lib + "/extra/sub/new.ko", false));
        ASSERT_TRUE(tx->install_file(src, lib + "/updates/dkms/bmod.ko", false));
        ASSERT_TRUE(tx->move(lib + "/updates/dkms/dmod.ko", f.dir.file("moved.ko")));
        ASSERT_TRUE(tx->set_symlink(f.ctx.dkms_tree + "/b/kernel-6.1.0-50-amd64-x86_64", "other"));
        ASSERT_TRUE(tx->write_file(f.dir.file("note.origin"), "x\n"));
        EXPECT_EQ(slurp(lib + "/updates/dkms/bmod.ko"), "new");
        tx->rollback();
    }
    EXPECT_FALSE(exists(lib + "/extra"));
    EXPECT_EQ(slurp(lib + "/updates/dkms/bmod.ko"), "bmod-bytes");
    EXPECT_EQ(slurp(lib + "/updates/dkms/dmod.ko"), "something else");
    EXPECT_FALSE(exists(f.dir.file("moved.ko")));
    EXPECT_FALSE(exists(f.dir.file("note.origin")));
    Tree t{f.ctx};
    EXPECT_TRUE(t.is_installed("b", "2.0", "6.1.0-50-amd64", "x86_64"));
    EXPECT_FALSE(exists(f.ctx.dkms_tree + "/.modkit-transaction"));
}

TEST(DkmsTransaction, CommitKeepsChangesAndForgets) {
    Fixture f;
    std::string lib = f.ctx.install_tree + "/6.1.0-50-amd64";
    std::string src = f.dir.file("new.ko");
    test::write_file(src, "new");
    auto tx = Transaction::begin(f.ctx, "test");
    ASSERT_TRUE(tx);
    ASSERT_TRUE(tx->install_file(src, lib + "/updates/dkms/bmod.ko", false));
    ASSERT_TRUE(tx->remove(lib + "/updates/dkms/dmod.ko"));
    tx->commit();
    EXPECT_EQ(slurp(lib + "/updates/dkms/bmod.ko"), "new");
    EXPECT_FALSE(exists(lib + "/updates/dkms/dmod.ko"));
    EXPECT_FALSE(exists(f.ctx.dkms_tree + "/.modkit-transaction"));
}

TEST(DkmsTransaction, KilledProcessIsRolledBackByTheNextCommand) {
    Fixture f;
    std::string lib = f.ctx.install_tree + "/6.1.0-50-amd64";
    test::write_file(lib + "/modules.dep", "old dep\n");
    std::string src = f.dir.file("new.ko");
    test::write_file(src, "new");
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        auto tx = Transaction::begin(f.ctx, "install b/2.0");
        if (!tx) _exit(2);
        (void)tx->install_file(src, lib + "/updates/dkms/bmod.ko", false);
        (void)tx->snapshot_indexes(lib);
        test::write_file(lib + "/modules.dep.tmp", "new dep\n");
        rename((lib + "/modules.dep.tmp").c_str(), (lib + "/modules.dep").c_str());
        _exit(0); // dies without commit or rollback, as a SIGKILL would leave it
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_EQ(WEXITSTATUS(status), 0);
    EXPECT_EQ(slurp(lib + "/modules.dep"), "new dep\n");
    NullReport rep;
    auto recovered = recover(f.ctx, rep);
    ASSERT_TRUE(recovered);
    EXPECT_TRUE(*recovered);
    EXPECT_NE(rep.text.find("Rolling back an unfinished transaction (install b/2.0)"),
              std::string::npos);
    EXPECT_EQ(slurp(lib + "/updates/dkms/bmod.ko"), "bmod-bytes");
    EXPECT_EQ(slurp(lib + "/modules.dep"), "old dep\n");
    EXPECT_FALSE(exists(lib + "/modules.alias"));
    auto again = recover(f.ctx, rep);
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again);
}

TEST(DkmsTransaction, LockIsExclusive) {
    Fixture f;
    NullReport rep;
    auto held = TreeLock::acquire(f.ctx, rep, MissingTree::NothingToLock);
    EXPECT_TRUE(held->holds_lock());
    ASSERT_TRUE(held);
    pid_t pid = fork();
    if (pid == 0) _exit(TreeLock::try_acquire(f.ctx) ? 1 : 0);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

// apt deletes /var/lib/dkms with the dkms package: the kernel hooks must still run.
TEST(DkmsTransaction, MissingTreeIsNotCreatedForActionsThatOnlyRemove) {
    test::TempDir dir;
    Context ctx;
    ctx.dkms_tree = dir.file("var/lib/dkms");
    NullReport rep;
    auto lock = TreeLock::acquire(ctx, rep, MissingTree::NothingToLock);
    ASSERT_TRUE(lock) << lock.error().describe();
    EXPECT_FALSE(lock->holds_lock());
    EXPECT_FALSE(exists(ctx.dkms_tree));
    auto recovered = recover(ctx, rep);
    ASSERT_TRUE(recovered);
    EXPECT_FALSE(*recovered);
}

TEST(DkmsTransaction, MissingTreeIsCreatedForActionsThatAdd) {
    test::TempDir dir;
    Context ctx;
    ctx.dkms_tree = dir.file("var/lib/dkms");
    NullReport rep;
    auto lock = TreeLock::acquire(ctx, rep, MissingTree::Create);
    ASSERT_TRUE(lock) << lock.error().describe();
    EXPECT_TRUE(lock->holds_lock());
    EXPECT_TRUE(util::is_directory(ctx.dkms_tree));
}

TEST(DkmsTree, MakeTreeWritableCreatesAMissingTree) {
    test::TempDir dir;
    Context ctx;
    ctx.dkms_tree = dir.file("var/lib/dkms");
    EXPECT_TRUE(make_tree_writable(ctx));
    EXPECT_TRUE(util::is_directory(ctx.dkms_tree));
    EXPECT_TRUE(make_tree_writable(ctx));
}

} // namespace
} // namespace modkit::dkms
