// module/cpio: initramfs listing over back-to-back archives (uncompressed early + compressed
// main, as initramfs-tools writes them) and every truncation of one.
#include "module/cpio.hpp"

#include "elf_builder.hpp"

#include <gtest/gtest.h>

#include <cstdio>

namespace modkit::module {
namespace {

using Bytes = std::vector<uint8_t>;

void entry(Bytes& out, const std::string& name, const std::string& data, uint32_t mode = 0100644) {
    char h[111];
    std::snprintf(h, sizeof h, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1u,
                  mode, 0u, 0u, 1u, 0u, static_cast<unsigned>(data.size()), 0u, 0u, 0u, 0u,
                  static_cast<unsigned>(name.size() + 1), 0u);
    out.insert(out.end(), h, h + 110);
    out.insert(out.end(), name.begin(), name.end());
    out.push_back(0);
    while (out.size() % 4)
        out.push_back(0);
    out.insert(out.end(), data.begin(), data.end());
    while (out.size() % 4)
        out.push_back(0);
}

Bytes archive(const std::vector<std::pair<std::string, std::string>>& files) {
    Bytes out;
    for (const auto& [n, d] : files)
        entry(out, n, d);
    entry(out, "TRAILER!!!", "");
    return out;
}

TEST(Cpio, EarlyAndCompressedArchivesAreListedTogether) {
    Bytes img = archive({{"kernel/x86/microcode/GenuineIntel.bin", "ucode"}});
    img.resize(img.size() + 512, 0); // padding between archives
    Bytes main = archive({{"./lib/modules/6.1.0/kernel/fs/ext4/ext4.ko", "elf"}, {"init", "#!"}});
    Bytes gz = test::gzip_compress(main);
    img.insert(img.end(), gz.begin(), gz.end());
    auto entries = list_initramfs(img, "initrd.img");
    ASSERT_TRUE(entries) << entries.error().describe();
    ASSERT_EQ(entries->size(), 3u);
    EXPECT_EQ((*entries)[1].name, "lib/modules/6.1.0/kernel/fs/ext4/ext4.ko");
    EXPECT_EQ((*entries)[1].size, 3u);
}

TEST(Cpio, EveryTruncationIsCorruptAndNamed) {
    Bytes img = archive({{"a", "12345"}, {"bb", ""}});
    for (size_t n = 1; n < img.size() - 4; ++n) {
        auto r = list_initramfs(std::span(img).first(n), "initrd.img");
        if (r) continue; // a cut right after an entry is a shorter, valid archive
        EXPECT_EQ(r.error().path, "initrd.img") << n;
        EXPECT_EQ(r.error().kind, util::ErrorKind::Corrupt) << n;
    }
    Bytes bad = img;
    bad[3] = 'X';
    EXPECT_FALSE(list_initramfs(bad, "initrd.img"));
}

} // namespace
} // namespace modkit::module
