// util::AtomicFile: the target keeps its old content until commit(), the temporary file lives
// beside it as ".<name>.XXXXXX", discard and destruction remove it, and the mode is exactly
// what was asked for whatever the umask.
#include "util/atomic_file.hpp"
#include "util/fs.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sys/stat.h>

namespace modkit::util {
namespace {

namespace fs = std::filesystem;

std::string content(const std::string& path) {
    auto bytes = test::read_file(path);
    return {bytes.begin(), bytes.end()};
}

mode_t mode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

size_t entries(const std::string& dir) {
    return static_cast<size_t>(
        std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

// Sets the umask for the scope of a test.
class Umask {
public:
    explicit Umask(mode_t m)
        : m_old(umask(m)) {}
    ~Umask() { umask(m_old); }

private:
    mode_t m_old;
};

TEST(AtomicFile, TargetIsUntouchedUntilCommit) {
    test::TempDir dir;
    const std::string target = dir.file("modules.dep");
    test::write_file(target, std::string_view("old\n"));
    auto f = AtomicFile::create(target);
    ASSERT_TRUE(f) << f.error().describe();
    EXPECT_EQ(f->target(), target);
    ASSERT_TRUE(f->write("new "));
    ASSERT_TRUE(f->write("content\n"));
    ASSERT_TRUE(f->finish());
    EXPECT_EQ(content(target), "old\n");
    ASSERT_TRUE(f->commit());
    EXPECT_EQ(content(target), "new content\n");
    EXPECT_EQ(entries(dir.path()), 1u); // no temporary file left
    EXPECT_TRUE(f->temp_path().empty());
}

TEST(AtomicFile, TemporaryFileIsAHiddenSiblingOfTheTarget) {
    test::TempDir dir;
    const std::string target = dir.file("modules.alias.bin");
    auto f = AtomicFile::create(target);
    ASSERT_TRUE(f);
    const std::string temp = f->temp_path();
    EXPECT_EQ(fs::path(temp).parent_path(), fs::path(dir.path()));
    const std::string name = fs::path(temp).filename();
    EXPECT_TRUE(name.starts_with(".modules.alias.bin.")) << name;
    EXPECT_EQ(name.size(), std::string(".modules.alias.bin.XXXXXX").size());
    EXPECT_TRUE(fs::exists(temp));
    EXPECT_FALSE(fs::exists(target)); // not visible under the target name before commit
    ASSERT_TRUE(f->write("x"));
    ASSERT_TRUE(f->commit());
    EXPECT_FALSE(fs::exists(temp));
    EXPECT_EQ(content(target), "x");
}

TEST(AtomicFile, DiscardRemovesTheTemporaryFileAndKeepsTheTarget) {
    test::TempDir dir;
    const std::string target = dir.file("keep");
    test::write_file(target, std::string_view("keep me"));
    auto f = AtomicFile::create(target);
    ASSERT_TRUE(f);
    const std::string temp = f->temp_path();
    ASSERT_TRUE(f->write("replacement"));
    f->discard();
    EXPECT_FALSE(fs::exists(temp));
    EXPECT_EQ(content(target), "keep me");
    EXPECT_EQ(entries(dir.path()), 1u);
    // A discarded file cannot be written to any more.
    auto w = f->write("more");
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().kind, ErrorKind::Invalid);
    EXPECT_EQ(w.error().sys_errno, EBADF);
}

TEST(AtomicFile, DestroyingAnUncommittedFileRemovesIt) {
    test::TempDir dir;
    std::string temp;
    {
        auto f = AtomicFile::create(dir.file("gone"));
        ASSERT_TRUE(f);
        temp = f->temp_path();
        ASSERT_TRUE(f->write("data"));
        EXPECT_TRUE(fs::exists(temp));
    }
    EXPECT_FALSE(fs::exists(temp));
    EXPECT_EQ(entries(dir.path()), 0u);
}

TEST(AtomicFile, MovingTransfersOwnership) {
    test::TempDir dir;
    auto f = AtomicFile::create(dir.file("moved"));
    ASSERT_TRUE(f);
    AtomicFile a = std::move(*f);
    const std::string temp = a.temp_path();
    EXPECT_TRUE(fs::exists(temp));
    AtomicFile b;
    b = std::move(a);
    EXPECT_TRUE(fs::exists(temp)); // the moved-from objects do not remove it
    ASSERT_TRUE(b.write("payload"));
    ASSERT_TRUE(b.commit());
    EXPECT_EQ(content(dir.file("moved")), "payload");
}

TEST(AtomicFile, ModeIgnoresTheUmask) {
    test::TempDir dir;
    Umask guard(077);
    ASSERT_TRUE(write_file_atomic(dir.file("default"), "a"));
    EXPECT_EQ(mode_of(dir.file("default")), 0644u);
    ASSERT_TRUE(write_file_atomic(dir.file("private"), "b", 0600));
    EXPECT_EQ(mode_of(dir.file("private")), 0600u);
    Umask open_guard(0);
    ASSERT_TRUE(write_file_atomic(dir.file("open"), "c", 0640));
    EXPECT_EQ(mode_of(dir.file("open")), 0640u);
}

TEST(AtomicFile, ReplacingAnExistingFileSetsTheNewMode) {
    test::TempDir dir;
    const std::string target = dir.file("t");
    test::write_file(target, std::string_view("old"));
    ASSERT_EQ(chmod(target.c_str(), 0600), 0);
    ASSERT_TRUE(write_file_atomic(target, "new"));
    EXPECT_EQ(mode_of(target), 0644u);
    EXPECT_EQ(content(target), "new");
}

TEST(AtomicFile, LargeWritesAreFlushedInPieces) {
    test::TempDir dir;
    const std::string target = dir.file("big");
    auto f = AtomicFile::create(target);
    ASSERT_TRUE(f);
    std::string chunk(300000, 'z');
    for (int i = 0; i < 8; ++i)
        ASSERT_TRUE(f->write(chunk));
    ASSERT_TRUE(f->commit());
    EXPECT_EQ(fs::file_size(target), 8u * chunk.size());
}

TEST(AtomicFile, MissingDirectoryIsEnoent) {
    test::TempDir dir;
    auto f = AtomicFile::create(dir.file("no/such/dir/file"));
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().kind, ErrorKind::NotFound);
    EXPECT_EQ(f.error().sys_errno, ENOENT);
    EXPECT_EQ(f.error().path, dir.file("no/such/dir/file"));
    EXPECT_TRUE(f.error().message.starts_with("could not create temporary file"))
        << f.error().message;
    EXPECT_FALSE(write_file_atomic(dir.file("no/such/file"), "x"));
}

TEST(AtomicFile, RelativeTargetUsesTheCurrentDirectory) {
    test::TempDir dir;
    auto cwd = fs::current_path();
    fs::current_path(dir.path());
    auto r = write_file_atomic("relative.txt", "rel");
    fs::current_path(cwd);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(content(dir.file("relative.txt")), "rel");
}

TEST(AtomicFile, CommitOverADirectoryFailsAndCleansUp) {
    test::TempDir dir;
    const std::string target = dir.file("sub");
    fs::create_directory(target);
    test::write_file(target + "/inside", std::string_view("x"));
    auto f = AtomicFile::create(target);
    ASSERT_TRUE(f);
    ASSERT_TRUE(f->write("data"));
    auto r = f->commit();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sys_errno, EISDIR);
    EXPECT_EQ(entries(dir.path()), 1u); // only the directory; the temporary file is gone
    EXPECT_TRUE(fs::is_directory(target));
}

} // namespace
} // namespace modkit::util
