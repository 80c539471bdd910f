// abi/predict: each rule of the module loader on modules built byte by byte (tests/unit/
// elf_builder), against a kernel target written to a temporary root (config, Module.symvers,
// a module tree). The real kernel's answers to the same questions are checked in the VM
// (tests/vm/cases/abi-oracle.sh); these tests pin each rule and its order.
#include "abi/kernel_target.hpp"
#include "abi/predict.hpp"

#include "elf_builder.hpp"
#include "pkcs7_signer.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace modkit::abi {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

constexpr const char* k_release = "9.9.9-test";
constexpr const char* k_vermagic = "9.9.9-test SMP mod_unload modversions ";
constexpr uint64_t k_layout = 0x11223344;

struct ModuleSpec {
    std::string name = "mod";
    std::optional<std::string> vermagic = k_vermagic;
    std::string license = "GPL";
    bool intree = true;
    bool staging = false;
    std::vector<std::string> extra_modinfo;
    bool versions = true;
    uint64_t layout_crc = k_layout;
    std::vector<test::TestVersion> crcs; // besides module_layout
    std::vector<std::string> imports;    // undefined symbols
    std::vector<std::string> weak_imports;
    uint16_t machine = 62;
};

std::vector<uint8_t> build(const ModuleSpec& s) {
    test::ElfBuilder b;
    b.machine(s.machine);
    std::vector<std::string> info = {"license=" + s.license, "name=" + s.name};
    if (s.vermagic) info.push_back("vermagic=" + *s.vermagic);
    if (s.intree) info.push_back("intree=Y");
    if (s.staging) info.push_back("staging=Y");
    info.insert(info.end(), s.extra_modinfo.begin(), s.extra_modinfo.end());
    b.modinfo(info);
    if (s.versions) {
        std::vector<test::TestVersion> v = {{s.layout_crc, "module_layout"}};
        v.insert(v.end(), s.crcs.begin(), s.crcs.end());
        b.versions(v);
    }
    b.this_module(s.name);
    std::vector<test::TestSymbol> syms;
    for (const auto& i : s.imports)
        syms.push_back(test::sym_undef(i));
    for (const auto& i : s.weak_imports)
        syms.push_back(test::sym_undef(i, elf::k_stb_weak));
    b.symbols(syms);
    return b.build();
}

// A target kernel on disk: config, Module.symvers, one in-tree module ("provider").
class Target {
public:
    explicit Target(std::string config = "CONFIG_X86_64=y\nCONFIG_SMP=y\nCONFIG_MODULE_UNLOAD=y\n"
                                         "CONFIG_MODVERSIONS=y\nCONFIG_MODULE_FORCE_LOAD=y\n",
                    std::string tree_vermagic = k_vermagic) {
        fs::create_directories(m_dir.file("boot"));
        fs::create_directories(moddir() + "/kernel/drivers");
        test::write_file(m_dir.file("boot/config-") + k_release, config);
        test::write_file(symvers(), "0x11223344\tmodule_layout\tvmlinux\tEXPORT_SYMBOL\t\n"
                                    "0x0000aaaa\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n"
                                    "0x0000bbbb\tgpl_thing\tvmlinux\tEXPORT_SYMBOL_GPL\t\n"
                                    "0x0000cccc\tns_thing\tvmlinux\tEXPORT_SYMBOL_GPL\tTHE_NS\n"
                                    "0x0000dddd\tprovided\tdrivers/provider\tEXPORT_SYMBOL\t\n"
                                    "0x0000eeee\tgone_module_sym\tdrivers/gone\tEXPORT_SYMBOL\t\n");
        ModuleSpec provider;
        provider.name = "provider";
        provider.vermagic = tree_vermagic;
        test::write_file(moddir() + "/kernel/drivers/provider.ko", build(provider));
    }
    std::string moddir() const { return m_dir.file("lib/modules/") + k_release; }
    std::string symvers() const { return m_dir.file("Module.symvers"); }
    std::string root() const { return m_dir.path(); }

