// bzImage unpacking and the search for the built-in certificate list.
#include "module/kernel_image.hpp"

#include "module/decompress.hpp"
#include "util/byte_reader.hpp"

#include <cstring>
#include <openssl/x509.h>

namespace modkit::module {
namespace {

using util::ErrorKind;

constexpr uint64_t k_hdrs_offset = 0x202; // "HdrS"
constexpr uint64_t k_setup_sects = 0x1f1;
constexpr uint64_t k_version = 0x206;
constexpr uint64_t k_payload_offset = 0x248;
constexpr uint64_t k_payload_length = 0x24c;
constexpr uint16_t k_min_protocol = 0x0208; // payload_offset/length exist since 2.08
// How far zero padding (CONFIG_SYSTEM_EXTRA_CERTIFICATE's reserved space) may separate the
// certificates from their size.
constexpr uint64_t k_max_padding = 1 << 20;

std::string payload_format(std::span<const uint8_t> p) {
    auto starts = [&](std::initializer_list<uint8_t> magic) {
        return p.size() >= magic.size() && std::equal(magic.begin(), magic.end(), p.begin());
    };
    if (starts({0x1f, 0x8b})) return "gzip";
    if (starts({0xfd, '7', 'z', 'X', 'Z', 0x00})) return "xz";
    if (starts({0x28, 0xb5, 0x2f, 0xfd})) return "zstd";
    if (starts({0x02, 0x21, 0x4c, 0x18})) return "lz4";
    if (starts({0x89, 'L', 'Z', 'O'})) return "lzo";
    if (starts({'B', 'Z', 'h'})) return "bzip2";
    if (starts({0x5d, 0x00, 0x00})) return "lzma";
    return "unknown";
}

// The length of the DER certificate at `off`, if one parses there.
size_t certificate_at(std::span<const uint8_t> data, size_t off) {
    if (off + 8 > data.size() || data[off] != 0x30 || data[off + 1] != 0x82) return 0;
    if (data[off + 4] != 0x30 || data[off + 5] != 0x82) return 0; // tbsCertificate
    size_t len = 4 + (static_cast<size_t>(data[off + 2]) << 8 | data[off + 3]);
    if (len > data.size() - off) return 0;
    const unsigned char* p = data.data() + off;
    X509* cert = d2i_X509(nullptr, &p, static_cast<long>(len));
    if (cert == nullptr) return 0;
    X509_free(cert);
    return static_cast<size_t>(p - (data.data() + off)) == len ? len : 0;
}

} // namespace

util::Expected<BzPayload> bzimage_payload(std::span<const uint8_t> image, const std::string& path) {
    util::ByteReader r(image);
    auto corrupt = [&](std::string what) {
        return util::fail(ErrorKind::Corrupt, EINVAL, path, "not a usable bzImage: " + what);
    };
    auto magic = r.str(k_hdrs_offset, 4);
    if (!magic || *magic != "HdrS") return corrupt("no HdrS header");
    auto version = r.u16(k_version);
    if (!version || *version < k_min_protocol) return corrupt("boot protocol older than 2.08");
    auto sects = r.u8(k_setup_sects);
    auto off = r.u32(k_payload_offset);
    auto len = r.u32(k_payload_length);
    if (!sects || !off || !len) return corrupt("truncated header");
    uint64_t start = (static_cast<uint64_t>(*sects == 0 ? 4 : *sects) + 1) * 512 + *off;
    if (!r.has(start, *len)) return corrupt("payload outside the file");
    BzPayload out{image.subspan(start, *len), {}};
    out.format = payload_format(out.data);
    if ((out.format == "xz" || out.format == "zstd") && out.data.size() > 4)
        out.data = out.data.first(out.data.size() - 4);
    return out;
}

KernelImage::KernelImage(KernelImage&&) noexcept = default;
KernelImage& KernelImage::operator=(KernelImage&&) noexcept = default;
KernelImage::~KernelImage() = default;

util::Expected<KernelImage> KernelImage::open(const std::string& path) {
    auto bytes = util::read_file_bytes(path);
    if (!bytes) return util::fail(std::move(bytes.error()));
    return from_bytes(bytes->bytes(), path);
}

util::Expected<KernelImage> KernelImage::from_bytes(std::span<const uint8_t> data,
                                                    const std::string& path) {
    KernelImage img;
    img.m_path = path;
    static constexpr uint8_t k_elf[] = {0x7f, 'E', 'L', 'F'};
    if (data.size() >= 4 && std::memcmp(data.data(), k_elf, 4) == 0) {
        img.m_vmlinux = util::Buffer(data);
    } else {
        auto payload = bzimage_payload(data, path);
        if (!payload) return util::fail(std::move(payload.error()));
        Compression c = payload->format == "gzip"   ? Compression::Gzip
                        : payload->format == "xz"   ? Compression::Xz
                        : payload->format == "zstd" ? Compression::Zstd
                                                    : Compression::None;
        if (c == Compression::None)
            return util::fail(ErrorKind::Unsupported, ENOTSUP, path,
                              "kernel image compressed with " + payload->format +
                                  ", which modkit cannot decompress");
        auto inflated = decompress(payload->data, c, path);
        if (!inflated) return util::fail(std::move(inflated.error()));
        img.m_vmlinux = std::move(*inflated);
    }
    img.m_source = std::make_unique<util::MemorySource>(img.m_vmlinux.bytes());
    auto elf = elf::ElfFile::parse(*img.m_source, path);
    if (!elf) {
        util::Error e = std::move(elf.error());
        e.kind = ErrorKind::Corrupt;
        e.message = "the kernel image holds no usable ELF vmlinux: " + e.message;
        return util::fail(std::move(e));
    }
    img.m_elf = std::move(*elf);
    return img;
}

std::vector<std::vector<uint8_t>> find_certificate_list(std::span<const uint8_t> data,
                                                        uint64_t address) {
    util::ByteReader r(data);
    for (size_t off = (8 - address % 8) % 8; off + 8 <= data.size(); off += 8) {
        if (data[off] != 0x30 || data[off + 1] != 0x82) continue;
        std::vector<std::pair<size_t, size_t>> certs;
        size_t end = off;
        while (size_t len = certificate_at(data, end)) {
            certs.emplace_back(end, len);
            end += len;
        }
        if (certs.empty()) continue;
        const uint64_t total = end - off;
        // Zero padding up to the aligned size quad.
        for (size_t q = end + (8 - (address + end) % 8) % 8; q + 16 <= data.size(); q += 8) {
            if (q - end > k_max_padding) break;
            auto size = r.u64(q), first = r.u64(q + 8);
            if (*size == total && (*first == 0 || *first == certs.front().second)) {
                std::vector<std::vector<uint8_t>> out;
                for (auto [start, len] : certs)
                    out.emplace_back(data.begin() + static_cast<ptrdiff_t>(start),
                                     data.begin() + static_cast<ptrdiff_t>(start + len));
                return out;
            }
            if (*size != 0) break; // not padding
        }
    }
    return {};
}

std::vector<std::vector<uint8_t>> KernelImage::system_certificates() const {
    // The list lives in .init.data on x86 (__INITRODATA merged there) and in .init.rodata or
    // .init.data elsewhere; try those first, then every allocated section.
    for (std::string_view name : {".init.data", ".init.rodata"}) {
        const elf::Section* s = m_elf.find(name);
        if (s == nullptr || s->type == elf::k_sht_nobits) continue;
        auto data = m_elf.section_data(*s);
        if (!data) continue;
        auto certs = find_certificate_list(data->bytes(), s->addr);
        if (!certs.empty()) return certs;
    }
    for (const auto& s : m_elf.sections()) {
        if (!s.data_ok || s.type == elf::k_sht_nobits || (s.flags & elf::k_shf_alloc) == 0)
            continue;
        if (s.name == ".init.data" || s.name == ".init.rodata") continue;
        auto data = m_elf.section_data(s);
        if (!data) continue;
        auto certs = find_certificate_list(data->bytes(), s.addr);
        if (!certs.empty()) return certs;
    }
    return {};
}

util::Expected<std::vector<std::vector<uint8_t>>>
read_system_certificates(const std::string& path) {
    auto bytes = util::read_file_bytes(path);
    if (!bytes) return util::fail(std::move(bytes.error()));
    static constexpr uint8_t k_elf[] = {0x7f, 'E', 'L', 'F'};
    if (bytes->size() >= 4 && std::memcmp(bytes->data(), k_elf, 4) == 0) {
        auto img = KernelImage::from_bytes(bytes->bytes(), path);
        if (!img) return util::fail(std::move(img.error()));
        return img->system_certificates();
    }
    auto payload = bzimage_payload(bytes->bytes(), path);
    if (!payload) return util::fail(std::move(payload.error()));
    Compression c = payload->format == "gzip"   ? Compression::Gzip
                    : payload->format == "xz"   ? Compression::Xz
                    : payload->format == "zstd" ? Compression::Zstd
                                                : Compression::None;
    if (c == Compression::None)
        return util::fail(ErrorKind::Unsupported, ENOTSUP, path,
                          "kernel image compressed with " + payload->format +
                              ", which modkit cannot decompress");
    // Scan what has been produced so far, each time from a little before where the last scan
    // ended (a list may straddle two steps). File offsets of vmlinux's loaded sections are
    // congruent to their addresses modulo the page size, so alignment by offset is right.
    constexpr size_t k_overlap = size_t{1} << 20;
    std::vector<std::vector<uint8_t>> found;
    size_t scanned = 0;
    auto progress = [&](std::span<const uint8_t> out) {
        size_t from = scanned > k_overlap ? (scanned - k_overlap) & ~size_t{7} : 0;
        found = find_certificate_list(out.subspan(from), from);
        scanned = out.size();
        return found.empty();
    };
    auto inflated = decompress(payload->data, c, path, progress);
    if (!inflated) return util::fail(std::move(inflated.error()));
    if (found.empty()) found = find_certificate_list(inflated->bytes(), 0);
    return found;
}

} // namespace modkit::module
