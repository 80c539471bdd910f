// abi: Module.symvers parsing, the vermagic a kernel build directory implies (checked against
// real Debian 6.1 headers and modules when installed), the module-tree fallback, and the
// module check (vermagic release and flags, __versions CRCs) on real and patched modules.
#include "abi/kernel_abi.hpp"
#include "abi/module_check.hpp"
#include "abi/symvers.hpp"
#include "util/strings.hpp"

#include "elf_builder.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace modkit::abi {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

constexpr const char* k_kver = "6.1.0-50-amd64";
constexpr const char* k_old_kver = "6.1.0-47-amd64";
constexpr const char* k_vermagic = "6.1.0-50-amd64 SMP preempt mod_unload modversions ";
const std::string k_headers = std::string("/usr/src/linux-headers-") + k_kver;
const std::string k_old_headers = std::string("/usr/src/linux-headers-") + k_old_kver;

std::string cache_dir() {
    const char* env = std::getenv("MODKIT_CACHE");
    return std::string(env != nullptr && *env != '\0' ? env : "/var/cache/modkit") + "/" + k_kver;
}
std::string real_tree(std::string_view variant = "plain") {
    return cache_dir() + "/" + std::string(variant) + "/lib/modules/" + k_kver;
}

#define REQUIRE_HEADERS()                                                                          \
    if (!fs::exists(k_headers + "/include/generated/utsrelease.h"))                                \
    GTEST_SKIP() << k_headers << " is not installed (scripts/install-deps.sh installs it)"
#define REQUIRE_TREE()                                                                             \
    if (!fs::exists(real_tree() + "/modules.order"))                                               \
    GTEST_SKIP() << "no Debian module tree at " << real_tree() << " (run scripts/fetch-tree.sh)"

// The real 6.1.0-50 expectations, read once for every test that needs them.
const ModuleChecker& real_checker() {
    static const ModuleChecker checker = [] {
        auto c = ModuleChecker::open({k_kver, k_headers, real_tree()});
        if (!c) throw std::runtime_error(c.error().describe());
        return std::move(*c);
    }();
    return checker;
}

// A kernel build directory with the given configuration, release and Module.symvers.
struct FakeHeaders {
    TempDir dir;
    explicit FakeHeaders(std::string_view config, std::string_view release = "6.1.0-test",
                         std::string_view symvers = "") {
        fs::create_directories(dir.path() + "/include/generated");
        fs::create_directories(dir.path() + "/include/config");
        test::write_file(dir.file("include/generated/utsrelease.h"),
                         "#define UTS_RELEASE \"" + std::string(release) + "\"\n");
        test::write_file(dir.file("include/config/auto.conf"), config);
        if (!symvers.empty()) test::write_file(dir.file("Module.symvers"), symvers);
    }
    KernelLocation location(std::string release = "6.1.0-test") const {
        return {std::move(release), dir.path(), ""};
    }
};

constexpr std::string_view k_debian_config = "#\n# Automatically generated file; DO NOT EDIT.\n"
                                             "CONFIG_X86_64=y\nCONFIG_SMP=y\n"
                                             "CONFIG_PREEMPT_BUILD=y\nCONFIG_PREEMPT_DYNAMIC=y\n"
                                             "CONFIG_MODULE_UNLOAD=y\nCONFIG_MODVERSIONS=y\n"
                                             "CONFIG_RANDSTRUCT_NONE=y\nCONFIG_HZ=250\n";

// A module as modpost would build it for `vermagic`, importing module_layout and _printk.
std::vector<uint8_t> built_module(std::optional<std::string> vermagic,
                                  std::optional<std::vector<test::TestVersion>> versions =
                                      std::vector<test::TestVersion>{{0x11111111, "module_layout"},
                                                                     {0x22222222, "_printk"}}) {
    test::ElfBuilder b;
    std::vector<std::string> info = {"license=GPL", "name=acpi_call"};
    if (vermagic) info.push_back("vermagic=" + *vermagic);
    b.modinfo(info);
    if (versions) b.versions(*versions);
    b.this_module("acpi_call");
    return b.build();
}

module::ModuleFile open_module(const std::vector<uint8_t>& bytes,
                               std::string name = "acpi_call.ko") {
    auto mod = module::ModuleFile::from_memory(util::Buffer(bytes), "/build/" + name);
    if (!mod) throw std::runtime_error(mod.error().describe());
    return std::move(*mod);
}