    KernelTarget load(std::vector<std::string> certs = {}) const {
        TargetOptions o;
        o.root = root();
        o.release = k_release;
        o.symvers = symvers();
        o.certs = std::move(certs);
        auto t = KernelTarget::load(o);
        EXPECT_TRUE(t) << t.error().describe();
        return std::move(*t);
    }

    Prediction predict(const std::vector<uint8_t>& bytes, std::vector<std::string> certs = {}) {
        std::string path = m_dir.file("m" + std::to_string(m_n++) + ".ko");
        test::write_file(path, bytes);
        KernelTarget t = load(std::move(certs));
        auto p = predict_file(t, path);
        EXPECT_TRUE(p) << p.error().describe();
        return std::move(*p);
    }

private:
    TempDir m_dir;
    int m_n = 0;
};

std::string kinds(const Prediction& p) {
    std::string out;
    for (const auto& f : p.findings)
        out += std::string(finding_kind_name(f.kind)) + " ";
    return out;
}

TEST(AbiPredict, TargetIsReadFromItsFiles) {
    Target t;
    KernelTarget k = t.load();
    EXPECT_EQ(k.release(), k_release);
    EXPECT_EQ(k.vermagic(), k_vermagic); // the in-tree module's
    EXPECT_TRUE(k.loader().modversions);
    EXPECT_FALSE(k.loader().signatures);
    ASSERT_NE(k.exports(), nullptr);
    EXPECT_EQ(k.exports()->size(), 6u);
    EXPECT_TRUE(k.has_module("provider"));
}

TEST(AbiPredict, AMatchingInTreeModuleLoads) {
    Target t;
    ModuleSpec s;
    s.imports = {"printk", "provided"};
    s.crcs = {{0xaaaa, "printk"}, {0xdddd, "provided"}};
    Prediction p = t.predict(build(s));
    EXPECT_EQ(p.verdict, Verdict::Loads) << kinds(p);
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.taints, "");
    EXPECT_EQ(kinds(p), "needs-module ");
}

TEST(AbiPredict, OutOfTreeStagingAndLicenseTaintInTheKernelsOrder) {
    Target t;
    ModuleSpec s;
    s.intree = false;
    s.staging = true;
    s.license = "Proprietary";
    Prediction p = t.predict(build(s));
    EXPECT_EQ(p.verdict, Verdict::Taints);
    EXPECT_EQ(p.taints, "PCO");
}

TEST(AbiPredict, ModuleLayoutIsComparedFirst) {
    Target t;
    ModuleSpec s;
    s.layout_crc = 0x99999999;
    s.vermagic = "1.0.0 SMP preempt mod_unload modversions "; // flags differ too
    Prediction p = t.predict(build(s));
    EXPECT_EQ(p.verdict, Verdict::Refused);
    EXPECT_EQ(p.error, ENOEXEC);
    ASSERT_FALSE(p.findings.empty());
    EXPECT_EQ(p.findings[0].kind, FindingKind::LayoutMismatch);
    EXPECT_EQ(p.findings[0].kernel_message, "mod: disagrees about version of symbol module_layout");
}

TEST(AbiPredict, WithSymbolVersionsTheReleaseIsNotCompared) {
    Target t;
    ModuleSpec s;
    s.vermagic = "9.9.8-other SMP mod_unload modversions ";
    Prediction p = t.predict(build(s));
    EXPECT_EQ(p.verdict, Verdict::Loads) << kinds(p);
    EXPECT_EQ(kinds(p), "release-ignored ");
}

TEST(AbiPredict, WithoutSymbolVersionsVermagicIsComparedWhole) {
    Target t;
    ModuleSpec s;
    s.versions = false;
    s.vermagic = "9.9.8-other SMP mod_unload modversions ";
    Prediction p = t.predict(build(s));
    EXPECT_EQ(p.verdict, Verdict::Refused);
    EXPECT_EQ(p.error, ENOEXEC);
    EXPECT_EQ(kinds(p), "no-versions vermagic-mismatch ");
}

