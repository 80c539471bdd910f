// Reading whole files: MappedFile (mmap), read_file and read_file_bytes (read), including empty
// files, directories and missing paths.
#include "util/buffer.hpp"
#include "util/mapped_file.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace modkit::util {
namespace {

TEST(MappedFile, MapsContentAndStat) {
    test::TempDir dir;
    test::write_file(dir.file("f"), std::string_view("hello\0world", 11));
    auto m = MappedFile::open(dir.file("f"));
    ASSERT_TRUE(m) << m.error().describe();
    EXPECT_EQ(m->chars(), std::string_view("hello\0world", 11));
    EXPECT_EQ(m->size(), 11u);
    EXPECT_EQ(m->stat().st_size, 11);
    EXPECT_EQ(m->path(), dir.file("f"));
    MappedFile moved = std::move(*m);
    EXPECT_EQ(moved.size(), 11u);
    EXPECT_EQ(m->size(), 0u);
}

TEST(MappedFile, EmptyFileIsAnEmptySpan) {
    test::TempDir dir;
    test::write_file(dir.file("empty"), std::string_view());
    auto m = MappedFile::open(dir.file("empty"));
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->bytes().empty());
}

TEST(MappedFile, DirectoryIsEisdirAndMissingIsEnoent) {
    test::TempDir dir;
    auto d = MappedFile::open(dir.path());
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().sys_errno, EISDIR);
    EXPECT_EQ(d.error().kind, ErrorKind::Io);
    auto missing = MappedFile::open(dir.file("nope"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().sys_errno, ENOENT);
    EXPECT_EQ(missing.error().kind, ErrorKind::NotFound);
    EXPECT_EQ(missing.error().describe(),
              dir.file("nope") + ": could not open: No such file or directory");
}

TEST(ReadFile, WholeFileAsStringOrBuffer) {
    test::TempDir dir;
    std::string big(200000, 'q');
    big[12345] = '\0';
    test::write_file(dir.file("big"), big);
    auto s = read_file(dir.file("big"));
    ASSERT_TRUE(s);
    EXPECT_EQ(*s, big);
    auto b = read_file_bytes(dir.file("big"));
    ASSERT_TRUE(b);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(b->data()), b->size()), big);
    EXPECT_EQ(read_file_bytes(dir.path()).error().sys_errno, EISDIR);
    EXPECT_EQ(read_file_bytes(dir.file("x")).error().kind, ErrorKind::NotFound);
    EXPECT_EQ(read_file(dir.file("x")).error().sys_errno, ENOENT);
}

TEST(Buffer, ResizeKeepsBytes) {
    Buffer b(std::vector<uint8_t>{1, 2, 3});
    b.resize(100000);
    EXPECT_EQ(b[0], 1);
    EXPECT_EQ(b[2], 3);
    b.resize(2);
    EXPECT_EQ(b.size(), 2u);
    EXPECT_EQ(b.bytes()[1], 2);
    Buffer empty{std::span<const uint8_t>()};
    EXPECT_TRUE(empty.empty());
}

} // namespace
} // namespace modkit::util