std::vector<std::string> messages(const std::vector<Problem>& problems) {
    std::vector<std::string> out;
    for (const auto& p : problems)
        out.push_back(p.message);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Module.symvers

TEST(AbiSymvers, ParsesEveryLayout) {
    TempDir dir;
    test::write_file(dir.file("Module.symvers"),
                     "0x4c9d28b0\tphys_base\tvmlinux\tEXPORT_SYMBOL\t\n" // >= 5.10
                     "0x0badf00d\tiwl_fw\tdrivers/net/iwlwifi\tEXPORT_SYMBOL_GPL\tIWLWIFI\n"
                     "\n"
                     "0x00000001\told_sym\tvmlinux\tEXPORT_SYMBOL\n"          // < 5.4
                     "0xABCDEF12\tns_sym\tMY_NS\tfs/foo\tEXPORT_SYMBOL_GPL"); // 5.4 .. 5.9
    auto s = Symvers::load(dir.file("Module.symvers"));
    ASSERT_TRUE(s) << s.error().describe();
    EXPECT_EQ(s->size(), 4u);
    const SymversEntry* e = s->find("iwl_fw");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->crc, 0x0badf00du);
    EXPECT_EQ(e->module, "drivers/net/iwlwifi");
    EXPECT_EQ(e->export_type, "EXPORT_SYMBOL_GPL");
    EXPECT_EQ(e->name_space, "IWLWIFI");
    e = s->find("ns_sym");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->crc, 0xABCDEF12u);
    EXPECT_EQ(e->module, "fs/foo");
    EXPECT_EQ(e->name_space, "MY_NS");
    EXPECT_EQ(s->find("phys_base")->name_space, "");
    EXPECT_EQ(s->find("old_sym")->crc, 1u);
    EXPECT_EQ(s->find("phys_bas"), nullptr);
    EXPECT_EQ(s->find("zzz"), nullptr);
}

TEST(AbiSymvers, BadLinesNameFileAndLine) {
    const std::string good = "0x4c9d28b0\tphys_base\tvmlinux\tEXPORT_SYMBOL\t\n";
    const std::pair<std::string, std::string> cases[] = {
        {"0x4c9d28b0\tphys_", // the file ends mid-line
         "expected \"0xCRC<TAB>symbol<TAB>module<TAB>export type\", got \"0x4c9d28b0\\tphys_\""},
        {"0x4c9d28b0 phys_base vmlinux EXPORT_SYMBOL\n",
         "expected \"0xCRC<TAB>symbol<TAB>module<TAB>export type\", got "
         "\"0x4c9d28b0 phys_base vmlinux EXPORT_SYMBOL\""},
        {std::string("\x7f"
                     "ELF\x02\x01\x01\0\tgarbage\x01\tx\ty\n",
                     21),
         "bad CRC \"?ELF????\""},
        {"4c9d28b0\tphys_base\tvmlinux\tEXPORT_SYMBOL\t\n", "bad CRC \"4c9d28b0\""},
        {"0x\tphys_base\tvmlinux\tEXPORT_SYMBOL\t\n", "bad CRC \"0x\""},
        {"0x12345678901234567\tphys_base\tvmlinux\tEXPORT_SYMBOL\t\n",
         "bad CRC \"0x12345678901234567\""},
        {"0x4c9d28g0\tphys_base\tvmlinux\tEXPORT_SYMBOL\t\n", "bad CRC \"0x4c9d28g0\""},
        {"0x4c9d28b0\t\tvmlinux\tEXPORT_SYMBOL\t\n", "empty symbol name"},
        {"0x4c9d28b0\tphys_base\t\tEXPORT_SYMBOL\t\n", "empty module name"},
        {"0x4c9d28b0\tphys_base\tvmlinux\tEXPORT_SYMBOL\t\tx\n",
         "too many fields in \"0x4c9d28b0\\tphys_base\\tvmlinux\\tEXPORT_SYMBOL\\t\\tx\""},
        {"0x4c9d28b0\tphys_base\tvmlinux\tSYMBOL\t\n",
         "no export type (EXPORT_...) in \"0x4c9d28b0\\tphys_base\\tvmlinux\\tSYMBOL\\t\""},
        {std::string(200, 'x') + "\n",
         "expected \"0xCRC<TAB>symbol<TAB>module<TAB>export type\", got \"" + std::string(80, 'x') +
             "\"..."},
    };
    for (const auto& [line, message] : cases) {
        auto s = Symvers::from_text(good + good + line, "build/Module.symvers");
        ASSERT_FALSE(s) << line;
        EXPECT_EQ(s.error().kind, util::ErrorKind::Corrupt);
        EXPECT_EQ(s.error().describe(), "build/Module.symvers:3: " + message) << line;
    }
    // A file on disk is named by its path.
    TempDir dir;
    test::write_file(dir.file("Module.symvers"), good + "0x4c9d28b0\tphys_");
    auto s = Symvers::load(dir.file("Module.symvers"));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().path, dir.file("Module.symvers"));
    EXPECT_EQ(s.error().line, 2u);
}

