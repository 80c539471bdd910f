// module/kernel_image and module/ksymtab: the bzImage payload, the built-in certificate list,
// and the export tables of a vmlinux (prel32 entries, parallel CRC tables, 7.x's __kflagstab)
// and of a module, on images built byte by byte; plus truncation of each at every length.
#include "module/kernel_image.hpp"
#include "module/ksymtab.hpp"
#include "module/sig_verify.hpp"

#include "elf_builder.hpp"
#include "pkcs7_signer.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace modkit::module {
namespace {

using Bytes = std::vector<uint8_t>;

void put32(Bytes& b, size_t off, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        b[off + i] = static_cast<uint8_t>(v >> (8 * i));
}

// A bzImage: 2 setup sectors + protected-mode part holding `payload` at offset 16.
Bytes bzimage(const Bytes& payload) {
    Bytes img(3 * 512 + 16 + payload.size(), 0);
    img[0x1f1] = 2;
    std::memcpy(img.data() + 0x202, "HdrS", 4);
    img[0x206] = 0x0f;
    img[0x207] = 0x02; // protocol 2.15
    put32(img, 0x248, 16);
    put32(img, 0x24c, static_cast<uint32_t>(payload.size()));
    std::copy(payload.begin(), payload.end(), img.begin() + 3 * 512 + 16);
    return img;
}

TEST(KernelImage, PayloadIsFoundAndItsSizeTrailerDropped) {
    Bytes xz = {0xfd, '7', 'z', 'X', 'Z', 0x00, 1, 2, 3, 4, 0xaa, 0xbb, 0xcc, 0xdd};
    auto p = bzimage_payload(bzimage(xz), "vmlinuz");
    ASSERT_TRUE(p) << p.error().describe();
    EXPECT_EQ(p->format, "xz");
    EXPECT_EQ(p->data.size(), xz.size() - 4);
    Bytes lz4 = {0x02, 0x21, 0x4c, 0x18, 0};
    auto img = KernelImage::from_bytes(bzimage(lz4), "vmlinuz");
    ASSERT_FALSE(img);
    EXPECT_EQ(img.error().kind, util::ErrorKind::Unsupported);
    EXPECT_NE(img.error().message.find("lz4"), std::string::npos);
}

TEST(KernelImage, TruncatedImagesFailWithTheirName) {
    Bytes img = bzimage(test::gzip_compress(test::ElfBuilder().build()));
    for (size_t n = 0; n < img.size(); n += 7) {
        auto r = KernelImage::from_bytes(std::span(img).first(n), "vmlinuz-x");
        if (!r) {
            EXPECT_EQ(r.error().path, "vmlinuz-x");
        }
    }
    auto whole = KernelImage::from_bytes(img, "vmlinuz-x");
    EXPECT_TRUE(whole) << whole.error().describe();
}

TEST(KernelImage, TheCertificateListIsFoundByItsSize) {
    test::Pkcs7Signer a({{"CN", "build key"}}, {0x01}), b({{"CN", "distro ca"}}, {0x02});
    Bytes first = a.certificate_der(), second = b.certificate_der();
    Bytes data(40, 0x55); // something before
    while (data.size() % 8)
        data.push_back(0);
    size_t start = data.size();
    data.insert(data.end(), first.begin(), first.end());
    data.insert(data.end(), second.begin(), second.end());
    uint64_t total = data.size() - start;
    while (data.size() % 8)
        data.push_back(0);
    for (uint64_t v : {total, static_cast<uint64_t>(first.size())})
        for (int i = 0; i < 8; ++i)
            data.push_back(static_cast<uint8_t>(v >> (8 * i)));
    auto certs = find_certificate_list(data, 0);
    ASSERT_EQ(certs.size(), 2u);
    EXPECT_EQ(certs[0], first);
    EXPECT_EQ(TrustedKeys(certs).describe()[1], "CN=distro ca, serial 02");
    // A wrong size is not the list (a certificate elsewhere in the image is not trusted).
    data[data.size() - 16] ^= 1;
    EXPECT_TRUE(find_certificate_list(data, 0).empty());
}

// vmlinux: __ksymtab with prel32 entries, __ksymtab_gpl, __kcrctab(_gpl), __ksymtab_strings.
TEST(Ksymtab, VmlinuxExportsFromPrel32Tables) {
    constexpr uint64_t k_tab = 0x1000, k_gpl = 0x2000, k_str = 0x3000;
    std::string strings = std::string("printk\0", 7) + std::string("\0", 1) +
                          std::string("gpl_sym\0", 8) + std::string("NS\0", 3);
    const uint32_t printk_at = 0, empty_at = 7, gpl_at = 8, ns_at = 16;
    test::ElfBuilder b;
    auto entry = [&](uint64_t base, uint32_t name, uint32_t ns) {
        return b.u32(0) + b.u32(static_cast<uint32_t>(k_str + name - (base + 4))) +
               b.u32(static_cast<uint32_t>(k_str + ns - (base + 8)));
    };
    b.section("__ksymtab", entry(k_tab, printk_at, empty_at));
    b.section("__ksymtab_gpl", entry(k_gpl, gpl_at, ns_at));
    b.section("__kcrctab", b.u32(0x1234));
    b.section("__kcrctab_gpl", b.u32(0x5678));
    b.section("__ksymtab_strings", strings);
    Bytes img = b.build();
    test::ElfPatcher patch(img);
    patch.section_addr(b.index_of("__ksymtab"), k_tab);
    patch.section_addr(b.index_of("__ksymtab_gpl"), k_gpl);
    patch.section_addr(b.index_of("__ksymtab_strings"), k_str);
    util::MemorySource src(img);
    auto elf = elf::ElfFile::parse(src, "vmlinux");
    ASSERT_TRUE(elf);
    auto exports = vmlinux_exports(*elf, "vmlinux");
    ASSERT_TRUE(exports) << exports.error().describe();
    ASSERT_EQ(exports->size(), 2u);
    EXPECT_EQ((*exports)[0].name, "printk");
    EXPECT_EQ((*exports)[0].crc, 0x1234u);
    EXPECT_FALSE((*exports)[0].gpl_only);
    EXPECT_EQ((*exports)[1].name, "gpl_sym");
    EXPECT_TRUE((*exports)[1].gpl_only);
    EXPECT_EQ((*exports)[1].name_space, "NS");
    // An entry pointing outside the strings is corruption, named.
    patch.section_addr(b.index_of("__ksymtab_strings"), k_str + 0x100);
    util::MemorySource moved(img);
    auto bad = vmlinux_exports(*elf::ElfFile::parse(moved, "vmlinux"), "vmlinux");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, util::ErrorKind::Corrupt);
}

