// libFuzzer target for the kernel-image reader: any bytes as a vmlinuz (bzImage header,
// compressed payload) or a vmlinux (ELF), then the certificate search and the export tables.
// Errors are values; nothing reads outside the image (ASan).
#include "module/kernel_image.hpp"
#include "module/ksymtab.hpp"
#include "module/sig_verify.hpp"

#include <cstddef>
#include <cstdint>

using namespace modkit;

namespace {
volatile size_t g_sink;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::span<const uint8_t> bytes(data, size);
    if (auto payload = module::bzimage_payload(bytes, "fuzz-vmlinuz")) {
        if (payload->data.data() < data ||
            payload->data.data() + payload->data.size() > data + size)
            __builtin_trap();
    }
    // The certificate search alone, on the raw bytes, at two alignments.
    for (uint64_t addr : {0ull, 4ull}) {
        auto certs = module::find_certificate_list(bytes, addr);
        module::TrustedKeys keys(certs);
        g_sink = g_sink + keys.count();
    }
    auto image = module::KernelImage::from_bytes(bytes, "fuzz-vmlinuz");
    if (!image) return 0;
    auto certs = image->system_certificates();
    g_sink = g_sink + certs.size();
    if (auto exports = module::vmlinux_exports(image->elf(), "fuzz-vmlinuz"))
        for (const auto& e : *exports)
            g_sink = g_sink + e.name.size() + e.name_space.size();
    return 0;
}