TEST(AbiSymvers, EveryTruncationParsesOrNamesTheLastLine) {
    const std::string text = "0x4c9d28b0\tphys_base\tvmlinux\tEXPORT_SYMBOL\t\n"
                             "0x815f2897\tempty_zero_page\tvmlinux\tEXPORT_SYMBOL_GPL\tNS\n";
    for (size_t len = 0; len <= text.size(); ++len) {
        auto s = Symvers::from_text(text.substr(0, len), "Module.symvers");
        size_t full_lines = static_cast<size_t>(std::count(text.begin(), text.begin() + len, '\n'));
        if (s) {
            EXPECT_GE(s->size(), full_lines) << len;
        } else {
            EXPECT_EQ(s.error().line, full_lines + 1) << len;
        }
    }
}

TEST(AbiSymvers, FirstOfDuplicateLinesWins) {
    auto s = Symvers::from_text("0x00000001\tdup\tvmlinux\tEXPORT_SYMBOL\t\n"
                                "0x00000002\tdup\tfs/dup\tEXPORT_SYMBOL\t\n",
                                "Module.symvers");
    ASSERT_TRUE(s) << s.error().describe();
    EXPECT_EQ(s->size(), 2u);
    EXPECT_EQ(s->find("dup")->crc, 1u);
}

TEST(AbiSymvers, MissingFileIsNotFound) {
    auto s = Symvers::load("/nonexistent/Module.symvers");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind, util::ErrorKind::NotFound);
}

TEST(AbiSymvers, RealDebianFile) {
    REQUIRE_HEADERS();
    const auto& s = real_checker().abi().symvers;
    ASSERT_TRUE(s);
    EXPECT_GT(s->size(), 20000u);
    const SymversEntry* layout = s->find("module_layout");
    ASSERT_NE(layout, nullptr);
    EXPECT_EQ(layout->module, "vmlinux");
    EXPECT_EQ(layout->export_type, "EXPORT_SYMBOL");
}

// ---------------------------------------------------------------------------------------------
// The expected vermagic

struct VermagicCase {
    std::string config;
    std::string expected;
};

TEST(AbiVermagic, FollowsVermagicH) {
    const VermagicCase cases[] = {
        {std::string(k_debian_config), "6.1.0-test SMP preempt mod_unload modversions "},
        {"CONFIG_X86_64=y\n", "6.1.0-test "},
        // A tristate set to m does not define CONFIG_X; "is not set" lines are comments.
        {"CONFIG_X86_64=y\nCONFIG_SMP=m\n# CONFIG_MODVERSIONS is not set\n", "6.1.0-test "},
        {"CONFIG_X86_64=y\nCONFIG_PREEMPT_RT=y\nCONFIG_SMP=y\n", "6.1.0-test SMP preempt_rt "},
        {"CONFIG_X86_64=y\nCONFIG_PREEMPT=y\n", "6.1.0-test preempt "}, // before PREEMPT_BUILD
        {"CONFIG_X86_32=y\nCONFIG_M686=y\nCONFIG_MODULE_UNLOAD=y\n", "6.1.0-test mod_unload 686 "},
        {"CONFIG_ARM64=y\nCONFIG_SMP=y\nCONFIG_MODULE_UNLOAD=y\nCONFIG_MODVERSIONS=y\n",
         "6.1.0-test SMP mod_unload modversions aarch64"},
        {"CONFIG_PPC=y\nCONFIG_MPROFILE_KERNEL=y\nCONFIG_RELOCATABLE=y\n",
         "6.1.0-test mprofile-kernel relocatable "},
        {"CONFIG_ARM=y\nCONFIG_CPU_32v7=y\nCONFIG_CPU_32v6=y\nCONFIG_ARM_PATCH_PHYS_VIRT=y\n",
         "6.1.0-test ARMv6 p2v8 "},
        {"CONFIG_RISCV=y\n", "6.1.0-test riscv"},
    };
    FakeHeaders h("");
    for (const auto& c : cases) {
        test::write_file(h.dir.file("include/config/auto.conf"), c.config);
        auto abi = load_kernel_abi(h.location());
        ASSERT_TRUE(abi) << abi.error().describe();
        EXPECT_EQ(abi->vermagic, c.expected) << c.config;
    }
}