TEST(AbiPredict, MissingVermagicOrVersionsTaintF) {
    Target t;
    ModuleSpec s;
    s.vermagic.reset();
    EXPECT_EQ(t.predict(build(s)).taints, "F");
    ModuleSpec v;
    v.versions = false;
    Prediction p = t.predict(build(v));
    EXPECT_EQ(p.verdict, Verdict::Taints);
    EXPECT_EQ(p.taints, "F");
    EXPECT_EQ(p.findings[0].kernel_message, "mod: module_layout: kernel tainted.");
}

TEST(AbiPredict, WithoutForcedLoadsMissingVersionsAreRefused) {
    Target t("CONFIG_X86_64=y\nCONFIG_SMP=y\nCONFIG_MODULE_UNLOAD=y\nCONFIG_MODVERSIONS=y\n");
    ModuleSpec s;
    s.versions = false;
    EXPECT_EQ(t.predict(build(s)).error, ENOEXEC);
}

TEST(AbiPredict, VersionsTheLoaderCannotSeeCountAsMissing) {
    Target t;
    ModuleSpec s;
    auto bytes = build(s);
    test::ElfPatcher patch(bytes);
    // __versions is section 2 (after .modinfo); clear SHF_ALLOC as --force-modversion does.
    patch.section_flags(2, 0);
    Prediction p = t.predict(bytes);
    EXPECT_EQ(p.taints, "F") << kinds(p);
}

// Linux 6.14's extended modversions (__version_ext_crcs/_names, no __versions): the CRCs are
// checked as the basic table's are (no Debian kernel enables them: built here).
TEST(AbiPredict, ExtendedModversionsAreChecked) {
    Target t;
    auto ext_module = [](uint32_t printk_crc) {
        test::ElfBuilder b;
        b.modinfo({"license=GPL", "name=mod", std::string("vermagic=") + k_vermagic, "intree=Y"});
        b.section("__version_ext_crcs", b.u32(k_layout) + b.u32(printk_crc), test::k_sht_progbits,
                  elf::k_shf_alloc);
        b.section("__version_ext_names", std::string("module_layout\0printk\0", 21),
                  test::k_sht_progbits, elf::k_shf_alloc);
        b.this_module("mod");
        b.symbols({test::sym_undef("printk")});
        return b.build();
    };
    Prediction good = t.predict(ext_module(0xaaaa));
    EXPECT_EQ(good.verdict, Verdict::Loads) << kinds(good);
    Prediction bad = t.predict(ext_module(0x1234));
    EXPECT_EQ(bad.verdict, Verdict::Refused) << kinds(bad);
    EXPECT_NE(kinds(bad).find("crc-mismatch"), std::string::npos) << kinds(bad);
}

TEST(AbiPredict, UnknownSymbolsAreRefusedButWeakOnesAreNot) {
    Target t;
    ModuleSpec s;
    s.weak_imports = {"nobody_has_this_weak"};
    EXPECT_EQ(t.predict(build(s)).verdict, Verdict::Loads);
    s.imports = {"nobody_has_this"};
    Prediction p = t.predict(build(s));
    EXPECT_EQ(p.verdict, Verdict::Refused);
    EXPECT_EQ(p.error, ENOENT);
    EXPECT_EQ(p.findings[0].kernel_message, "mod: Unknown symbol nobody_has_this (err -2)");
}

TEST(AbiPredict, ASymbolOfAModuleTheTargetLacksIsUnknown) {
    Target t;
    ModuleSpec s;
    s.imports = {"gone_module_sym"};
    Prediction p = t.predict(build(s));
    EXPECT_EQ(p.error, ENOENT);
    EXPECT_NE(p.findings[0].message.find("module gone"), std::string::npos);
}

