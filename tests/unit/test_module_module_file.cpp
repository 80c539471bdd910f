// module::ModuleFile: libkmod's extraction rules for .modinfo, exports, imports, __versions,
// the this_module name and vermagic; stripping for forced loads; opening from memory and from
// disk (whole or on demand, compressed or not) with identical answers; and open errors.
#include "module/module_file.hpp"
#include "module/names.hpp"

#include "elf_builder.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace modkit::module {
namespace {

using elf::ElfClass;
using test::ElfBuilder;
using test::ElfPatcher;
using util::Endian;

ModuleFile open_bytes(const std::vector<uint8_t>& bytes) {
    auto mod = ModuleFile::from_memory(util::Buffer(bytes), "test.ko");
    EXPECT_TRUE(mod) << mod.error().describe();
    return std::move(*mod);
}

std::vector<std::pair<std::string, std::string>> pairs(const std::vector<ModinfoEntry>& v) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& e : v)
        out.emplace_back(e.key, e.value);
    return out;
}

ModuleFile module_with_modinfo(std::string raw) {
    ElfBuilder b;
    b.section(".modinfo", std::move(raw));
    return open_bytes(b.build());
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Export {
    std::string name;
    uint64_t crc;
    SymbolBind bind;
    bool operator==(const Export&) const = default;
};
std::vector<Export> exports_of(const ModuleFile& m) {
    std::vector<Export> out;
    for (const auto& e : m.exports())
        out.push_back({std::string(e.name), e.crc, e.bind});
    return out;
}

struct Import {
    std::string name;
    uint64_t crc;
    bool weak;
    bool operator==(const Import&) const = default;
};
std::vector<Import> imports_of(const ModuleFile& m) {
    auto imps = m.imports();
    EXPECT_TRUE(imps) << imps.error().describe();
    std::vector<Import> out;
    if (imps)
        for (const auto& i : *imps)
            out.push_back({std::string(i.name), i.crc, i.weak});
    return out;
}

void PrintTo(const Export& e, std::ostream* os) {
    *os << e.name << "/" << std::hex << e.crc << "/" << static_cast<int>(e.bind);
}
void PrintTo(const Import& i, std::ostream* os) {
    *os << i.name << "/" << std::hex << i.crc << (i.weak ? "/weak" : "");
}

// ---------------------------------------------------------------------------------------------
// The sample module in every class and byte order.

class ModuleFileFormats : public testing::TestWithParam<std::tuple<ElfClass, Endian>> {};

TEST_P(ModuleFileFormats, SampleModuleQueries) {
    auto [cls, endian] = GetParam();
    ModuleFile mod = open_bytes(test::sample_module(cls, endian).build());
    EXPECT_EQ(mod.compression(), Compression::None);
    EXPECT_EQ(mod.path(), "test.ko");

    auto info = mod.modinfo();
    ASSERT_TRUE(info);
    EXPECT_EQ(pairs(*info),
              (Pairs{{"license", "GPL"},
                     {"description", "Sample module"},
                     {"author", "Modkit Tests"},
                     {"alias", "pci:v00008086d*sv*"},
                     {"depends", ""},
                     {"intree", "Y"},
                     {"name", "sample"},
                     {"vermagic", "6.1.0-test SMP preempt mod_unload modversions "}}));
    EXPECT_EQ(mod.vermagic(), "6.1.0-test SMP preempt mod_unload modversions ");

    EXPECT_EQ(exports_of(mod),
              (std::vector<Export>{{"sample_hello", 0xCAFEBABE, SymbolBind::Global},
                                   {"sample_value", 0x2BAD5EED, SymbolBind::Global},
                                   {"sample_weak", 0x0BADF00D, SymbolBind::Weak}}));

    EXPECT_EQ(imports_of(mod), (std::vector<Import>{{"_printk", 0x92997ED8, false},
                                                    {"sample_optional", 0, true},
                                                    {"sample_dep_fn", 0x1234ABCD, false},
                                                    {"module_layout", 0x6C1F4D5E, false}}));

    auto vers = mod.versions();
    ASSERT_TRUE(vers);
    ASSERT_EQ(vers->size(), 3u);
    EXPECT_EQ((*vers)[0].name, "module_layout");
    EXPECT_EQ((*vers)[0].crc, 0x6C1F4D5Eu);
    EXPECT_EQ((*vers)[1].name, "_printk");
    EXPECT_EQ((*vers)[1].crc, 0x92997ED8u);
    EXPECT_EQ((*vers)[2].name, "sample_dep_fn");
    EXPECT_EQ((*vers)[2].crc, 0x1234ABCDu);

    EXPECT_EQ(mod.this_module_name(), "sample");
    EXPECT_EQ(mod.signature(), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(AllFormats, ModuleFileFormats,
                         testing::Combine(testing::Values(ElfClass::Elf32, ElfClass::Elf64),
                                          testing::Values(Endian::Little, Endian::Big)));

// ---------------------------------------------------------------------------------------------
// .modinfo string splitting (libkmod's kmod_elf_get_strings).

TEST(ModuleFileModinfo, LeadingNulPaddingIsSkipped) {
    auto mod = module_with_modinfo(std::string("\0\0\0license=GPL\0", 15));
    EXPECT_EQ(pairs(*mod.modinfo()), (Pairs{{"license", "GPL"}}));
}

TEST(ModuleFileModinfo, RunsOfNulsCollapse) {
    auto mod = module_with_modinfo(std::string("a=1\0\0\0\0b=2\0\0c=3\0\0", 17));
    EXPECT_EQ(pairs(*mod.modinfo()), (Pairs{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
}

TEST(ModuleFileModinfo, LastUnterminatedStringIsKept) {
    auto mod = module_with_modinfo(std::string("a=1\0last=x", 10));
    EXPECT_EQ(pairs(*mod.modinfo()), (Pairs{{"a", "1"}, {"last", "x"}}));
}

TEST(ModuleFileModinfo, KeyWithoutEqualsHasEmptyValue) {
    auto mod = module_with_modinfo(std::string("flag\0a=b=c\0=v\0", 15));
    EXPECT_EQ(pairs(*mod.modinfo()), (Pairs{{"flag", ""}, {"a", "b=c"}, {"", "v"}}));
}

TEST(ModuleFileModinfo, NulsOnlyOrOneByteAfterPaddingIsEmpty) {
    // libkmod returns no strings when at most one byte is left after the padding.
    for (std::string raw :
         {std::string("\0\0\0", 3), std::string("a"), std::string("\0\0a", 3), std::string()}) {
        auto mod = module_with_modinfo(raw);
        auto info = mod.modinfo();
        ASSERT_TRUE(info);
        EXPECT_TRUE(info->empty()) << "raw size " << raw.size();
    }
    auto two = module_with_modinfo("ab");
    EXPECT_EQ(pairs(*two.modinfo()), (Pairs{{"ab", ""}}));
}

TEST(ModuleFileModinfo, MissingSectionIsEnoent) {
    ElfBuilder b;
    b.section(".text", "x");
    auto mod = open_bytes(b.build());
    auto info = mod.modinfo();
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().kind, util::ErrorKind::NotFound);
    EXPECT_EQ(info.error().sys_errno, ENOENT);
    EXPECT_EQ(info.error().message, "no .modinfo section");
    EXPECT_EQ(info.error().path, "test.ko");
    EXPECT_EQ(mod.vermagic(), std::nullopt);
}

TEST(ModuleFileModinfo, VermagicIsTheFirstVermagicValue) {
    auto mod = module_with_modinfo(std::string("vermagic=one\0vermagic=two\0", 26));
    EXPECT_EQ(mod.vermagic(), "one");
    EXPECT_EQ(module_with_modinfo(std::string("license=GPL\0", 12)).vermagic(), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// Exports (kmod_elf_get_symbols).

TEST(ModuleFileExports, SectionRelativeCrcOutsideTheSectionIsAllOnes) {
    ElfBuilder b;
    b.section("__kcrctab", b.u32(1) + b.u32(2)); // 8 bytes: offsets 0..4 are readable
    auto bad_index = test::sym_abs("__crc_bad_index", 0);
    bad_index.shndx = 200;
    b.symbols({test::sym_in("__crc_at_end", "__kcrctab", 4),
               test::sym_in("__crc_past_end", "__kcrctab", 5),
               test::sym_in("__crc_far", "__kcrctab", 0xFFFFFFFF), bad_index});
    EXPECT_EQ(exports_of(open_bytes(b.build())),
              (std::vector<Export>{{"at_end", 2, SymbolBind::Global},
                                   {"past_end", UINT64_MAX, SymbolBind::Global},
                                   {"far", UINT64_MAX, SymbolBind::Global},
                                   {"bad_index", UINT64_MAX, SymbolBind::Global}}));
}

TEST(ModuleFileExports, CrcInSectionWithDataOutOfBoundsIsAllOnes) {
    ElfBuilder b;
    b.section("__kcrctab", b.u32(7));
    b.symbols({test::sym_in("__crc_x", "__kcrctab", 0)});
    auto bytes = b.build();
    ElfPatcher(bytes).section_offset(1, bytes.size());
    EXPECT_EQ(exports_of(open_bytes(bytes)),
              (std::vector<Export>{{"x", UINT64_MAX, SymbolBind::Global}}));
}

TEST(ModuleFileExports, BigEndianSectionRelativeCrc) {
    ElfBuilder b(ElfClass::Elf32, Endian::Big);
    b.section("__kcrctab", std::string("\x12\x34\x56\x78", 4));
    b.symbols({test::sym_in("__crc_be", "__kcrctab", 0)});
    EXPECT_EQ(exports_of(open_bytes(b.build())),
              (std::vector<Export>{{"be", 0x12345678, SymbolBind::Global}}));
}

TEST(ModuleFileExports, BindIsMappedLikeLibkmod) {
    ElfBuilder b;
    b.symbols({test::sym_abs("__crc_l", 1, elf::k_stb_local),
               test::sym_abs("__crc_g", 2, elf::k_stb_global),
               test::sym_abs("__crc_w", 3, elf::k_stb_weak),
               test::sym_abs("__crc_u", 4, 10 /* STB_GNU_UNIQUE */),
               test::sym_undef("__crc_undef")});
    EXPECT_EQ(exports_of(open_bytes(b.build())),
              (std::vector<Export>{{"l", 1, SymbolBind::Local},
                                   {"g", 2, SymbolBind::Global},
                                   {"w", 3, SymbolBind::Weak},
                                   {"u", 4, SymbolBind::None},
                                   {"undef", 0, SymbolBind::Global}}));
}

TEST(ModuleFileExports, WithoutCrcSymbolsTheNamesComeFromKsymtabStrings) {
    ElfBuilder b;
    b.section("__ksymtab_strings", std::string("\0\0first\0\0second\0third", 22));
    b.symbols({test::sym_undef("printk"), test::sym_abs("not_a_crc", 5)});
    EXPECT_EQ(exports_of(open_bytes(b.build())),
              (std::vector<Export>{{"first", 0, SymbolBind::Global},
                                   {"second", 0, SymbolBind::Global},
                                   {"third", 0, SymbolBind::Global}}));
}

TEST(ModuleFileExports, NameOffsetOutsideStrtabFallsBackToKsymtabStrings) {
    // libkmod gives up on .symtab as soon as one name offset is out of range, even after it
    // has seen __crc_ symbols.
    ElfBuilder b;
    b.ksymtab_strings({"from_strings"});
    auto bad = test::sym_undef("whatever");
    bad.name_offset = 0x7fffffff;
    b.symbols({test::sym_abs("__crc_good", 1), bad});
    EXPECT_EQ(exports_of(open_bytes(b.build())),
              (std::vector<Export>{{"from_strings", 0, SymbolBind::Global}}));
}

TEST(ModuleFileExports, SymtabWithBadSizeFallsBack) {
    ElfBuilder b;
    b.ksymtab_strings({"s"});
    b.symbols({test::sym_abs("__crc_good", 1)});
    auto bytes = b.build();
    ElfPatcher p(bytes);
    uint16_t symtab = b.index_of(".symtab");
    p.section_size(symtab, p.section_size(symtab) - 2);
    EXPECT_EQ(exports_of(open_bytes(bytes)), (std::vector<Export>{{"s", 0, SymbolBind::Global}}));
}

TEST(ModuleFileExports, NoSymbolsAndNoKsymtabStringsIsEmpty) {
    ElfBuilder b;
    b.section(".text", "x");
    EXPECT_TRUE(open_bytes(b.build()).exports().empty());
    ElfBuilder c;
    c.symbols({test::sym_undef("printk")});
    EXPECT_TRUE(open_bytes(c.build()).exports().empty());
}

// ---------------------------------------------------------------------------------------------
// Imports (kmod_elf_get_dependency_symbols) and __versions.

TEST(ModuleFileImports, WithoutVersionsCrcsAreZero) {
    ElfBuilder b;
    b.symbols({test::sym_undef("a"), test::sym_abs("defined", 1), test::sym_undef("b", 2)});
    EXPECT_EQ(imports_of(open_bytes(b.build())),
              (std::vector<Import>{{"a", 0, false}, {"b", 0, true}}));
}

TEST(ModuleFileImports, VersionsWithBadSizeAreIgnored) {
    ElfBuilder b;
    b.versions({{0x11, "a"}, {0x22, "unused"}});
    b.symbols({test::sym_undef("a")});
    auto bytes = b.build();
    ElfPatcher(bytes).section_size(b.index_of("__versions"), 100);
    EXPECT_EQ(imports_of(open_bytes(bytes)), (std::vector<Import>{{"a", 0, false}}));
}

TEST(ModuleFileImports, UnvisitedVersionsFollowInTableOrder) {
    ElfBuilder b;
    b.versions({{0x1, "module_layout"}, {0x2, "used"}, {0x3, ".dotted"}, {0x4, "used"}});
    b.symbols({test::sym_undef("used")});
    // The first matching entry is the one visited; a dotted name stays as stored here.
    EXPECT_EQ(imports_of(open_bytes(b.build())), (std::vector<Import>{{"used", 0x2, false},
                                                                      {"module_layout", 0x1, false},
                                                                      {".dotted", 0x3, false},
                                                                      {"used", 0x4, false}}));
}

TEST(ModuleFileImports, EmptyNamedUndefinedSymbolsAreSkipped) {
    ElfBuilder b;
    auto empty = test::sym_undef("");
    b.symbols({empty, test::sym_undef("real")});
    EXPECT_EQ(imports_of(open_bytes(b.build())), (std::vector<Import>{{"real", 0, false}}));
}

TEST(ModuleFileImports, UndefinedNameOutsideStrtabIsEinval) {
    ElfBuilder b;
    auto bad = test::sym_undef("x");
    bad.name_offset = 5000;
    b.symbols({test::sym_undef("ok"), bad});
    auto mod_imps = open_bytes(b.build());
    auto imps = mod_imps.imports();
    ASSERT_FALSE(imps);
    EXPECT_EQ(imps.error().kind, util::ErrorKind::Corrupt);
    EXPECT_EQ(imps.error().sys_errno, EINVAL);
    EXPECT_EQ(imps.error().message, "symbol name out of .strtab");
}

TEST(ModuleFileImports, DefinedSymbolWithBadNameIsIgnored) {
    ElfBuilder b;
    auto bad = test::sym_abs("x", 1);
    bad.name_offset = 5000;
    b.symbols({bad, test::sym_undef("ok")});
    EXPECT_EQ(imports_of(open_bytes(b.build())), (std::vector<Import>{{"ok", 0, false}}));
}

TEST(ModuleFileImports, NoSymbolTableIsEinval) {
    ElfBuilder b;
    b.versions({{1, "module_layout"}});
    auto mod_imps = open_bytes(b.build());
    auto imps = mod_imps.imports();
    ASSERT_FALSE(imps);
    EXPECT_EQ(imps.error().sys_errno, EINVAL);
    EXPECT_EQ(imps.error().message, "no usable .symtab/.strtab");
}

TEST(ModuleFileImports, SparcRegisterSymbolsAreNotImports) {
    for (uint16_t machine : {uint16_t{2}, uint16_t{43}, uint16_t{62}}) {
        ElfBuilder b(ElfClass::Elf64, Endian::Big);
        b.machine(machine);
        auto reg = test::sym_undef("%g7");
        reg.type = elf::k_stt_register;
        b.symbols({reg, test::sym_undef("printk")});
        auto imps = imports_of(open_bytes(b.build()));
        if (machine == 62)
            EXPECT_EQ(imps, (std::vector<Import>{{"%g7", 0, false}, {"printk", 0, false}}));
        else
            EXPECT_EQ(imps, (std::vector<Import>{{"printk", 0, false}})) << machine;
    }
}

TEST(ModuleFileVersions, Elf32EntriesHaveFourByteCrcs) {
    ElfBuilder b(ElfClass::Elf32, Endian::Big);
    b.versions({{0xDEADBEEF, "module_layout"}, {0x01020304, ".dot_symbol"}});
    auto mod_vers = open_bytes(b.build());
    auto vers = mod_vers.versions();
    ASSERT_TRUE(vers);
    ASSERT_EQ(vers->size(), 2u);
    EXPECT_EQ((*vers)[0].crc, 0xDEADBEEFu);
    EXPECT_EQ((*vers)[0].name, "module_layout");
    EXPECT_EQ((*vers)[1].crc, 0x01020304u);
    EXPECT_EQ((*vers)[1].name, "dot_symbol"); // ppc64 dot symbols lose the dot
}

TEST(ModuleFileVersions, SizeNotMultipleOf64IsEinval) {
    ElfBuilder b;
    b.section("__versions", std::string(100, '\0'));
    auto mod_vers = open_bytes(b.build());
    auto vers = mod_vers.versions();
    ASSERT_FALSE(vers);
    EXPECT_EQ(vers.error().kind, util::ErrorKind::Corrupt);
    EXPECT_EQ(vers.error().sys_errno, EINVAL);
    EXPECT_EQ(vers.error().message, "__versions has a bad size");
}

TEST(ModuleFileVersions, MissingIsEnoentAndEmptyIsEmpty) {
    ElfBuilder b;
    b.section(".text", "x");
    auto mod_vers = open_bytes(b.build());
    auto vers = mod_vers.versions();
    ASSERT_FALSE(vers);
    EXPECT_EQ(vers.error().kind, util::ErrorKind::NotFound);
    EXPECT_EQ(vers.error().sys_errno, ENOENT);
    EXPECT_EQ(vers.error().message, "no __versions section");

    ElfBuilder e;
    e.section("__versions", "");
    auto mod_empty = open_bytes(e.build());
    auto empty = mod_empty.versions();
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}

// ---------------------------------------------------------------------------------------------
// .gnu.linkonce.this_module

TEST(ModuleFileThisModule, NameIsAtThreeWords) {
    for (auto cls : {ElfClass::Elf32, ElfClass::Elf64}) {
        ElfBuilder b(cls);
        b.this_module("my_module");
        auto bytes = b.build();
        ElfPatcher p(bytes);
        uint64_t at = p.section_offset(1) + 3 * b.word_size();
        EXPECT_EQ(std::string(bytes.begin() + static_cast<long>(at),
                              bytes.begin() + static_cast<long>(at) + 9),
                  "my_module");
        EXPECT_EQ(open_bytes(bytes).this_module_name(), "my_module");
    }
}

TEST(ModuleFileThisModule, AbsentEmptyOrUnterminatedIsNullopt) {
    ElfBuilder none;
    none.section(".text", "x");
    EXPECT_EQ(open_bytes(none.build()).this_module_name(), std::nullopt);

    ElfBuilder empty;
    empty.this_module("");
    EXPECT_EQ(open_bytes(empty.build()).this_module_name(), std::nullopt);

    ElfBuilder full; // 56 name bytes without a NUL inside the field
    full.this_module(std::string(56, 'n'));
    EXPECT_EQ(open_bytes(full.build()).this_module_name(), std::nullopt);

    ElfBuilder longest;
    longest.this_module(std::string(55, 'n'));
    EXPECT_EQ(open_bytes(longest.build()).this_module_name(), std::string(55, 'n'));

    ElfBuilder small; // the section ends before the name field does
    small.section(".gnu.linkonce.this_module", std::string(24, '\0') + "short");
    EXPECT_EQ(open_bytes(small.build()).this_module_name(), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// stripped_image()

TEST(ModuleFileStrip, ModVersionsClearsOnlyShfAllocOfVersions) {
    for (auto cls : {ElfClass::Elf32, ElfClass::Elf64}) {
        for (auto endian : {Endian::Little, Endian::Big}) {
            ElfBuilder b = test::sample_module(cls, endian);
            auto bytes = b.build();
            uint16_t versions = b.index_of("__versions");
            ElfPatcher(bytes).section_flags(versions, 0x42); // SHF_ALLOC | SHF_INFO_LINK
            auto mod = open_bytes(bytes);
            auto stripped =
                mod.stripped_image(static_cast<unsigned>(ModuleFile::Strip::ModVersions));
            ASSERT_TRUE(stripped);
            ASSERT_EQ(stripped->size(), bytes.size());
            ElfPatcher p(*stripped);
            EXPECT_EQ(p.section_flags(versions), 0x40u);
            p.section_flags(versions, 0x42);
            EXPECT_EQ(*stripped, bytes); // nothing else changed
        }
    }
}

TEST(ModuleFileStrip, VermagicIsZeroed) {
    ElfBuilder b = test::sample_module(ElfClass::Elf64, Endian::Big);
    auto bytes = b.build();
    auto mod = open_bytes(bytes);
    auto stripped = mod.stripped_image(static_cast<unsigned>(ModuleFile::Strip::Vermagic));
    ASSERT_TRUE(stripped);
    const std::string vm = "vermagic=6.1.0-test SMP preempt mod_unload modversions ";
    std::string before(bytes.begin(), bytes.end());
    size_t at = before.find(vm);
    ASSERT_NE(at, std::string::npos);
    auto expected = bytes;
    std::fill(expected.begin() + static_cast<long>(at),
              expected.begin() + static_cast<long>(at + vm.size()), 0);
    EXPECT_EQ(*stripped, expected);

    auto again = open_bytes(*stripped);
    EXPECT_EQ(again.vermagic(), std::nullopt);
    EXPECT_EQ(again.modinfo()->back().key, "name"); // the zeroed string just disappears
}

TEST(ModuleFileStrip, BothFlagsTogether) {
    auto bytes = test::sample_module().build();
    auto mod = open_bytes(bytes);
    auto both = mod.stripped_image(static_cast<unsigned>(ModuleFile::Strip::ModVersions) |
                                   static_cast<unsigned>(ModuleFile::Strip::Vermagic));
    ASSERT_TRUE(both);
    auto again = open_bytes(*both);
    EXPECT_EQ(again.vermagic(), std::nullopt);
    EXPECT_EQ(again.elf().find("__versions")->flags & elf::k_shf_alloc, 0u);
    EXPECT_EQ(mod.stripped_image(0).value(), bytes);
}

TEST(ModuleFileStrip, MissingVermagicIsEnoent) {
    auto mod = module_with_modinfo(std::string("license=GPL\0", 12));
    auto r = mod.stripped_image(static_cast<unsigned>(ModuleFile::Strip::Vermagic));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, util::ErrorKind::NotFound);
    EXPECT_EQ(r.error().sys_errno, ENOENT);
    EXPECT_EQ(r.error().message, "no vermagic in .modinfo");
    // Without __versions, ModVersions has nothing to do.
    EXPECT_TRUE(mod.stripped_image(static_cast<unsigned>(ModuleFile::Strip::ModVersions)));
}

// ---------------------------------------------------------------------------------------------
// Opening: memory, disk (Full / OnDemand, with and without a budget), compressed copies.

class ModuleFileOpen : public testing::Test {
protected:
    void SetUp() override {
        test::ModuleSig sig;
        sig.algo = 0;    // DSA
        sig.id_type = 1; // X509
        sig.signer = "signer";
        sig.key_id = {1, 2, 3};
        sig.signature = {9, 8, 7, 6};
        m_plain = test::append_signature(test::sample_module().build(), sig);
        m_expected = test::summarize_bytes(m_plain);
        ASSERT_NE(m_expected.find("signature X509 DSA sha256 signer=signer"), std::string::npos)
            << m_expected;
    }
    std::string write(std::string_view name, const std::vector<uint8_t>& bytes) {
        std::string path = m_dir.file(name);
        test::write_file(path, bytes);
        return path;
    }

    test::TempDir m_dir;
    std::vector<uint8_t> m_plain;
    std::string m_expected;
};

TEST_F(ModuleFileOpen, FullAndOnDemandGiveIdenticalResults) {
    std::string path = write("sample.ko", m_plain);
    util::MemoryBudget budget(1 << 20);
    for (auto load : {ModuleFile::Load::Full, ModuleFile::Load::OnDemand}) {
        for (util::MemoryBudget* b : {static_cast<util::MemoryBudget*>(nullptr), &budget}) {
            auto mod = ModuleFile::open(path, load, b);
            ASSERT_TRUE(mod) << mod.error().describe();
            EXPECT_EQ(test::summarize(*mod), m_expected);
            EXPECT_EQ(mod->path(), path);
            EXPECT_EQ(mod->compression(), Compression::None);
            if (load == ModuleFile::Load::Full)
                EXPECT_TRUE(std::ranges::equal(mod->image(), m_plain));
            else
                EXPECT_TRUE(mod->image().empty());
        }
    }
}

TEST_F(ModuleFileOpen, OnDemandCannotStrip) {
    auto mod = ModuleFile::open(write("s.ko", m_plain), ModuleFile::Load::OnDemand);
    ASSERT_TRUE(mod);
    auto r = mod->stripped_image(static_cast<unsigned>(ModuleFile::Strip::Vermagic));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, util::ErrorKind::Invalid);
    EXPECT_EQ(r.error().sys_errno, EINVAL);
    EXPECT_EQ(r.error().message, "module image not loaded");
}

TEST_F(ModuleFileOpen, CompressedCopiesGiveIdenticalResults) {
    struct Case {
        const char* name;
        std::vector<uint8_t> bytes;
        Compression c;
    };
    auto gz = test::gzip_compress(m_plain);
    auto gz2 = test::gzip_compress(std::span(m_plain).first(1000));
    auto gz2b = test::gzip_compress(std::span(m_plain).subspan(1000));
    gz2.insert(gz2.end(), gz2b.begin(), gz2b.end()); // two gzip members, like `cat a.gz b.gz`
    std::vector<Case> cases = {
        {"m.ko.gz", gz, Compression::Gzip},
        {"multi.ko.gz", gz2, Compression::Gzip},
        {"m.ko.xz", test::xz_compress(m_plain), Compression::Xz},
        {"m.ko.zst", test::zstd_compress(m_plain), Compression::Zstd},
        {"nosize.ko.zst", test::zstd_compress(m_plain, false), Compression::Zstd},
    };
    util::MemoryBudget budget(1 << 20);
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto mem = ModuleFile::from_memory(util::Buffer(c.bytes), c.name);
        ASSERT_TRUE(mem) << mem.error().describe();
        EXPECT_EQ(mem->compression(), c.c);
        EXPECT_EQ(test::summarize(*mem), m_expected);
        EXPECT_TRUE(std::ranges::equal(mem->image(), m_plain));

        std::string path = write(c.name, c.bytes);
        for (auto load : {ModuleFile::Load::Full, ModuleFile::Load::OnDemand}) {
            for (util::MemoryBudget* b : {static_cast<util::MemoryBudget*>(nullptr), &budget}) {
                auto mod = ModuleFile::open(path, load, b);
                ASSERT_TRUE(mod) << mod.error().describe();
                EXPECT_EQ(mod->compression(), c.c);
                EXPECT_EQ(test::summarize(*mod), m_expected);
                EXPECT_TRUE(std::ranges::equal(mod->image(), m_plain));
                auto stripped =
                    mod->stripped_image(static_cast<unsigned>(ModuleFile::Strip::ModVersions));
                EXPECT_TRUE(stripped);
            }
        }
    }
}

TEST_F(ModuleFileOpen, LargeCompressedModuleGrowsTheOutput) {
    // Bigger than the decoders' first 64 KiB buffer, and without a size hint for zstd.
    ElfBuilder b = test::sample_module();
    std::string big(300000, '\0');
    for (size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<char>((i * 7919) >> 5);
    b.section(".data", big);
    auto plain = b.build();
    std::string expected = test::summarize_bytes(plain);
    for (const auto& bytes : {test::gzip_compress(plain), test::xz_compress(plain),
                              test::zstd_compress(plain, false)}) {
        std::string path = write("big.ko", bytes);
        for (auto load : {ModuleFile::Load::Full, ModuleFile::Load::OnDemand}) {
            auto mod = ModuleFile::open(path, load);
            ASSERT_TRUE(mod) << mod.error().describe();
            EXPECT_EQ(mod->image().size(), plain.size());
            EXPECT_EQ(test::summarize(*mod), expected);
        }
    }
}

void expect_open_error(const util::Expected<ModuleFile>& mod, util::ErrorKind kind, int err,
                       std::string_view message) {
    ASSERT_FALSE(mod);
    EXPECT_EQ(mod.error().kind, kind);
    EXPECT_EQ(mod.error().sys_errno, err);
    EXPECT_EQ(mod.error().message, message);
}

TEST_F(ModuleFileOpen, FileShorterThanSixBytesIsEinval) {
    for (size_t n : {0, 1, 5}) {
        std::vector<uint8_t> bytes(m_plain.begin(), m_plain.begin() + static_cast<long>(n));
        expect_open_error(ModuleFile::from_memory(util::Buffer(bytes), "short.ko"),
                          util::ErrorKind::Corrupt, EINVAL, "file too short");
        std::string path = write("short.ko", bytes);
        for (auto load : {ModuleFile::Load::Full, ModuleFile::Load::OnDemand})
            expect_open_error(ModuleFile::open(path, load), util::ErrorKind::Corrupt, EINVAL,
                              "file too short");
    }
}

TEST_F(ModuleFileOpen, SixBytesOfNonElfIsEnoexec) {
    std::string path = write("six.ko", test::to_bytes("abcdef"));
    for (auto load : {ModuleFile::Load::Full, ModuleFile::Load::OnDemand})
        expect_open_error(ModuleFile::open(path, load), util::ErrorKind::Corrupt, ENOEXEC,
                          "not an ELF file");
}

TEST_F(ModuleFileOpen, DirectoryIsEisdir) {
    for (auto load : {ModuleFile::Load::Full, ModuleFile::Load::OnDemand}) {
        auto mod = ModuleFile::open(m_dir.path(), load);
        ASSERT_FALSE(mod);
        EXPECT_EQ(mod.error().sys_errno, EISDIR);
        EXPECT_EQ(mod.error().kind, util::ErrorKind::Io);
        EXPECT_EQ(mod.error().path, m_dir.path());
    }
}

TEST_F(ModuleFileOpen, MissingFileIsEnoentNotFound) {
    util::MemoryBudget budget(100);
    for (auto load : {ModuleFile::Load::Full, ModuleFile::Load::OnDemand}) {
        for (util::MemoryBudget* b : {static_cast<util::MemoryBudget*>(nullptr), &budget}) {
            auto mod = ModuleFile::open(m_dir.file("absent.ko"), load, b);
            ASSERT_FALSE(mod);
            EXPECT_EQ(mod.error().kind, util::ErrorKind::NotFound);
            EXPECT_EQ(mod.error().sys_errno, ENOENT);
            EXPECT_EQ(mod.error().path, m_dir.file("absent.ko"));
            EXPECT_EQ(mod.error().message, "could not open: No such file or directory");
        }
    }
}

TEST_F(ModuleFileOpen, CorruptCompressedInputIsCorruptWithFormatName) {
    struct Case {
        std::vector<uint8_t> bytes;
        std::string prefix;
    };
    std::vector<Case> cases;
    auto add = [&](std::vector<uint8_t> full, std::string prefix) {
        auto truncated = full;
        truncated.resize(full.size() / 2);
        cases.push_back({truncated, prefix});
        auto damaged = full;
        for (size_t i = 12; i < 40 && i < damaged.size(); ++i)
            damaged[i] ^= 0x5A;
        cases.push_back({damaged, prefix});
    };
    add(test::xz_compress(m_plain), "xz: ");
    add(test::zstd_compress(m_plain), "zstd: ");
    add(test::gzip_compress(m_plain), "gzip: ");
    for (const auto& c : cases) {
        SCOPED_TRACE(c.prefix);
        auto mem = ModuleFile::from_memory(util::Buffer(c.bytes), "bad.ko");
        ASSERT_FALSE(mem);
        EXPECT_EQ(mem.error().kind, util::ErrorKind::Corrupt);
        EXPECT_EQ(mem.error().sys_errno, EINVAL);
        EXPECT_TRUE(mem.error().message.starts_with(c.prefix)) << mem.error().message;
        std::string path = write("bad.ko", c.bytes);
        for (auto load : {ModuleFile::Load::Full, ModuleFile::Load::OnDemand}) {
            auto mod = ModuleFile::open(path, load);
            ASSERT_FALSE(mod);
            EXPECT_EQ(mod.error().kind, util::ErrorKind::Corrupt);
            EXPECT_EQ(mod.error().sys_errno, EINVAL);
            EXPECT_EQ(mod.error().path, path);
            EXPECT_TRUE(mod.error().message.starts_with(c.prefix)) << mod.error().message;
        }
    }
}

TEST(ModuleFileNames, ModnameFromPath) {
    EXPECT_EQ(path_to_modname("/lib/modules/6.1/kernel/snd-hda-intel.ko.xz"), "snd_hda_intel");
    EXPECT_EQ(path_to_modname("ext4.ko"), "ext4");
    EXPECT_EQ(path_to_modname("iTCO_wdt"), "iTCO_wdt");
    EXPECT_EQ(path_to_modname("dir/"), "");
}

TEST(ModuleFileNames, HasModuleExtension) {
    EXPECT_TRUE(has_module_extension("/bla.ko"));
    EXPECT_TRUE(has_module_extension("/bla.ko.gz"));
    EXPECT_TRUE(has_module_extension("/bla.ko.xz"));
    EXPECT_TRUE(has_module_extension("/bla.ko.zst"));
    EXPECT_FALSE(has_module_extension("/bla.ko.x"));
    EXPECT_FALSE(has_module_extension("/bla.ko."));
    EXPECT_FALSE(has_module_extension("/bla.koz"));
    EXPECT_FALSE(has_module_extension("/b"));
    EXPECT_FALSE(has_module_extension("/bla.ko.bz2"));
}

} // namespace
} // namespace modkit::module