TEST(AbiVermagic, RandstructSeed) {
    FakeHeaders h("CONFIG_X86_64=y\nCONFIG_RANDSTRUCT=y\nCONFIG_RANDSTRUCT_FULL=y\n");
    auto abi = load_kernel_abi(h.location());
    ASSERT_FALSE(abi);
    EXPECT_EQ(abi.error().kind, util::ErrorKind::NotFound);
    test::write_file(
        h.dir.file("include/generated/randstruct_hash.h"),
        "#define RANDSTRUCT_HASHED_SEED \\\n#define RANDSTRUCT_HASHED_SEED \"5eed\"\n");
    abi = load_kernel_abi(h.location());
    ASSERT_FALSE(abi);
    EXPECT_EQ(abi.error().describe(), h.dir.file("include/generated/randstruct_hash.h") +
                                          ":1: RANDSTRUCT_HASHED_SEED is not a string literal");
    test::write_file(h.dir.file("include/generated/randstruct_hash.h"),
                     "#define RANDSTRUCT_HASHED_SEED\t\"5eed\"\n");
    abi = load_kernel_abi(h.location());
    ASSERT_TRUE(abi) << abi.error().describe();
    EXPECT_EQ(abi->vermagic, "6.1.0-test RANDSTRUCT_5eed");
}

TEST(AbiVermagic, UnknownArchitectureIsUnsupported) {
    FakeHeaders h("CONFIG_MIPS=y\nCONFIG_CPU_MIPS64_R2=y\n");
    auto abi = load_kernel_abi(h.location());
    ASSERT_FALSE(abi);
    EXPECT_EQ(abi.error().kind, util::ErrorKind::Unsupported);
    EXPECT_EQ(abi.error().describe(),
              h.dir.file("include/config/auto.conf") +
                  ": cannot derive the architecture (MODULE_ARCH_VERMAGIC) part of vermagic from "
                  "the configuration");
}

TEST(AbiVermagic, BadConfigLineNamesFileAndLine) {
    FakeHeaders h("CONFIG_X86_64=y\n# comment\nCONFIG_SMP\n");
    auto abi = load_kernel_abi(h.location());
    ASSERT_FALSE(abi);
    EXPECT_EQ(abi.error().kind, util::ErrorKind::Corrupt);
    EXPECT_EQ(abi.error().describe(),
              h.dir.file("include/config/auto.conf") + ":3: expected CONFIG_<name>=<value>");
}

TEST(AbiVermagic, DotConfigWhenNoAutoConf) {
    FakeHeaders h("");
    fs::remove(h.dir.file("include/config/auto.conf"));
    test::write_file(h.dir.file(".config"), std::string(k_debian_config));
    auto abi = load_kernel_abi(h.location());
    ASSERT_TRUE(abi) << abi.error().describe();
    EXPECT_EQ(abi->vermagic, "6.1.0-test SMP preempt mod_unload modversions ");
    EXPECT_EQ(abi->config_file, h.dir.file(".config"));
}

TEST(AbiVermagic, BadUtsRelease) {
    FakeHeaders h(k_debian_config);
    const std::string uts = h.dir.file("include/generated/utsrelease.h");
    test::write_file(uts, "/* empty */\n");
    auto abi = load_kernel_abi(h.location());
    ASSERT_FALSE(abi);
    EXPECT_EQ(abi.error().describe(), uts + ": no #define UTS_RELEASE");
    test::write_file(uts, "#define UTS_RELEASE_EXTRA \"x\"\n#define UTS_RELEASE \"6.1.0-te\n");
    abi = load_kernel_abi(h.location());
    ASSERT_FALSE(abi);
    EXPECT_EQ(abi.error().describe(), uts + ":2: UTS_RELEASE is not a string literal");
}

