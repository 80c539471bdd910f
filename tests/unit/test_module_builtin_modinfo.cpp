// modules.builtin.modinfo: "modname.key=value" records; a lookup returns only the first
// contiguous run of a module's records (libkmod-builtin.c), and fails with ENOSYS when the
// module has none.
#include "module/builtin_modinfo.hpp"

#include "module/info.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace modkit::module {
namespace {

using Records = std::vector<std::string>;

Records strings(const util::Expected<std::vector<std::string_view>>& r) {
    EXPECT_TRUE(r) << r.error().describe();
    Records out;
    if (r)
        for (auto s : *r)
            out.emplace_back(s);
    return out;
}

using namespace std::string_literals;

const std::string k_data = "ext4.license=GPL\0ext4.alias=fs-ext4\0ext4.softdep=pre: crc32c\0"
                           "vfat.license=GPL\0ext4.late=1\0unix.alias=net-pf-1\0unix.flag\0"s;

TEST(BuiltinModinfo, LookupReturnsTheFirstRunOnly) {
    auto b = BuiltinModinfo::from_string(k_data, "modules.builtin.modinfo");
    EXPECT_EQ(strings(b.lookup("ext4")),
              (Records{"license=GPL", "alias=fs-ext4", "softdep=pre: crc32c"}));
    EXPECT_EQ(strings(b.lookup("vfat")), (Records{"license=GPL"}));
    EXPECT_EQ(strings(b.lookup("unix")), (Records{"alias=net-pf-1", "flag"}));
}

TEST(BuiltinModinfo, AbsentModuleIsEnosysNotFound) {
    auto b = BuiltinModinfo::from_string(k_data, "modules.builtin.modinfo");
    for (const char* name : {"ext", "ext44", "xfs", ""}) {
        auto r = b.lookup(name);
        ASSERT_FALSE(r) << name;
        EXPECT_EQ(r.error().kind, util::ErrorKind::NotFound);
        EXPECT_EQ(r.error().sys_errno, ENOSYS);
        EXPECT_EQ(r.error().path, "modules.builtin.modinfo");
    }
    auto empty = BuiltinModinfo::from_string("", "empty");
    EXPECT_EQ(empty.lookup("ext4").error().sys_errno, ENOSYS);
}

TEST(BuiltinModinfo, RecordWithoutModnameIsEinvalUnlessItEndsTheRun) {
    auto bad = BuiltinModinfo::from_string("nodot\0ext4.license=GPL\0"s, "f");
    auto r = bad.lookup("ext4");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, util::ErrorKind::Corrupt);
    EXPECT_EQ(r.error().sys_errno, EINVAL);
    EXPECT_EQ(r.error().message, "unexpected string without modname prefix");
    // After the wanted run has started, a bad record just ends it.
    auto after = BuiltinModinfo::from_string("ext4.a=1\0nodot\0ext4.b=2\0"s, "f");
    EXPECT_EQ(strings(after.lookup("ext4")), (Records{"a=1"}));
}

TEST(BuiltinModinfo, UnterminatedLastRecordCounts) {
    auto b = BuiltinModinfo::from_string("m.a=1", "f");
    EXPECT_EQ(strings(b.lookup("m")), (Records{"a=1"}));
}

TEST(BuiltinModinfo, ForEachVisitsEveryRecordInOrder) {
    auto b = BuiltinModinfo::from_string(k_data.substr(0, k_data.size() - 10), "f");
    std::vector<std::pair<std::string, std::string>> seen;
    auto r = b.for_each([&](std::string_view m, std::string_view kv) { seen.emplace_back(m, kv); });
    ASSERT_TRUE(r);
    EXPECT_EQ(seen,
              (std::vector<std::pair<std::string, std::string>>{{"ext4", "license=GPL"},
                                                                {"ext4", "alias=fs-ext4"},
                                                                {"ext4", "softdep=pre: crc32c"},
                                                                {"vfat", "license=GPL"},
                                                                {"ext4", "late=1"},
                                                                {"unix", "alias=net-pf-1"}}));
    auto bad = BuiltinModinfo::from_string("a.b=c\0oops\0"s, "f");
    auto e = bad.for_each([](std::string_view, std::string_view) {});
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().sys_errno, EINVAL);
}

TEST(BuiltinModinfo, OpenReadsTheFile) {
    test::TempDir dir;
    test::write_file(dir.file("modules.builtin.modinfo"), k_data);
    auto b = BuiltinModinfo::open(dir.file("modules.builtin.modinfo"));
    ASSERT_TRUE(b) << b.error().describe();
    EXPECT_EQ(strings(b->lookup("vfat")), (Records{"license=GPL"}));
    auto missing = BuiltinModinfo::open(dir.file("nope"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, util::ErrorKind::NotFound);
    EXPECT_EQ(missing.error().sys_errno, ENOENT);
}

TEST(BuiltinModinfo, InfoFromRecordsSplitsAtTheFirstEquals) {
    auto b = BuiltinModinfo::from_string(k_data, "f");
    auto recs = b.lookup("unix");
    ASSERT_TRUE(recs);
    auto info = info_from_records(*recs);
    ASSERT_EQ(info.size(), 2u);
    EXPECT_EQ(info[0].key, "alias");
    EXPECT_EQ(info[0].value, "net-pf-1");
    EXPECT_EQ(info[1].key, "flag");
    EXPECT_EQ(info[1].value, "");
    auto eq = info_from_records({"a=b=c"});
    EXPECT_EQ(eq[0].key, "a");
    EXPECT_EQ(eq[0].value, "b=c");
}

} // namespace
} // namespace modkit::module
