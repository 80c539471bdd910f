// module/modversions: Linux 6.14's extended modversions (__version_ext_crcs/_names), merged
// with __versions, and every way the two tables can disagree. No distribution kernel enables
// CONFIG_EXTENDED_MODVERSIONS yet (Debian 6.12 and 7.2 do not), so the modules are built here.
#include "module/modversions.hpp"

#include "elf_builder.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace modkit::module {
namespace {

std::vector<uint8_t> with_ext(const std::string& crcs, const std::string& names,
                              bool basic = false) {
    test::ElfBuilder b;
    b.modinfo({"license=GPL"});
    if (basic) b.versions({{0x11, "short_one"}, {0x22, "only_basic"}});
    b.section("__version_ext_crcs", crcs, test::k_sht_progbits, elf::k_shf_alloc);
    b.section("__version_ext_names", names, test::k_sht_progbits, elf::k_shf_alloc);
    b.this_module("m");
    return b.build();
}

// The names read are views into the module's bytes, so the module outlives the test's use of
// them: it is kept until the next read.
std::optional<ModuleFile> g_module;

util::Expected<SymbolVersions> read(const std::vector<uint8_t>& bytes) {
    auto mod = ModuleFile::from_memory(util::Buffer(std::span<const uint8_t>(bytes)), "m.ko");
    EXPECT_TRUE(mod);
    g_module.emplace(std::move(*mod));
    return symbol_versions(*g_module);
}

TEST(ExtendedModversions, NamesOfAnyLengthWithTheirCrcs) {
    test::ElfBuilder b;
    std::string long_name(100, 'r'); // longer than __versions' 56 bytes: why they exist
    auto v = read(
        with_ext(b.u32(0x11) + b.u32(0x33), std::string("short_one\0", 10) + long_name + '\0'));
    ASSERT_TRUE(v) << v.error().describe();
    EXPECT_EQ(v->source, VersionSource::Extended);
    ASSERT_EQ(v->entries.size(), 2u);
    EXPECT_EQ(v->entries[1].name, long_name);
    EXPECT_EQ(v->entries[1].crc, 0x33u);
}

TEST(ExtendedModversions, BasicOnlyEntriesAreKeptApart) {
    test::ElfBuilder b;
    auto v = read(with_ext(b.u32(0x11), std::string("short_one\0", 10), true));
    ASSERT_TRUE(v);
    EXPECT_EQ(v->source, VersionSource::Both);
    ASSERT_EQ(v->basic_only.size(), 1u);
    EXPECT_EQ(v->basic_only[0].name, "only_basic");
}

TEST(ExtendedModversions, DisagreementsAreCorrupt) {
    test::ElfBuilder b;
    struct Case {
        std::string crcs, names;
    };
    for (const Case& c : {Case{b.u32(1) + b.u32(2), std::string("one\0", 4)},
                          Case{b.u32(1), std::string("one\0two\0", 8)}, Case{b.u32(1), "one"},
                          Case{b.u32(1) + "xy", std::string("one\0", 4)}}) {
        auto v = read(with_ext(c.crcs, c.names));
        ASSERT_FALSE(v);
        EXPECT_EQ(v.error().kind, util::ErrorKind::Corrupt);
        EXPECT_EQ(v.error().path, "m.ko");
    }
}

TEST(ExtendedModversions, TheLoaderIgnoresTablesWithoutSHF_ALLOC) {
    test::ElfBuilder b;
    b.modinfo({"license=GPL"});
    b.section("__version_ext_crcs", b.u32(1));
    b.section("__version_ext_names", std::string("one\0", 4));
    b.this_module("m");
    auto bytes = b.build();
    auto mod = ModuleFile::from_memory(util::Buffer(std::span<const uint8_t>(bytes)), "m.ko");
    ASSERT_TRUE(mod);
    EXPECT_EQ(symbol_versions(*mod, VersionView::Tools)->source, VersionSource::Extended);
    EXPECT_EQ(symbol_versions(*mod, VersionView::Loader)->source, VersionSource::None);
}

} // namespace
} // namespace modkit::module
