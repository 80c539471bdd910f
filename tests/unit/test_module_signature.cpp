// Appended module signatures: real PKCS#7 blobs made with OpenSSL (signer = issuer CN, key id =
// serial, hash from the digest algorithm, signature = encrypted digest), the legacy PGP/X509
// layout, and libkmod 30's rejection rules (unknown enum values, bad lengths, unparsable
// PKCS#7 -> no signature).
#include "module/signature.hpp"

#include "elf_builder.hpp"
#include "module/module_file.hpp"
#include "pkcs7_signer.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <openssl/evp.h>

namespace modkit::module {
namespace {

using test::ModuleSig;

const std::vector<uint8_t>& module_image() {
    static const auto image = test::sample_module().build();
    return image;
}

const test::Pkcs7Signer& signer() {
    static const test::Pkcs7Signer s({{"O", "modkit"}, {"CN", "modkit test signing key"}},
                                     {0x4A, 0x1B, 0x2C, 0x3D, 0x00, 0x5E, 0x6F, 0x70, 0x81, 0x92});
    return s;
}

ModuleSig pkcs7_sig(std::vector<uint8_t> der) {
    ModuleSig sig; // algo 0, hash 0, id_type 2 with empty signer and key id, as sign-file writes
    sig.algo = 0;
    sig.hash = 0;
    sig.id_type = 2;
    sig.signature = std::move(der);
    return sig;
}

ModuleSig legacy_sig(uint8_t id_type) {
    ModuleSig sig;
    sig.algo = 1;
    sig.hash = 2;
    sig.id_type = id_type;
    sig.signer = "Legacy Signer";
    sig.key_id = {0xAA, 0xBB, 0xCC, 0xDD};
    sig.signature = {0x01, 0x02, 0x03, 0x04, 0x05};
    return sig;
}

TEST(ModuleSignature, Pkcs7SignerKeyIdHashAndSignature) {
    auto der = signer().sign(module_image());
    auto signed_image = test::append_signature(module_image(), pkcs7_sig(der));
    auto sig = parse_signature(std::span<const uint8_t>(signed_image));
    ASSERT_TRUE(sig);
    EXPECT_EQ(sig->id_type, "PKCS#7");
    EXPECT_EQ(sig->signer, "modkit test signing key");
    EXPECT_EQ(sig->key_id,
              (std::vector<uint8_t>{0x4A, 0x1B, 0x2C, 0x3D, 0x00, 0x5E, 0x6F, 0x70, 0x81, 0x92}));
    EXPECT_EQ(sig->hash_algo, "sha256");
    EXPECT_EQ(sig->signature, signer().raw_signature(module_image()));
    EXPECT_EQ(sig->signature.size(), 128u); // RSA-1024
    EXPECT_EQ(sig->signed_size, module_image().size());
    EXPECT_EQ(unsigned_size(signed_image), module_image().size());
}

TEST(ModuleSignature, ModuleFileReportsTheSameSignatureInEveryLoadMode) {
    auto der = signer().sign(module_image(), nullptr, false); // PKCS7_NOCERTS, like sign-file
    auto signed_image = test::append_signature(module_image(), pkcs7_sig(der));
    auto expected = parse_signature(std::span<const uint8_t>(signed_image));
    ASSERT_TRUE(expected);
    EXPECT_EQ(expected->signer, "modkit test signing key");

    test::TempDir dir;
    std::string path = dir.file("signed.ko");
    test::write_file(path, signed_image);
    std::string zst = dir.file("signed.ko.zst");
    test::write_file(zst, test::zstd_compress(signed_image));
    for (const auto& p : {path, zst}) {
        for (auto load : {ModuleFile::Load::Full, ModuleFile::Load::OnDemand}) {
            auto mod = ModuleFile::open(p, load);
            ASSERT_TRUE(mod) << mod.error().describe();
            auto sig = mod->signature();
            ASSERT_TRUE(sig);
            EXPECT_EQ(sig->signer, expected->signer);
            EXPECT_EQ(sig->key_id, expected->key_id);
            EXPECT_EQ(sig->hash_algo, "sha256");
            EXPECT_EQ(sig->signature, expected->signature);
            EXPECT_EQ(sig->signed_size, module_image().size());
        }
    }
}

TEST(ModuleSignature, SerialWithHighBitGivesMagnitudeBytes) {
    // DER stores 0x00 0x80 ...; the key id is the number's bytes, without the sign padding.
    test::Pkcs7Signer s({{"CN", "high"}}, {0x80, 0x01});
    auto img = test::append_signature(module_image(), pkcs7_sig(s.sign(module_image())));
    auto sig = parse_signature(std::span<const uint8_t>(img));
    ASSERT_TRUE(sig);
    EXPECT_EQ(sig->key_id, (std::vector<uint8_t>{0x80, 0x01}));
    EXPECT_EQ(sig->signer, "high");
}

TEST(ModuleSignature, IssuerWithoutCommonNameUsesTheLastEntry) {
    test::Pkcs7Signer s({{"C", "DE"}, {"O", "Some Org"}, {"OU", "Kernel Team"}}, {0x05});
    auto img = test::append_signature(module_image(), pkcs7_sig(s.sign(module_image())));
    auto sig = parse_signature(std::span<const uint8_t>(img));
    ASSERT_TRUE(sig);
    EXPECT_EQ(sig->signer, "Kernel Team");
    EXPECT_EQ(sig->key_id, (std::vector<uint8_t>{0x05}));
}

TEST(ModuleSignature, CommonNameIsFoundAmongOtherEntries) {
    test::Pkcs7Signer s({{"CN", "First CN"}, {"O", "Org after CN"}}, {0x01, 0x00});
    auto img = test::append_signature(module_image(), pkcs7_sig(s.sign(module_image())));
    auto sig = parse_signature(std::span<const uint8_t>(img));
    ASSERT_TRUE(sig);
    EXPECT_EQ(sig->signer, "First CN");
}

TEST(ModuleSignature, Pkcs7DigestAlgorithmsMapToKernelNames) {
    const std::vector<std::pair<const EVP_MD*, std::string>> digests = {
        {EVP_sha1(), "sha1"},     {EVP_sha224(), "sha224"}, {EVP_sha256(), "sha256"},
        {EVP_sha384(), "sha384"}, {EVP_sha512(), "sha512"},
    };
    for (const auto& [md, name] : digests) {
        auto img =
            test::append_signature(module_image(), pkcs7_sig(signer().sign(module_image(), md)));
        auto sig = parse_signature(std::span<const uint8_t>(img));
        ASSERT_TRUE(sig) << name;
        EXPECT_EQ(sig->hash_algo, name);
        EXPECT_EQ(sig->signature, signer().raw_signature(module_image(), md)) << name;
    }
}

TEST(ModuleSignature, Pkcs7WithUnknownDigestIsNoSignature) {
    auto img = test::append_signature(module_image(),
                                      pkcs7_sig(signer().sign(module_image(), EVP_sha3_256())));
    EXPECT_EQ(parse_signature(std::span<const uint8_t>(img)), std::nullopt);
}

TEST(ModuleSignature, DamagedPkcs7IsNoSignature) {
    // kmod 30: when OpenSSL cannot parse the blob, the module counts as unsigned.
    auto der = signer().sign(module_image());
    std::vector<std::vector<uint8_t>> bad = {
        std::vector<uint8_t>(der.begin(), der.begin() + static_cast<long>(der.size() / 2)),
        std::vector<uint8_t>(64, 0x42),
        {0x30},
        test::pkcs7_without_signers(),
    };
    auto wrong_tag = der;
    wrong_tag[0] = 0x31;
    bad.push_back(wrong_tag);
    for (const auto& blob : bad) {
        auto img = test::append_signature(module_image(), pkcs7_sig(blob));
        EXPECT_EQ(parse_signature(std::span<const uint8_t>(img)), std::nullopt) << blob.size();
        auto mod = ModuleFile::from_memory(util::Buffer(img), "bad-sig.ko");
        ASSERT_TRUE(mod);
        EXPECT_EQ(mod->signature(), std::nullopt);
    }
}

TEST(ModuleSignature, LegacyLayoutKeepsSignerAndKeyIdBeforeTheSignature) {
    const char* types[] = {"PGP", "X509"};
    for (uint8_t id_type : {0, 1}) {
        auto img = test::append_signature(module_image(), legacy_sig(id_type));
        auto sig = parse_signature(std::span<const uint8_t>(img));
        ASSERT_TRUE(sig);
        EXPECT_EQ(sig->id_type, types[id_type]);
        EXPECT_EQ(sig->algo, "RSA");
        EXPECT_EQ(sig->hash_algo, "sha1");
        EXPECT_EQ(sig->signer, "Legacy Signer");
        EXPECT_EQ(sig->key_id, (std::vector<uint8_t>{0xAA, 0xBB, 0xCC, 0xDD}));
        EXPECT_EQ(sig->signature, (std::vector<uint8_t>{1, 2, 3, 4, 5}));
        EXPECT_EQ(sig->signed_size, module_image().size());
        EXPECT_EQ(unsigned_size(img), module_image().size());
    }
}

TEST(ModuleSignature, LegacyHashAndAlgoTables) {
    const char* hashes[] = {"md4",    "md5",    "sha1",   "rmd160", "sha256",
                            "sha384", "sha512", "sha224", "sm3"};
    for (uint8_t h = 0; h < 9; ++h) {
        auto s = legacy_sig(1);
        s.hash = h;
        s.algo = h % 2;
        auto img = test::append_signature(module_image(), s);
        auto sig = parse_signature(std::span<const uint8_t>(img));
        ASSERT_TRUE(sig);
        EXPECT_EQ(sig->hash_algo, hashes[h]);
        EXPECT_EQ(sig->algo, h % 2 == 0 ? "DSA" : "RSA");
    }
}

TEST(ModuleSignature, UnknownEnumValuesAreNoSignature) {
    auto bad_algo = legacy_sig(1);
    bad_algo.algo = 2;
    auto bad_hash = legacy_sig(1);
    bad_hash.hash = 9;
    auto bad_id = legacy_sig(1);
    bad_id.id_type = 3;
    auto bad_id_max = legacy_sig(1);
    bad_id_max.id_type = 0xff;
    for (const auto& s : {bad_algo, bad_hash, bad_id, bad_id_max}) {
        auto img = test::append_signature(module_image(), s);
        EXPECT_EQ(parse_signature(std::span<const uint8_t>(img)), std::nullopt);
    }
}

TEST(ModuleSignature, BadLengthsAreNoSignature) {
    auto zero = legacy_sig(1);
    zero.sig_len = 0;
    auto img = test::append_signature(module_image(), zero);
    EXPECT_EQ(parse_signature(std::span<const uint8_t>(img)), std::nullopt);

    // Lengths that claim more than the file holds in front of the trailer.
    auto s = legacy_sig(0);
    std::vector<uint8_t> tiny = {'x'};
    size_t in_front = s.signer.size() + s.key_id.size() + s.signature.size() + tiny.size();
    s.sig_len = static_cast<uint32_t>(in_front - s.signer.size() - s.key_id.size() + 1);
    auto over = test::append_signature(tiny, s);
    EXPECT_EQ(parse_signature(std::span<const uint8_t>(over)), std::nullopt);
    EXPECT_EQ(unsigned_size(over), over.size());

    auto huge = legacy_sig(0);
    huge.sig_len = 0xFFFFFFFF;
    auto huge_img = test::append_signature(module_image(), huge);
    EXPECT_EQ(parse_signature(std::span<const uint8_t>(huge_img)), std::nullopt);
    EXPECT_EQ(unsigned_size(huge_img), huge_img.size());

    auto pk = pkcs7_sig(signer().sign(module_image()));
    pk.sig_len = 0xFFFFFF00;
    auto pk_img = test::append_signature(module_image(), pk);
    EXPECT_EQ(parse_signature(std::span<const uint8_t>(pk_img)), std::nullopt);
}

TEST(ModuleSignature, SignatureBlockMayFillTheWholeFile) {
    auto s = legacy_sig(1);
    auto img = test::append_signature({}, s);
    auto sig = parse_signature(std::span<const uint8_t>(img));
    ASSERT_TRUE(sig);
    EXPECT_EQ(sig->signed_size, 0u);
    EXPECT_EQ(sig->signer, "Legacy Signer");
    EXPECT_EQ(unsigned_size(img), 0u);
}

TEST(ModuleSignature, NoTrailerIsUnsigned) {
    EXPECT_EQ(parse_signature(std::span<const uint8_t>(module_image())), std::nullopt);
    EXPECT_EQ(unsigned_size(module_image()), module_image().size());

    // The magic alone, or with fewer than 12 header bytes in front, is not a signature.
    std::string magic(k_signature_magic);
    auto only = test::to_bytes(magic);
    EXPECT_EQ(parse_signature(std::span<const uint8_t>(only)), std::nullopt);
    auto short_hdr = test::to_bytes(std::string(11, '\0') + magic);
    EXPECT_EQ(parse_signature(std::span<const uint8_t>(short_hdr)), std::nullopt);
    EXPECT_EQ(unsigned_size(short_hdr), short_hdr.size());

    // A damaged last byte of the magic.
    auto img = test::append_signature(module_image(), legacy_sig(1));
    img.back() = '!';
    EXPECT_EQ(parse_signature(std::span<const uint8_t>(img)), std::nullopt);
    EXPECT_EQ(unsigned_size(img), img.size());
    EXPECT_EQ(parse_signature(std::span<const uint8_t>()), std::nullopt);
}

TEST(ModuleSignature, ByteSourceAndSpanAgree) {
    auto img = test::append_signature(module_image(), pkcs7_sig(signer().sign(module_image())));
    util::MemorySource src(img);
    auto a = parse_signature(src);
    auto b = parse_signature(std::span<const uint8_t>(img));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->signature, b->signature);
    EXPECT_EQ(a->key_id, b->key_id);
    EXPECT_EQ(a->signer, b->signer);
    EXPECT_EQ(a->signed_size, b->signed_size);
}

} // namespace
} // namespace modkit::module
