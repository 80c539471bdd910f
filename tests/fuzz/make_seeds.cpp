// Writes the seed corpora under tests/fuzz/corpus/<target>/ (committed; rerun only to change
// them). Not built by CMake; from the repository root:
//   g++ -std=c++23 -O1 -Isrc -Itests/unit tests/fuzz/make_seeds.cpp tests/unit/elf_builder.cpp
//       tests/unit/pkcs7_signer.cpp -lcrypto -lzstd -llzma -lz -o /tmp/make_seeds
//   /tmp/make_seeds tests/fuzz/corpus tests/data/index
// (The PKCS#7 seed uses a fresh key, so its bytes change on every run.)
#include "elf_builder.hpp"
#include "pkcs7_signer.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace modkit;
namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<uint8_t>;

void put(const fs::path& dir, const std::string& name, const Bytes& bytes) {
    fs::create_directories(dir);
    std::ofstream(dir / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    if (bytes.size() > 20000)
        std::fprintf(stderr, "warning: %s is %zu bytes\n", name.c_str(), bytes.size());
}

Bytes read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Bytes cat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

Bytes text(std::string_view s) {
    return {s.begin(), s.end()};
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR INDEX_DATA_DIR\n", argv[0]);
        return 2;
    }
    const fs::path corpus = argv[1], index_data = argv[2];

    const Bytes plain64 = test::sample_module(elf::ElfClass::Elf64, util::Endian::Little).build();
    const Bytes plain32 = test::sample_module(elf::ElfClass::Elf32, util::Endian::Big).build();
    test::Pkcs7Signer signer({{"O", "modkit"}, {"CN", "fuzz seed key"}}, {0x7a, 0x01}, 1024);
    test::ModuleSig pk;
    pk.algo = 0;
    pk.hash = 0;
    pk.id_type = 2;
    pk.signature = signer.sign(plain64, nullptr, false);
    const Bytes signed64 = test::append_signature(plain64, pk);
    test::ModuleSig legacy;
    legacy.id_type = 1;
    legacy.signer = "legacy";
    legacy.key_id = {1, 2, 3, 4};
    legacy.signature = {9, 9, 9, 9, 9, 9};
    test::ElfBuilder tiny;
    tiny.modinfo({"license=GPL", "vermagic=6.1.0 SMP mod_unload "});

    const fs::path mod = corpus / "fuzz_module";
    put(mod, "sample64le.ko", plain64);
    put(mod, "sample32be.ko", plain32);
    put(mod, "signed-pkcs7.ko", signed64);
    put(mod, "signed-x509.ko", test::append_signature(plain32, legacy));
    put(mod, "tiny.ko", tiny.build());
    put(mod, "signed.ko.xz", test::xz_compress(signed64, 64 << 10));
    put(mod, "sample.ko.zst", test::zstd_compress(plain64));
    put(mod, "sample.ko.gz", test::gzip_compress(plain32));

    const fs::path dec = corpus / "fuzz_decompress";
    // ctl byte: bits 0-1 format (0 gzip, 1 xz, 2 zstd, 3 by magic), bits 2-7 piece size - 1.
    put(dec, "gzip-piece1", cat({0x00}, test::gzip_compress(plain64)));
    put(dec, "xz-piece8", cat({0x1d}, test::xz_compress(plain64, 64 << 10)));
    put(dec, "zstd-piece64", cat({0xfe}, test::zstd_compress(plain32)));
    put(dec, "zstd-nosize-magic", cat({0x0f}, test::zstd_compress(plain32, false)));
    put(dec, "gzip-two-members",
        cat({0x13}, cat(test::gzip_compress(plain32), test::gzip_compress(text("second")))));
    put(dec, "xz-two-streams",
        cat({0x05},
            cat(test::xz_compress(text("one"), 4096), test::xz_compress(text("two"), 4096))));

    const fs::path idx = corpus / "fuzz_index";
    auto raw = [&](uint8_t mode, std::string key, const char* file) {
        Bytes out = {mode, static_cast<uint8_t>(key.size())};
        out.insert(out.end(), key.begin(), key.end());
        return cat(out, read(index_data / file));
    };
    put(idx, "alias-pre", raw(0, "fs_ext4", "pre/modules.alias.bin"));
    put(idx, "alias-post-usb",
        raw(2, "usb:v0BC2p2320d0100dc00dsc00dp00ic08isc06ip50in00", "post/modules.alias.bin"));
    put(idx, "dep-pre", raw(4, "snd_hda_intel", "pre/modules.dep.bin"));
    put(idx, "builtin-alias-post", raw(6, "net_pf_1", "post/modules.builtin.alias.bin"));
    put(idx, "roundtrip-wildcards",
        cat({1}, text("pci:v00008086d*\tsnd_hda_intel\t5\nusb*\tusb_storage\t8\nfs_ext4\text4\t1\n"
                      "fs_ext4\tmy_driver\t10\nsym[-_]test[0-9]\tmy_driver\t10\na?c\tx\t0\n"
                      "\troot\t3\nab\tv\t2\nabc\tw\t2\n")));
    put(idx, "roundtrip-split",
        cat({3}, text("abcdef\t1\t0\nabcxyz\t2\t0\nab\t3\t0\nabcdefgh\t4\t0\n")));
    return 0;
}