TEST(AbiVermagic, HeadersOfAnotherReleaseAreRefused) {
    FakeHeaders h(k_debian_config, k_old_kver);
    auto abi = load_kernel_abi(h.location(k_kver));
    ASSERT_FALSE(abi);
    EXPECT_EQ(abi.error().kind, util::ErrorKind::Invalid);
    EXPECT_EQ(abi.error().describe(), h.dir.file("include/generated/utsrelease.h") +
                                          ": the headers are for kernel 6.1.0-47-amd64, not "
                                          "6.1.0-50-amd64");
    // Without a release to hold them to, the headers name it.
    abi = load_kernel_abi(h.location(""));
    ASSERT_TRUE(abi) << abi.error().describe();
    EXPECT_EQ(abi->release, k_old_kver);
}

TEST(AbiVermagic, RealHeadersMatchRealModules) {
    REQUIRE_HEADERS();
    REQUIRE_TREE();
    const KernelAbi* abi = &real_checker().abi();
    EXPECT_EQ(abi->vermagic, k_vermagic);
    EXPECT_EQ(abi->vermagic_source, VermagicSource::Headers);
    EXPECT_EQ(abi->vermagic_origin(), "derived from " + k_headers +
                                          "/include/generated/utsrelease.h and " + k_headers +
                                          "/include/config/auto.conf");
    auto mod = module::ModuleFile::open(real_tree() + "/kernel/fs/mbcache.ko");
    ASSERT_TRUE(mod);
    EXPECT_EQ(mod->vermagic(), abi->vermagic);
}

// ---------------------------------------------------------------------------------------------
// Falling back to the module tree

TEST(AbiKernel, FallsBackToAnInTreeModule) {
    TempDir tree;
    fs::create_directories(tree.path() + "/kernel/fs");
    test::write_file(tree.file("kernel/fs/one.ko"), built_module(std::string(k_vermagic)));
    test::write_file(tree.file("modules.dep"),
                     "kernel/fs/missing.ko:\nkernel/fs/one.ko: kernel/fs/missing.ko\n");
    // No build directory at all, or one without utsrelease.h: the tree answers.
    for (std::string source : {std::string(), std::string("/nonexistent/build")}) {
        auto abi = load_kernel_abi({k_kver, source, tree.path()});
        ASSERT_TRUE(abi) << abi.error().describe();
        EXPECT_EQ(abi->vermagic, k_vermagic);
        EXPECT_EQ(abi->release, k_kver);
        EXPECT_EQ(abi->vermagic_source, VermagicSource::InTreeModule);
        EXPECT_EQ(abi->vermagic_origin(),
                  "taken from in-tree module " + tree.file("kernel/fs/one.ko"));
        EXPECT_FALSE(abi->symvers);
    }
    // The tree of another release is refused.
    auto abi = load_kernel_abi({k_old_kver, "", tree.path()});
    ASSERT_FALSE(abi);
    EXPECT_EQ(abi.error().describe(), tree.file("kernel/fs/one.ko") +
                                          ": in-tree module was built for kernel "
                                          "6.1.0-50-amd64, not 6.1.0-47-amd64");
}

TEST(AbiKernel, NothingToReadIsNotFound) {
    TempDir tree;
    auto abi = load_kernel_abi({k_kver, "/nonexistent/build", tree.path()});
    ASSERT_FALSE(abi);
    EXPECT_EQ(abi.error().kind, util::ErrorKind::NotFound);
    EXPECT_EQ(abi.error().describe(), tree.path() +
                                          ": no modules.dep or modules.order (and "
                                          "/nonexistent/build/include/generated/utsrelease.h: "
                                          "could not open: No such file or directory)");
    abi = load_kernel_abi({k_kver, "/nonexistent/build", ""});
    ASSERT_FALSE(abi);
    EXPECT_EQ(abi.error().kind, util::ErrorKind::NotFound);
}

TEST(AbiKernel, RealTreeWithoutHeaders) {
    REQUIRE_TREE();
    TempDir empty_build; // headers "removed": no include/generated/utsrelease.h
    auto abi = load_kernel_abi({k_kver, empty_build.path(), real_tree()});
    ASSERT_TRUE(abi) << abi.error().describe();
    EXPECT_EQ(abi->vermagic, k_vermagic);
    EXPECT_EQ(abi->vermagic_source, VermagicSource::InTreeModule);
    EXPECT_TRUE(
        abi->vermagic_origin().starts_with("taken from in-tree module " + real_tree() + "/kernel/"))
        << abi->vermagic_origin();
}

// ---------------------------------------------------------------------------------------------
// Checking modules

// Expectations without Module.symvers.
KernelAbi fake_abi() {
    KernelAbi abi;
    abi.release = k_kver;
    abi.vermagic = k_vermagic;
    return abi;
}