TEST(AbiPredict, GplOnlySymbolsAreNotOfferedToOtherLicenses) {
    Target t;
    ModuleSpec s;
    s.imports = {"gpl_thing"};
    s.crcs = {{0xbbbb, "gpl_thing"}};
    EXPECT_EQ(t.predict(build(s)).verdict, Verdict::Loads);
    s.license = "Proprietary";
    Prediction p = t.predict(build(s));
    EXPECT_EQ(p.error, ENOENT);
    EXPECT_EQ(kinds(p), "proprietary gpl-only-symbol ");
}

TEST(AbiPredict, TheLastFailingSymbolGivesTheError) {
    Target t;
    ModuleSpec s;
    s.imports = {"nobody_has_this", "printk"};
    s.crcs = {{0x1, "printk"}};
    EXPECT_EQ(t.predict(build(s)).error, EINVAL); // CRC mismatch last
    s.imports = {"printk", "nobody_has_this"};
    EXPECT_EQ(t.predict(build(s)).error, ENOENT); // unknown last
}

TEST(AbiPredict, NamespacesMustBeImported) {
    Target t;
    ModuleSpec s;
    s.imports = {"ns_thing"};
    s.crcs = {{0xcccc, "ns_thing"}};
    Prediction p = t.predict(build(s));
    EXPECT_EQ(p.error, EINVAL);
    EXPECT_EQ(p.findings[0].kernel_message,
              "mod: module uses symbol (ns_thing) from namespace THE_NS, but does not import it.");
    s.extra_modinfo = {"import_ns=THE_NS"};
    EXPECT_EQ(t.predict(build(s)).verdict, Verdict::Loads);
}

TEST(AbiPredict, ModuleNamespacesNameWhoMayUseASymbol) {
    // Linux 6.12+: EXPORT_SYMBOL_GPL_FOR_MODULES(sym, "kvm-amd,kvm-intel") puts sym in the
    // namespace "module:kvm-amd,kvm-intel"; those modules need no MODULE_IMPORT_NS.
    Target t;
    test::write_file(t.symvers(),
                     "0x11223344\tmodule_layout\tvmlinux\tEXPORT_SYMBOL\t\n"
                     "0x00000001\tfor_kvm\tvmlinux\tEXPORT_SYMBOL_GPL\tmodule:kvm-amd,kvm-intel\n"
                     "0x00000002\tfor_all_snd\tvmlinux\tEXPORT_SYMBOL_GPL\tmodule:snd_*\n");
    ModuleSpec s;
    s.imports = {"for_kvm"};
    s.crcs = {{1, "for_kvm"}};
    s.name = "kvm_intel";
    EXPECT_EQ(t.predict(build(s)).verdict, Verdict::Loads);
    s.name = "kvm";
    EXPECT_EQ(t.predict(build(s)).error, EINVAL);
    s.name = "snd_hda_intel";
    s.imports = {"for_all_snd"};
    s.crcs = {{2, "for_all_snd"}};
    EXPECT_EQ(t.predict(build(s)).verdict, Verdict::Loads);
}

TEST(AbiPredict, AnotherArchitectureIsRefused) {
    Target t;
    ModuleSpec s;
    s.machine = 183; // EM_AARCH64
    Prediction p = t.predict(build(s));
    EXPECT_EQ(p.error, ENOEXEC);
    EXPECT_EQ(kinds(p), "elf-mismatch ");
}

TEST(AbiPredict, ManySymbolFailuresAreFoldedIntoOneFinding) {
    Target t;
    ModuleSpec s;
    for (int i = 0; i < 20; ++i)
        s.imports.push_back("missing_" + std::to_string(i));
    Prediction p = t.predict(build(s));
    ASSERT_EQ(p.findings.size(), 1u);
    EXPECT_EQ(p.findings[0].count, 20u);
    EXPECT_EQ(p.error, ENOENT);
}

