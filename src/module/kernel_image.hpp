// A kernel image on disk (vmlinuz or vmlinux), read for what the module loader of that kernel
// trusts and exports: the X.509 certificates built into its system keyring (the build's own
// module-signing key first) and, through module/ksymtab.hpp, its export tables. Debian's
// System.map is a stub, so the image itself is the only source for the certificates.
//
// x86 bzImage (boot protocol >= 2.08): the protected-mode part starts at (setup_sects + 1) *
// 512 (setup_sects 0 means 4); header field payload_offset (u32 at 0x248) and payload_length
// (0x24c) locate the compressed vmlinux inside it: gzip, or xz / zstd followed by the 4-byte
// little-endian uncompressed size (scripts/Makefile.lib size_append). The result is the
// stripped ELF vmlinux: section headers kept, symbol table gone. A plain ELF file is taken as is.
//
// The certificate list (certs/system_certificates.S): at an 8-byte aligned address, one or
// more DER certificates back to back (system_certificate_list), then zero padding, then at an
// 8-byte aligned address the quad system_certificate_list_size (their total length) followed
// by the quad module_cert_size (the length of the first, <= the total).
#pragma once

#include "elf/elf_file.hpp"
#include "util/buffer.hpp"
#include "util/byte_source.hpp"
#include "util/error.hpp"

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace modkit::module {

class KernelImage {
public:
    // Reads and (for a bzImage) decompresses `path`. NotFound if missing; Corrupt for a
    // truncated header or payload; Unsupported for a payload compressed with lz4, lzo, bzip2
    // or lzma, or an image that is neither a bzImage nor ELF (arm64's Image.gz, for example).
    static util::Expected<KernelImage> open(const std::string& path);
    // The same from bytes already in memory; `path` names it in errors.
    static util::Expected<KernelImage> from_bytes(std::span<const uint8_t> data,
                                                  const std::string& path);

    KernelImage(KernelImage&&) noexcept;
    KernelImage& operator=(KernelImage&&) noexcept;
    ~KernelImage();

    const std::string& path() const { return m_path; }
    const elf::ElfFile& elf() const { return m_elf; }

    // The DER certificates of the system keyring, the build key first. Empty when the image
    // has no certificate list (a kernel without CONFIG_SYSTEM_TRUSTED_KEYRING).
    std::vector<std::vector<uint8_t>> system_certificates() const;

private:
    KernelImage() = default;
    std::string m_path;
    util::Buffer m_vmlinux;
    std::unique_ptr<util::MemorySource> m_source;
    elf::ElfFile m_elf;
};

// The compressed payload of a bzImage, with the format it is in ("gzip", "xz", "zstd",
// "lz4"...); Corrupt if the header is truncated or points outside the file.
struct BzPayload {
    std::span<const uint8_t> data; // size_append bytes removed for xz and zstd
    std::string format;
};
util::Expected<BzPayload> bzimage_payload(std::span<const uint8_t> image, const std::string& path);

// The system certificates of a kernel image file (vmlinuz or vmlinux). A vmlinuz is decompressed
// only as far as the certificate list: on x86 it lies in .init.data, about two thirds in.
// Errors as KernelImage::open; an image without a list gives an empty vector.
util::Expected<std::vector<std::vector<uint8_t>>> read_system_certificates(const std::string& path);

// The certificate list in the bytes of one section, as described above; empty if none.
std::vector<std::vector<uint8_t>> find_certificate_list(std::span<const uint8_t> data,
                                                        uint64_t address);

} // namespace modkit::module