TEST(AbiCheck, SyntheticModules) {
    FakeHeaders h(k_debian_config, k_kver,
                  "0x11111111\tmodule_layout\tvmlinux\tEXPORT_SYMBOL\t\n"
                  "0x33333333\t_printk\tvmlinux\tEXPORT_SYMBOL\t\n");
    auto checker = ModuleChecker::open(h.location(k_kver));
    ASSERT_TRUE(checker) << checker.error().describe();
    ASSERT_TRUE(checker->abi().symvers);
    EXPECT_TRUE(checker->abi().has_modversions());
    const std::string v47 = "6.1.0-47-amd64 SMP preempt mod_unload modversions ";
    const std::string no_preempt = "6.1.0-50-amd64 SMP mod_unload modversions ";
    const std::string rt = "6.1.0-50-amd64 SMP preempt_rt mod_unload modversions ";
    const std::string no_modversions = "6.1.0-50-amd64 SMP preempt mod_unload ";
    const std::string spaced = "6.1.0-50-amd64  SMP preempt mod_unload modversions";
    const std::vector<test::TestVersion> good_crcs = {
        {0x11111111, "module_layout"}, {0x33333333, "_printk"}, {0x44444444, "other_oot_symbol"}};
    struct Case {
        std::vector<uint8_t> bytes;
        std::vector<std::string> expected;
    };
    const Case cases[] = {
        {built_module(std::string(k_vermagic), good_crcs), {}},
        {built_module(std::string(k_vermagic)),
         {"acpi_call.ko: symbol _printk has CRC 0x22222222 in the module but 0x33333333 in "
          "kernel 6.1.0-50-amd64"}},
        {built_module(v47, good_crcs),
         {"acpi_call.ko was built for kernel 6.1.0-47-amd64 (vermagic \"" + v47 +
          "\"), not for 6.1.0-50-amd64 (\"" + k_vermagic + "\")"}},
        {built_module(no_preempt, good_crcs),
         {"acpi_call.ko has vermagic \"" + no_preempt + "\" but kernel 6.1.0-50-amd64 expects \"" +
          k_vermagic + "\" (missing: preempt)"}},
        {built_module(rt, good_crcs),
         {"acpi_call.ko has vermagic \"" + rt + "\" but kernel 6.1.0-50-amd64 expects \"" +
          k_vermagic + "\" (missing: preempt; unexpected: preempt_rt)"}},
        {built_module(spaced, good_crcs),
         {"acpi_call.ko has vermagic \"" + spaced + "\" but kernel 6.1.0-50-amd64 expects \"" +
          k_vermagic + "\""}},
        {built_module(std::nullopt, good_crcs),
         {"acpi_call.ko has no vermagic; kernel 6.1.0-50-amd64 expects \"" +
          std::string(k_vermagic) + "\""}},
        {built_module(std::string(k_vermagic), std::nullopt),
         {"acpi_call.ko has no symbol CRCs (no __versions section), but kernel 6.1.0-50-amd64 "
          "has CONFIG_MODVERSIONS and would load it only forced"}},
        // Built without modversions: the vermagic says it; no second message.
        {built_module(no_modversions, std::nullopt),
         {"acpi_call.ko has vermagic \"" + no_modversions +
          "\" but kernel 6.1.0-50-amd64 expects \"" + k_vermagic + "\" (missing: modversions)"}},
        // An empty __versions (a module that imports nothing) is fine.
        {built_module(std::string(k_vermagic), std::vector<test::TestVersion>{}), {}},
    };
    for (const auto& c : cases) {
        auto problems = check_module(checker->abi(), open_module(c.bytes));
        ASSERT_TRUE(problems) << problems.error().describe();
        EXPECT_EQ(messages(*problems), c.expected);
    }
    auto problems = check_module(checker->abi(), open_module(built_module(v47)));
    ASSERT_TRUE(problems);
    ASSERT_EQ(problems->size(), 2u);
    EXPECT_EQ((*problems)[0].kind, ProblemKind::WrongRelease);
    EXPECT_EQ((*problems)[1].kind, ProblemKind::CrcMismatch);
    EXPECT_EQ((*problems)[1].symbol, "_printk");
    EXPECT_EQ((*problems)[1].module_crc, 0x22222222u);
    EXPECT_EQ((*problems)[1].kernel_crc, 0x33333333u);
}

