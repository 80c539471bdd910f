// elf::ElfFile: header and section-table parsing with libkmod's acceptance rules (ENOEXEC for
// non-ELF input, EINVAL for malformed headers), section lookup and symbol-table reads, in both
// classes and byte orders.
#include "elf/elf_file.hpp"

#include "elf_builder.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace modkit::elf {
namespace {

using test::ElfBuilder;
using test::ElfPatcher;
using util::Endian;
using util::MemorySource;

struct Parsed {
    std::vector<uint8_t> bytes;
    std::unique_ptr<MemorySource> source;
    util::Expected<ElfFile> elf;
};

std::unique_ptr<Parsed> parse(std::vector<uint8_t> bytes) {
    auto p = std::make_unique<Parsed>(Parsed{std::move(bytes), nullptr, util::fail(util::Error{})});
    p->source = std::make_unique<MemorySource>(p->bytes);
    p->elf = ElfFile::parse(*p->source, "test.ko");
    return p;
}

void expect_error(const util::Expected<ElfFile>& elf, int sys_errno, std::string_view message) {
    ASSERT_FALSE(elf.has_value());
    EXPECT_EQ(elf.error().kind, util::ErrorKind::Corrupt);
    EXPECT_EQ(elf.error().sys_errno, sys_errno);
    EXPECT_EQ(elf.error().path, "test.ko");
    EXPECT_EQ(elf.error().message, message);
}

class ElfFileFormats : public testing::TestWithParam<std::tuple<ElfClass, Endian>> {};

TEST_P(ElfFileFormats, HeaderAndSectionsAreRead) {
    auto [cls, endian] = GetParam();
    auto p = parse(test::sample_module(cls, endian).machine(0x1234).build());
    ASSERT_TRUE(p->elf) << p->elf.error().describe();
    const ElfFile& elf = *p->elf;
    EXPECT_EQ(elf.elf_class(), cls);
    EXPECT_EQ(elf.endian(), endian);
    EXPECT_EQ(elf.machine(), 0x1234);
    EXPECT_EQ(elf.word_size(), cls == ElfClass::Elf64 ? 8u : 4u);
    EXPECT_EQ(elf.file_size(), p->bytes.size());

    const std::vector<std::string_view> names = {"",
                                                 ".text",
                                                 ".modinfo",
                                                 "__ksymtab_strings",
                                                 "__kcrctab",
                                                 "__versions",
                                                 ".gnu.linkonce.this_module",
                                                 ".symtab",
                                                 ".strtab",
                                                 ".shstrtab"};
    ASSERT_EQ(elf.sections().size(), names.size());
    for (size_t i = 1; i < names.size(); ++i) {
        const Section& s = elf.sections()[i];
        EXPECT_EQ(s.index, i);
        EXPECT_EQ(s.name, names[i]);
        EXPECT_TRUE(s.name_ok);
        EXPECT_TRUE(s.data_ok);
    }
    EXPECT_EQ(elf.sections()[5].flags, k_shf_alloc);
    EXPECT_EQ(elf.sections()[1].flags, 0x6u);

    auto crcs = elf.section_data("__kcrctab");
    ASSERT_TRUE(crcs);
    EXPECT_EQ(crcs->size(), 8u);
    EXPECT_EQ(crcs->endian(), endian);
    EXPECT_EQ(crcs->u32(0), 0x11111111u);
    EXPECT_EQ(crcs->u32(4), 0x2BAD5EEDu);
    EXPECT_EQ(elf.section_data("missing"), std::nullopt);
    EXPECT_EQ(elf.find("missing"), nullptr);
    ASSERT_NE(elf.find(".modinfo"), nullptr);
    EXPECT_EQ(elf.find(".modinfo")->index, 2);
}

TEST_P(ElfFileFormats, SymbolsAreDecodedForTheClass) {
    auto [cls, endian] = GetParam();
    auto p = parse(test::sample_module(cls, endian).build());
    ASSERT_TRUE(p->elf);
    auto table = p->elf->symbol_table();
    ASSERT_TRUE(table);
    EXPECT_EQ(table->count, 9u); // null symbol + 8
    EXPECT_EQ(table->entry_size, cls == ElfClass::Elf64 ? 24u : 16u);

    auto file = p->elf->symbol(*table, 1);
    ASSERT_TRUE(file);
    EXPECT_EQ(file->name, "sample.c");
    EXPECT_EQ(file->shndx, k_shn_abs);
    EXPECT_EQ(file->bind(), k_stb_local);
    EXPECT_EQ(file->type(), 4);

    auto crc = p->elf->symbol(*table, 2);
    ASSERT_TRUE(crc);
    EXPECT_EQ(crc->name, "__crc_sample_hello");
    EXPECT_EQ(crc->value, 0xCAFEBABEu);
    EXPECT_EQ(crc->bind(), k_stb_global);

    auto rel = p->elf->symbol(*table, 3);
    ASSERT_TRUE(rel);
    EXPECT_EQ(rel->shndx, 4); // __kcrctab
    EXPECT_EQ(rel->value, 4u);

    auto weak = p->elf->symbol(*table, 6);
    ASSERT_TRUE(weak);
    EXPECT_EQ(weak->name, "sample_optional");
    EXPECT_EQ(weak->shndx, k_shn_undef);
    EXPECT_EQ(weak->bind(), k_stb_weak);

    uint32_t name_off = 99;
    Symbol raw;
    EXPECT_TRUE(p->elf->symbol_raw(*table, 2, name_off, raw));
    EXPECT_EQ(name_off, 10u); // "\0sample.c\0" precedes it
    EXPECT_FALSE(p->elf->symbol_raw(*table, 9, name_off, raw));
    EXPECT_EQ(p->elf->symbol(*table, 9), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(AllFormats, ElfFileFormats,
                         testing::Combine(testing::Values(ElfClass::Elf32, ElfClass::Elf64),
                                          testing::Values(Endian::Little, Endian::Big)));

TEST(ElfFile, NotElfIsEnoexec) {
    auto p = parse(test::to_bytes("this is not an ELF file at all, just text"));
    expect_error(p->elf, ENOEXEC, "not an ELF file");
}

TEST(ElfFile, ElfMagicWithoutFullIdentIsEnoexec) {
    // libkmod: a file of EI_NIDENT (16) bytes or less is not ELF, whatever its magic.
    std::vector<uint8_t> bytes = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    expect_error(parse(bytes)->elf, ENOEXEC, "not an ELF file");
    expect_error(parse({0x7f, 'E', 'L'})->elf, ENOEXEC, "not an ELF file");
    expect_error(parse({})->elf, ENOEXEC, "not an ELF file");
}

TEST(ElfFile, UnknownClassIsEinval) {
    for (uint8_t cls : {0, 3, 0xff}) {
        auto bytes = test::sample_module().build();
        bytes[4] = cls;
        expect_error(parse(bytes)->elf, EINVAL, "unknown ELF class");
    }
}

TEST(ElfFile, UnknownByteOrderIsEinval) {
    for (uint8_t data : {0, 3, 0xff}) {
        auto bytes = test::sample_module().build();
        bytes[5] = data;
        expect_error(parse(bytes)->elf, EINVAL, "unknown ELF byte order");
    }
}

TEST(ElfFile, TruncatedHeaderIsEinval) {
    // The file must be strictly larger than the ELF header (64 or 52 bytes), as in libkmod.
    auto bytes64 = test::sample_module(ElfClass::Elf64).build();
    bytes64.resize(64);
    expect_error(parse(bytes64)->elf, EINVAL, "truncated ELF header");
    bytes64.resize(17);
    expect_error(parse(bytes64)->elf, EINVAL, "truncated ELF header");

    auto bytes32 = test::sample_module(ElfClass::Elf32).build();
    bytes32.resize(52);
    expect_error(parse(bytes32)->elf, EINVAL, "truncated ELF header");
    bytes32.resize(53); // long enough for the header; the section table is gone
    expect_error(parse(bytes32)->elf, EINVAL, "file is too short to hold the section headers");
}

TEST(ElfFile, BadShentsizeIsEinval) {
    for (auto cls : {ElfClass::Elf32, ElfClass::Elf64}) {
        auto bytes = test::sample_module(cls).build();
        ElfPatcher(bytes).shentsize(cls == ElfClass::Elf64 ? 40 : 64);
        expect_error(parse(bytes)->elf, EINVAL, "unexpected section header size");
        ElfPatcher(bytes).shentsize(0);
        expect_error(parse(bytes)->elf, EINVAL, "unexpected section header size");
    }
}

TEST(ElfFile, SectionTableOutOfBoundsIsEinval) {
    auto good = test::sample_module(ElfClass::Elf64, Endian::Big).build();
    const char* msg = "file is too short to hold the section headers";
    {
        auto bytes = good;
        ElfPatcher(bytes).shoff(bytes.size() - 10);
        expect_error(parse(bytes)->elf, EINVAL, msg);
    }
    {
        auto bytes = good;
        ElfPatcher(bytes).shoff(std::numeric_limits<uint64_t>::max() - 8); // offset + size wraps
        expect_error(parse(bytes)->elf, EINVAL, msg);
    }
    {
        auto bytes = good;
        ElfPatcher p(bytes);
        p.shnum(static_cast<uint16_t>(p.shnum() + 1));
        expect_error(parse(bytes)->elf, EINVAL, msg);
    }
    {
        auto bytes = good;
        ElfPatcher(bytes).shnum(0xffff);
        expect_error(parse(bytes)->elf, EINVAL, msg);
    }
}

TEST(ElfFile, TruncatedSectionTableIsEinval) {
    auto bytes = test::sample_module(ElfClass::Elf32).build();
    bytes.pop_back(); // the section table is the last thing in the file
    expect_error(parse(bytes)->elf, EINVAL, "file is too short to hold the section headers");
}

TEST(ElfFile, MissingSectionNameTableIsEinval) {
    for (uint16_t ndx : {0, 10, 0xffff}) {
        auto bytes = test::sample_module().build();
        ElfPatcher(bytes).shstrndx(ndx);
        expect_error(parse(bytes)->elf, EINVAL, "no section-name table");
    }
}

TEST(ElfFile, SectionNameTableOutOfBoundsIsEinval) {
    auto bytes = test::sample_module().build();
    ElfPatcher p(bytes);
    p.section_size(p.shstrndx(), bytes.size());
    expect_error(parse(bytes)->elf, EINVAL, "section-name table out of bounds");
    p.section_size(p.shstrndx(), 4);
    p.section_offset(p.shstrndx(), std::numeric_limits<uint64_t>::max() - 1);
    expect_error(parse(bytes)->elf, EINVAL, "section-name table out of bounds");
}

TEST(ElfFile, ShstrtabNotNulTerminatedIsEinval) {
    auto bytes = test::sample_module(ElfClass::Elf32, Endian::Big).build();
    ElfPatcher p(bytes);
    uint16_t ndx = p.shstrndx();
    bytes[p.section_offset(ndx) + p.section_size(ndx) - 1] = 'x';
    expect_error(parse(bytes)->elf, EINVAL, "section-name table does not end with NUL");
}

TEST(ElfFile, EmptyShstrtabIsEinval) {
    auto bytes = test::sample_module().build();
    ElfPatcher p(bytes);
    p.section_size(p.shstrndx(), 0);
    expect_error(parse(bytes)->elf, EINVAL, "section-name table does not end with NUL");
}

TEST(ElfFile, FindSkipsSectionsWhoseDataIsOutOfBounds) {
    ElfBuilder b;
    b.section(".modinfo", std::string("first=1\0", 8));
    b.section(".modinfo", std::string("second=2\0", 9));
    auto bytes = b.build();
    ElfPatcher(bytes).section_size(1, bytes.size()); // offset + size past the end
    auto p = parse(bytes);
    ASSERT_TRUE(p->elf);
    EXPECT_FALSE(p->elf->sections()[1].data_ok);
    const Section* s = p->elf->find(".modinfo");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->index, 2);
    EXPECT_EQ(p->elf->section_data(".modinfo")->chars(), std::string_view("second=2\0", 9));
}

TEST(ElfFile, FindTakesTheFirstValidSectionOfAName) {
    ElfBuilder b;
    b.section("dup", "one");
    b.section("dup", "two");
    auto p = parse(b.build());
    ASSERT_TRUE(p->elf);
    EXPECT_EQ(p->elf->find("dup")->index, 1);
    EXPECT_EQ(p->elf->section_data("dup")->chars(), "one");
}

TEST(ElfFile, SectionNameOffsetOutOfRangeLeavesItUnnamed) {
    auto bytes = test::sample_module().build();
    ElfPatcher(bytes).section_name(2, 100000); // .modinfo
    auto p = parse(bytes);
    ASSERT_TRUE(p->elf);
    EXPECT_FALSE(p->elf->sections()[2].name_ok);
    EXPECT_EQ(p->elf->sections()[2].name, "");
    EXPECT_EQ(p->elf->find(".modinfo"), nullptr);
    EXPECT_NE(p->elf->find(".text"), nullptr);
}

TEST(ElfFile, SectionZeroIsNeverFound) {
    // Give section 0 the name and data of a ".modinfo": lookups start at index 1.
    ElfBuilder b;
    b.section(".other", "x=y");
    auto bytes = b.build();
    ElfPatcher p(bytes);
    p.section_name(0, 1); // ".other"
    p.section_offset(0, p.section_offset(1));
    p.section_size(0, 3);
    auto parsed = parse(bytes);
    ASSERT_TRUE(parsed->elf);
    EXPECT_EQ(parsed->elf->find(".other")->index, 1);
    p.section_name(1, 0); // "" for section 1 now
    parsed = parse(bytes);
    ASSERT_TRUE(parsed->elf);
    EXPECT_EQ(parsed->elf->find(".other"), nullptr);
}

TEST(ElfFile, SymbolTableWithBadSizeIsUnusable) {
    auto bytes = test::sample_module().build();
    ElfBuilder b = test::sample_module();
    ElfPatcher p(bytes);
    uint16_t symtab = b.index_of(".symtab");
    p.section_size(symtab, p.section_size(symtab) - 1);
    auto parsed = parse(bytes);
    ASSERT_TRUE(parsed->elf);
    EXPECT_EQ(parsed->elf->symbol_table(), std::nullopt);
}

TEST(ElfFile, SymbolTableNeedsStrtab) {
    auto bytes = test::sample_module().build();
    ElfPatcher p(bytes);
    p.section_name(test::sample_module().index_of(".strtab"), 1); // rename it ".text"
    auto parsed = parse(bytes);
    ASSERT_TRUE(parsed->elf);
    EXPECT_EQ(parsed->elf->symbol_table(), std::nullopt);
}

TEST(ElfFile, SymbolNameOutsideStrtabIsNullopt) {
    ElfBuilder b;
    auto bad = test::sym_undef("x");
    bad.name_offset = 1000;
    b.symbols({test::sym_undef("ok"), bad});
    auto p = parse(b.build());
    ASSERT_TRUE(p->elf);
    auto table = p->elf->symbol_table();
    ASSERT_TRUE(table);
    EXPECT_EQ(p->elf->symbol(*table, 1)->name, "ok");
    EXPECT_EQ(p->elf->symbol(*table, 2), std::nullopt);
    uint32_t off = 0;
    Symbol raw;
    EXPECT_TRUE(p->elf->symbol_raw(*table, 2, off, raw));
    EXPECT_EQ(off, 1000u);
}

TEST(ElfFile, UnterminatedSymbolNameIsNullopt) {
    ElfBuilder b;
    b.symbols({test::sym_undef("last")});
    auto bytes = b.build();
    ElfPatcher p(bytes);
    uint16_t strtab = b.index_of(".strtab");
    // Drop the final NUL of "last" from .strtab's size.
    p.section_size(strtab, p.section_size(strtab) - 1);
    auto parsed = parse(bytes);
    ASSERT_TRUE(parsed->elf);
    auto table = parsed->elf->symbol_table();
    ASSERT_TRUE(table);
    EXPECT_EQ(parsed->elf->symbol(*table, 1), std::nullopt);
}

} // namespace
} // namespace modkit::elf
