// Robustness of the module reader: a small signed module (and its xz/zstd/gzip copies) is cut
// at every length and has every byte flipped; opening and every query must either succeed or
// return an Error, never crash or read out of bounds (this suite also runs under ASan+UBSan).
#include "module/module_file.hpp"

#include "elf_builder.hpp"
#include "pkcs7_signer.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <set>
#include <unistd.h>

namespace modkit::module {
namespace {

using elf::ElfClass;
using util::Endian;
using util::ErrorKind;

// The sample module with a real PKCS#7 signature (no certificate, as sign-file makes them).
std::vector<uint8_t> signed_sample(ElfClass cls, Endian endian) {
    static const test::Pkcs7Signer signer({{"CN", "robustness"}}, {0x11, 0x22});
    auto image = test::sample_module(cls, endian).build();
    test::ModuleSig sig;
    sig.algo = 0;
    sig.hash = 0;
    sig.id_type = 2;
    sig.signature = signer.sign(image, nullptr, false);
    return test::append_signature(image, sig);
}

// Opens `bytes` and runs every query, checking that failures are well-formed Errors.
void exercise(std::span<const uint8_t> bytes) {
    auto mod = ModuleFile::from_memory(util::Buffer(bytes), "fuzz.ko");
    if (!mod) {
        const auto& e = mod.error();
        EXPECT_EQ(e.kind, ErrorKind::Corrupt);
        EXPECT_TRUE(e.sys_errno == EINVAL || e.sys_errno == ENOEXEC) << e.sys_errno;
        EXPECT_EQ(e.path, "fuzz.ko");
        EXPECT_FALSE(e.message.empty());
        return;
    }
    if (auto info = mod->modinfo(); !info) {
        EXPECT_EQ(info.error().sys_errno, ENOENT);
    } else {
        for (const auto& e : *info)
            EXPECT_EQ(e.key.find('\0'), std::string_view::npos);
    }
    (void)mod->vermagic();
    for (const auto& e : mod->exports())
        EXPECT_EQ(e.name.find('\0'), std::string_view::npos);
    if (auto imps = mod->imports(); !imps) {
        EXPECT_EQ(imps.error().sys_errno, EINVAL);
    }
    if (auto vers = mod->versions(); !vers) {
        EXPECT_TRUE(vers.error().sys_errno == ENOENT || vers.error().sys_errno == EINVAL);
    }
    if (auto name = mod->this_module_name()) {
        EXPECT_FALSE(name->empty());
    }
    if (auto sig = mod->signature()) {
        EXPECT_LE(sig->signed_size, mod->image().size());
    }
    for (unsigned flags : {1u, 2u, 3u}) {
        if (auto stripped = mod->stripped_image(flags)) {
            EXPECT_EQ(stripped->size(), mod->image().size());
        }
    }
}

class ModuleRobustness : public testing::TestWithParam<std::tuple<ElfClass, Endian>> {};

TEST_P(ModuleRobustness, TruncateAtEveryLength) {
    auto [cls, endian] = GetParam();
    const auto full = signed_sample(cls, endian);
    ASSERT_TRUE(ModuleFile::from_memory(util::Buffer(full), "x")->signature());
    for (size_t len = 0; len <= full.size(); ++len) {
        SCOPED_TRACE(len);
        auto prefix = std::span(full).first(len);
        exercise(prefix);
        // The trailer is at the very end: only the whole file is signed.
        auto mod = ModuleFile::from_memory(util::Buffer(prefix), "x");
        if (mod) {
            EXPECT_EQ(mod->signature().has_value(), len == full.size());
        }
    }
}

TEST_P(ModuleRobustness, FlipEveryByte) {
    auto [cls, endian] = GetParam();
    const auto full = signed_sample(cls, endian);
    auto bytes = full;
    for (size_t off = 0; off < bytes.size(); ++off) {
        for (uint8_t x : {uint8_t{0xFF}, uint8_t{0x01}, uint8_t{0x80}, uint8_t{0x7F}}) {
            bytes[off] ^= x;
            exercise(bytes);
            bytes[off] ^= x;
        }
    }
    EXPECT_EQ(bytes, full);
}

INSTANTIATE_TEST_SUITE_P(Formats, ModuleRobustness,
                         testing::Values(std::make_tuple(ElfClass::Elf64, Endian::Little),
                                         std::make_tuple(ElfClass::Elf32, Endian::Big)));

TEST(ModuleRobustness, OnDemandReadsMatchMemoryAtEveryLength) {
    // The pread-backed source must see exactly what the in-memory one sees, prefix by prefix.
    const auto full = signed_sample(ElfClass::Elf64, Endian::Little);
    test::TempDir dir;
    std::string path = dir.file("cut.ko");
    test::write_file(path, full);
    for (size_t len = full.size() + 1; len-- > 0;) {
        auto prefix = std::span(full).first(len);
        ASSERT_EQ(truncate(path.c_str(), static_cast<off_t>(len)), 0);
        auto mod = ModuleFile::open(path, ModuleFile::Load::OnDemand);
        std::string on_demand = mod ? test::summarize(*mod)
                                    : "open: error " + std::to_string(mod.error().sys_errno) + " " +
                                          mod.error().message + "\n";
        ASSERT_EQ(on_demand, test::summarize_bytes(prefix)) << "length " << len;
    }
}

struct Packed {
    const char* name;
    std::vector<uint8_t> bytes;
};

std::vector<Packed> compressed_copies() {
    const auto plain = signed_sample(ElfClass::Elf64, Endian::Little);
    return {{"xz", test::xz_compress(plain, 64 << 10)},
            {"zstd", test::zstd_compress(plain)},
            {"gzip", test::gzip_compress(plain)}};
}

TEST(ModuleRobustness, CompressedCopiesTruncatedAtEveryLength) {
    const auto plain = signed_sample(ElfClass::Elf64, Endian::Little);
    const std::string expected = test::summarize_bytes(plain);
    for (const auto& c : compressed_copies()) {
        SCOPED_TRACE(c.name);
        for (size_t len = 0; len < c.bytes.size(); ++len) {
            auto mod = ModuleFile::from_memory(util::Buffer(std::span(c.bytes).first(len)), "x");
            ASSERT_FALSE(mod) << "length " << len; // every proper prefix is a broken stream
            const auto& e = mod.error();
            EXPECT_EQ(e.kind, ErrorKind::Corrupt);
            EXPECT_EQ(e.sys_errno, EINVAL);
            if (len >= 6) { // shorter inputs fail before the format is known
                EXPECT_TRUE(e.message.starts_with(std::string(c.name) + ": ")) << e.message;
            }
        }
        EXPECT_EQ(test::summarize_bytes(c.bytes), expected);
    }
}

TEST(ModuleRobustness, CompressedCopiesWithEveryByteFlipped) {
    for (auto c : compressed_copies()) {
        SCOPED_TRACE(c.name);
        std::set<std::string> messages;
        for (size_t off = 0; off < c.bytes.size(); ++off) {
            for (uint8_t x : {uint8_t{0xFF}, uint8_t{0x01}}) {
                c.bytes[off] ^= x;
                auto mod = ModuleFile::from_memory(util::Buffer(c.bytes), "x");
                if (mod) {
                    exercise(mod->image());
                } else {
                    EXPECT_EQ(mod.error().kind, ErrorKind::Corrupt);
                    EXPECT_TRUE(mod.error().sys_errno == EINVAL ||
                                mod.error().sys_errno == ENOEXEC);
                    messages.insert(mod.error().message);
                }
                c.bytes[off] ^= x;
            }
        }
        EXPECT_FALSE(messages.empty());
    }
}

} // namespace
} // namespace modkit::module
