// depmod/cache: records survive a round trip, an appended segment wins over the first, and a
// truncated, bit-flipped or foreign cache is ignored (with a reason), never trusted.
#include "depmod/cache.hpp"

#include "test_support.hpp"
#include "util/mapped_file.hpp"

#include <gtest/gtest.h>

#include <string>

namespace modkit::depmod {
namespace {

Candidate candidate(const std::string& name, uint64_t size) {
    Candidate c;
    c.name = name;
    c.relpath = "kernel/" + name + ".ko";
    c.path = "/lib/modules/9.9/" + c.relpath;
    c.size = size;
    c.inode = 100 + size;
    c.device = 7;
    c.mtime_sec = 1700000000;
    c.mtime_nsec = 123456789;
    return c;
}

ModuleRecord record(std::string_view exported, std::string_view alias) {
    ModuleRecord r;
    r.exports.push_back({exported, 0xdeadbeef, false});
    r.imports.push_back({"printk", 0x1, true});
    r.aliases.push_back(alias);
    return r;
}

class DepmodCache : public ::testing::Test {
protected:
    void SetUp() override {
        a = candidate("a", 10);
        b = candidate("b", 20);
        ra = record("sym_a", "pci:v1*");
        rb = record("sym_b", "usb:v2*");
        path = tmp.file(k_cache_name);
        test::write_file(path, RecordCache::serialize("/lib/modules/9.9", {&a, &b}, {&ra, &rb}));
    }
    RecordCache load(std::string& why, const std::string& dir = "/lib/modules/9.9") {
        return RecordCache::load(path, dir, why);
    }
    test::TempDir tmp;
    std::string path;
    Candidate a, b;
    ModuleRecord ra, rb;
};

TEST_F(DepmodCache, RoundTrip) {
    std::string why;
    RecordCache c = load(why);
    EXPECT_EQ(why, "");
    ASSERT_EQ(c.size(), 2u);
    ASSERT_NE(c.find(a), nullptr);
    EXPECT_EQ(*c.find(a), ra);
    EXPECT_EQ(*c.find(b), rb);
}

TEST_F(DepmodCache, AChangedFileIsNotFound) {
    std::string why;
    RecordCache c = load(why);
    Candidate touched = a;
    touched.mtime_nsec += 1;
    EXPECT_EQ(c.find(touched), nullptr);
    Candidate grown = b;
    grown.size += 1;
    EXPECT_EQ(c.find(grown), nullptr);
}

TEST_F(DepmodCache, AnAppendedSegmentWins) {
    Candidate a2 = a;
    a2.size = 11;
    ModuleRecord ra2 = record("sym_a2", "acpi*:X:*");
    auto text = util::read_file(path);
    ASSERT_TRUE(text);
    test::write_file(path, *text + RecordCache::serialize_segment({&a2}, {&ra2}));
    std::string why;
    RecordCache c = load(why);
    EXPECT_EQ(why, "");
    EXPECT_EQ(c.stored_entries(), 3u);
    EXPECT_EQ(c.find(a), nullptr);
    ASSERT_NE(c.find(a2), nullptr);
    EXPECT_EQ(*c.find(a2), ra2);
}

TEST_F(DepmodCache, ACacheOfAnotherDirectoryIsIgnored) {
    std::string why;
    RecordCache c = load(why, "/lib/modules/other");
    EXPECT_EQ(c.size(), 0u);
    EXPECT_FALSE(why.empty());
}

TEST_F(DepmodCache, TruncatedAtEveryLengthIsIgnoredNotTrusted) {
    auto full = util::read_file(path);
    ASSERT_TRUE(full);
    for (size_t n = 0; n < full->size(); ++n) {
        test::write_file(path, std::string_view(*full).substr(0, n));
        std::string why;
        RecordCache c = load(why);
        // The only segment is cut, so nothing of it may be used; a cut inside a segment is
        // reported (a cut right after the header is an empty cache, which is fine).
        EXPECT_EQ(c.size(), 0u) << "length " << n;
        if (n + 1 == full->size()) {
            EXPECT_FALSE(why.empty()) << "length " << n;
        }
    }
}

TEST_F(DepmodCache, EveryFlippedByteIsDetected) {
    auto full = util::read_file(path);
    ASSERT_TRUE(full);
    for (size_t i = 0; i < full->size(); ++i) {
        std::string bad = *full;
        bad[i] = static_cast<char>(bad[i] ^ 0x40);
        test::write_file(path, bad);
        std::string why;
        RecordCache c = load(why);
        const ModuleRecord* got = c.find(a);
        EXPECT_TRUE(got == nullptr || *got == ra) << "byte " << i;
        EXPECT_FALSE(why.empty() && c.size() != 2) << "byte " << i;
    }
}

} // namespace
} // namespace modkit::depmod
