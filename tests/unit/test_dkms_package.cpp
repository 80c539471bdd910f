// The package actions' helpers: Debian names and architectures, dates, sh quoting, the
// staging directory (published together, nothing left behind) and the action table.
#include "dkms/package.hpp"
#include "dkms/package_deb.hpp"
#include "test_support.hpp"
#include "util/fs.hpp"

#include <gtest/gtest.h>

namespace modkit::dkms::package {
namespace {

TEST(DkmsPackage, DebianNamesAndArchitectures) {
    EXPECT_EQ(debian_name("acpi_call"), "acpi-call");
    EXPECT_EQ(debian_name("NVIDIA_x"), "nvidia-x");
    EXPECT_EQ(debian_arch("x86_64"), "amd64");
    EXPECT_EQ(debian_arch("aarch64"), "arm64");
    EXPECT_EQ(debian_arch("i686"), "i386");
    EXPECT_EQ(debian_arch("ppc64le"), "ppc64el");
    EXPECT_EQ(debian_arch("vax"), "");
}

TEST(DkmsPackage, Dates) {
    EXPECT_EQ(rfc2822_date(1700000000), "Tue, 14 Nov 2023 22:13:20 +0000");
    EXPECT_EQ(rpm_changelog_date(1700000000), "Tue Nov 14 2023");
}

TEST(DkmsPackage, ShellWords) {
    EXPECT_EQ(shell_word("v4l2loopback"), "v4l2loopback");
    EXPECT_EQ(shell_word("6.1.0-50-amd64"), "6.1.0-50-amd64");
    EXPECT_EQ(shell_word("a b"), "'a b'");
    EXPECT_EQ(shell_word("it's"), "'it'\\''s'");
    EXPECT_EQ(shell_word(""), "''");
}

TEST(DkmsPackage, ActionNames) {
    EXPECT_EQ(package_kind("mkbmdeb"), PackageKind::BinaryDeb);
    EXPECT_EQ(package_kind("mkdeb"), PackageKind::Deb);
    EXPECT_EQ(package_kind("mkdsc"), PackageKind::Dsc);
    EXPECT_EQ(package_kind("mkrpm"), PackageKind::Rpm);
    EXPECT_FALSE(package_kind("mkkmp").has_value()); // not implemented
    EXPECT_FALSE(package_kind("mktarball").has_value());
}

TEST(DkmsPackage, StagingPublishesTogetherAndCleansUp) {
    test::TempDir dir;
    std::string out = dir.file("out");
    std::string staged;
    {
        auto s = Staging::create(out);
        ASSERT_TRUE(s);
        staged = s->dir();
        ASSERT_TRUE(s->put_text("", "/a.deb", "A", 0644));
        ASSERT_TRUE(s->put_text("", "/b.deb", "B", 0644));
        ASSERT_TRUE(s->put_text("root", "/x/y/z", "Z", 0644));
        EXPECT_FALSE(util::path_exists(out + "/a.deb"));
        ASSERT_TRUE(s->publish({"a.deb", "b.deb"}));
    }
    EXPECT_TRUE(util::is_regular_file(out + "/a.deb"));
    EXPECT_TRUE(util::is_regular_file(out + "/b.deb"));
    EXPECT_FALSE(util::path_exists(staged)); // the rest went with the staging directory
}

TEST(DkmsPackage, StagingPublishIsAllOrNothing) {
    test::TempDir dir;
    std::string out = dir.file("out");
    auto s = Staging::create(out);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->put_text("", "/a.deb", "A", 0644));
    // b.deb was never made: a.deb must not stay published alone.
    EXPECT_FALSE(s->publish({"a.deb", "b.deb"}));
    EXPECT_FALSE(util::path_exists(out + "/a.deb"));
}

} // namespace
} // namespace modkit::dkms::package