TEST(AbiPredict, ModversionsOffMeansNoCrcChecksAndAWholeVermagic) {
    // As Debian's 7.2: no CONFIG_MODVERSIONS, vermagic "SMP preempt mod_unload".
    Target t("CONFIG_X86_64=y\nCONFIG_SMP=y\nCONFIG_MODULE_UNLOAD=y\n",
             "9.9.9-test SMP mod_unload ");
    ModuleSpec s;
    s.vermagic = "9.9.9-test SMP mod_unload ";
    s.layout_crc = 0x1;
    s.imports = {"printk"};
    s.crcs = {{0x2, "printk"}};
    Prediction p = t.predict(build(s));
    EXPECT_EQ(p.verdict, Verdict::Loads) << kinds(p);
    s.vermagic = "9.9.8-other SMP mod_unload "; // with CRCs, but the kernel has no modversions
    p = t.predict(build(s));
    EXPECT_EQ(p.error, ENOEXEC);
    EXPECT_EQ(kinds(p), "vermagic-mismatch ");
}

// Signatures: a module signed by a key the target trusts, changed afterwards, signed by a key
// it does not know, unsigned with and without enforcement.
class AbiPredictSignature : public ::testing::Test {
protected:
    AbiPredictSignature()
        : m_target("CONFIG_X86_64=y\nCONFIG_SMP=y\nCONFIG_MODULE_UNLOAD=y\n"
                   "CONFIG_MODVERSIONS=y\nCONFIG_MODULE_FORCE_LOAD=y\nCONFIG_MODULE_SIG=y\n")
        , m_trusted({{"CN", "trusted build key"}}, {0x01, 0x02})
        , m_other({{"CN", "someone else"}}, {0x03}) {
        m_cert = m_dir.file("trusted.der");
        test::write_file(m_cert, m_trusted.certificate_der());
    }
    std::vector<uint8_t> signed_by(const test::Pkcs7Signer& signer, std::vector<uint8_t> image) {
        test::ModuleSig sig;
        sig.algo = 0;
        sig.hash = 0;
        sig.signature = signer.sign(image, nullptr, false);
        return test::append_signature(std::move(image), sig);
    }

    TempDir m_dir;
    Target m_target;
    test::Pkcs7Signer m_trusted, m_other;
    std::string m_cert;
};

TEST_F(AbiPredictSignature, ValidUnknownChangedAndUnsigned) {
    ModuleSpec s;
    auto image = build(s);
    Prediction valid = m_target.predict(signed_by(m_trusted, image), {m_cert});
    EXPECT_EQ(valid.verdict, Verdict::Loads) << kinds(valid);
    EXPECT_EQ(valid.findings[0].kind, FindingKind::SignatureValid);

    auto changed = signed_by(m_trusted, image);
    changed[100] ^= 0xff; // inside .modinfo's neighbourhood: the content, not the signature
    Prediction rejected = m_target.predict(changed, {m_cert});
    EXPECT_EQ(rejected.verdict, Verdict::Refused);
    EXPECT_EQ(rejected.error, EKEYREJECTED);

    Prediction unknown = m_target.predict(signed_by(m_other, image), {m_cert});
    EXPECT_EQ(unknown.taints, "E");
    EXPECT_EQ(unknown.findings[0].kind, FindingKind::SignatureUnknownKey);

    Prediction unsigned_ = m_target.predict(image, {m_cert});
    EXPECT_EQ(unsigned_.taints, "E");
}

TEST(AbiPredictSignatureEnforced, UnsignedIsRejected) {
    Target t("CONFIG_X86_64=y\nCONFIG_SMP=y\nCONFIG_MODULE_UNLOAD=y\nCONFIG_MODVERSIONS=y\n"
             "CONFIG_MODULE_SIG=y\nCONFIG_MODULE_SIG_FORCE=y\n");
    Prediction p = t.predict(build(ModuleSpec{}));
    EXPECT_EQ(p.error, EKEYREJECTED);
}

} // namespace
} // namespace modkit::abi