TEST(AbiCheck, WithoutSymversOnlyVermagicIsChecked) {
    KernelAbi abi = fake_abi();
    auto problems = check_module(abi, open_module(built_module(std::string(k_vermagic))));
    ASSERT_TRUE(problems);
    EXPECT_TRUE(problems->empty());
}

TEST(AbiCheck, CorruptVersionsIsAnError) {
    test::ElfBuilder b;
    b.modinfo({"vermagic=" + std::string(k_vermagic)});
    b.section("__versions", std::string(100, '\0'));
    auto problems = check_module(fake_abi(), open_module(b.build()));
    ASSERT_FALSE(problems);
    EXPECT_EQ(problems.error().describe(), "/build/acpi_call.ko: __versions has a bad size");
}

TEST(AbiCheck, CheckAllReportsUnreadableFiles) {
    TempDir dir;
    test::write_file(dir.file("good.ko"), built_module(std::string(k_vermagic)));
    test::write_file(dir.file("junk.ko"), "not an ELF file");
    ModuleChecker checker(fake_abi());
    const std::vector<std::string> paths = {dir.file("good.ko"), dir.file("junk.ko"),
                                            dir.file("missing.ko")};
    auto results = checker.check_all(paths);
    ASSERT_EQ(results.size(), 3u);
    EXPECT_TRUE(results[0].ok());
    EXPECT_FALSE(results[1].ok());
    EXPECT_FALSE(results[1].problems);
    EXPECT_FALSE(results[2].problems);
    EXPECT_EQ(results[2].problems.error().kind, util::ErrorKind::NotFound);
}

// Real Debian modules, real headers.

std::vector<std::string> sample_of_tree(size_t every) {
    std::ifstream order(real_tree() + "/modules.order");
    std::vector<std::string> out;
    std::string line;
    for (size_t i = 0; std::getline(order, line); ++i)
        if (i % every == 0) out.push_back(real_tree() + "/" + line);
    return out;
}

TEST(AbiCheck, RealModulesPassAgainstTheirHeaders) {
    REQUIRE_HEADERS();
    REQUIRE_TREE();
    const ModuleChecker* checker = &real_checker();
    ASSERT_TRUE(checker->abi().symvers);
    auto paths = sample_of_tree(40);
    ASSERT_GT(paths.size(), 50u);
    paths.push_back(real_tree("xz") + "/kernel/fs/mbcache.ko.xz");
    for (const auto& r : checker->check_all(paths)) {
        ASSERT_TRUE(r.problems) << r.problems.error().describe();
        EXPECT_EQ(messages(*r.problems), std::vector<std::string>{}) << r.path;
    }
}

// A copy of a real module with `edit` applied to its bytes; returns the copy's path.
template <class Edit>
std::string patched_copy(const TempDir& dir, const std::string& from, Edit edit) {
    auto mod = module::ModuleFile::open(from);
    if (!mod) throw std::runtime_error(mod.error().describe());
    std::vector<uint8_t> bytes = test::read_file(from);
    auto section = [&](std::string_view name) {
        for (const auto& s : mod->elf().sections())
            if (s.name == name) return s;
        ADD_FAILURE() << "no " << name;
        return elf::Section{};
    };
    edit(bytes, section);
    std::string to = dir.file(std::string(util::basename(from)));
    test::write_file(to, bytes);
    return to;
}

void replace_in(std::vector<uint8_t>& bytes, const elf::Section& s, std::string_view from,
                std::string_view to) {
    ASSERT_EQ(from.size(), to.size());
    auto begin = bytes.begin() + static_cast<ptrdiff_t>(s.offset);
    auto end = begin + static_cast<ptrdiff_t>(s.size);
    auto at = std::search(begin, end, from.begin(), from.end());
    ASSERT_NE(at, end) << from;
    std::copy(to.begin(), to.end(), at);
}