// A 7.x module: one __ksymtab, GPL-only marked in __kflagstab, namespaces in __kstrtabns_.
TEST(Ksymtab, ModuleExportsWithFlagTableAndNamespaces) {
    test::ElfBuilder b;
    b.section("__ksymtab", std::string(24, '\0'));
    b.section("__kflagstab", std::string("\0\1", 2));
    b.section("__ksymtab_strings", std::string("USB_STORAGE\0", 12));
    b.this_module("m");
    b.symbols({test::sym_in("__ksymtab_plain_sym", "__ksymtab", 0),
               test::sym_in("__ksymtab_gpl_sym", "__ksymtab", 12),
               test::sym_in("__kstrtabns_gpl_sym", "__ksymtab_strings", 0)});
    auto mod = ModuleFile::from_memory(util::Buffer(std::span<const uint8_t>(b.build())), "m.ko");
    ASSERT_TRUE(mod);
    auto exports = module_exports(*mod);
    ASSERT_TRUE(exports) << exports.error().describe();
    ASSERT_EQ(exports->size(), 2u);
    EXPECT_FALSE((*exports)[0].gpl_only);
    EXPECT_TRUE((*exports)[1].gpl_only);
    EXPECT_EQ((*exports)[1].name_space, "USB_STORAGE");
    EXPECT_FALSE((*exports)[1].has_crc);
}

} // namespace
} // namespace modkit::module