TEST(AbiCheck, RealModuleWithPatchedVermagic) {
    REQUIRE_HEADERS();
    REQUIRE_TREE();
    const ModuleChecker* checker = &real_checker();
    TempDir dir;
    auto path = patched_copy(dir, real_tree() + "/kernel/fs/mbcache.ko", [](auto& bytes, auto sec) {
        replace_in(bytes, sec(".modinfo"), "vermagic=6.1.0-50-amd64 ", "vermagic=6.1.0-47-amd64 ");
    });
    auto problems = checker->check(path);
    ASSERT_TRUE(problems) << problems.error().describe();
    EXPECT_EQ(messages(*problems),
              std::vector<std::string>{
                  "mbcache.ko was built for kernel 6.1.0-47-amd64 (vermagic \"6.1.0-47-amd64 SMP "
                  "preempt mod_unload modversions \"), not for 6.1.0-50-amd64 (\"6.1.0-50-amd64 "
                  "SMP preempt mod_unload modversions \")"});

    path = patched_copy(dir, real_tree() + "/kernel/fs/mbcache.ko", [](auto& bytes, auto sec) {
        replace_in(bytes, sec(".modinfo"), " SMP preempt ", " SMP preempX ");
    });
    problems = checker->check(path);
    ASSERT_TRUE(problems) << problems.error().describe();
    EXPECT_EQ(messages(*problems),
              std::vector<std::string>{
                  "mbcache.ko has vermagic \"6.1.0-50-amd64 SMP preempX mod_unload modversions \" "
                  "but kernel 6.1.0-50-amd64 expects \"6.1.0-50-amd64 SMP preempt mod_unload "
                  "modversions \" (missing: preempt; unexpected: preempX)"});
}

TEST(AbiCheck, RealModuleWithPatchedCrc) {
    REQUIRE_HEADERS();
    REQUIRE_TREE();
    const ModuleChecker* checker = &real_checker();
    TempDir dir;
    auto path = patched_copy(dir, real_tree() + "/kernel/fs/mbcache.ko", [](auto& bytes, auto sec) {
        // __versions entries are { u64 crc; char name[56]; }: the CRC precedes the name.
        elf::Section v = sec("__versions");
        std::string_view name("module_layout\0", 14);
        auto begin = bytes.begin() + static_cast<ptrdiff_t>(v.offset);
        auto at =
            std::search(begin, begin + static_cast<ptrdiff_t>(v.size), name.begin(), name.end());
        ASSERT_NE(at, begin + static_cast<ptrdiff_t>(v.size));
        ASSERT_EQ((at - begin) % 64, 8);
        test::put_uint(bytes, static_cast<uint64_t>(at - bytes.begin()) - 8, 0xdeadbeef, 8,
                       util::Endian::Little);
    });
    auto problems = checker->check(path);
    ASSERT_TRUE(problems) << problems.error().describe();
    ASSERT_EQ(problems->size(), 1u);
    const SymversEntry* layout = checker->abi().symvers->find("module_layout");
    ASSERT_NE(layout, nullptr);
    char want[160];
    std::snprintf(want, sizeof want,
                  "mbcache.ko: symbol module_layout has CRC 0xdeadbeef in the module but 0x%08llx "
                  "in kernel 6.1.0-50-amd64",
                  static_cast<unsigned long long>(layout->crc));
    EXPECT_EQ((*problems)[0].message, want);
    EXPECT_EQ((*problems)[0].symbol, "module_layout");
}

// The realistic wrong-kernel case: Debian's previous ABI (6.1.0-47) against modules of 6.1.0-50.
TEST(AbiCheck, RealModuleAgainstThePreviousAbi) {
    REQUIRE_TREE();
    if (!fs::exists(k_old_headers + "/Module.symvers"))
        GTEST_SKIP() << k_old_headers << " is not installed (scripts/install-deps.sh installs it)";
    auto checker = ModuleChecker::open({k_old_kver, k_old_headers, ""});
    ASSERT_TRUE(checker) << checker.error().describe();
    EXPECT_EQ(checker->abi().vermagic, "6.1.0-47-amd64 SMP preempt mod_unload modversions ");
    auto problems = checker->check(real_tree() + "/kernel/fs/mbcache.ko");
    ASSERT_TRUE(problems) << problems.error().describe();
    ASSERT_FALSE(problems->empty());
    EXPECT_EQ((*problems)[0].kind, ProblemKind::WrongRelease);
    EXPECT_EQ((*problems)[0].message,
              "mbcache.ko was built for kernel 6.1.0-50-amd64 (vermagic \"6.1.0-50-amd64 SMP "
              "preempt mod_unload modversions \"), not for 6.1.0-47-amd64 (\"6.1.0-47-amd64 SMP "
              "preempt mod_unload modversions \")");
    // Debian's ABI bump changed module_layout: the kernel itself would refuse this module.
    bool layout = std::any_of(problems->begin(), problems->end(), [](const Problem& p) {
        return p.kind == ProblemKind::CrcMismatch && p.symbol == "module_layout";
    });
    EXPECT_TRUE(layout);
}

} // namespace
} // namespace modkit::abi
