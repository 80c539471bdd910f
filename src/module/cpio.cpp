// Listing an initramfs: archives parsed in place, compressed parts decompressed whole (an
// initramfs is tens of megabytes at most) and parsed recursively.
#include "module/cpio.hpp"

#include "module/decompress.hpp"
#include "util/buffer.hpp"

#include <cstring>

namespace modkit::module {
namespace {

using util::ErrorKind;

constexpr size_t k_header = 110;
constexpr int k_max_depth = 4; // a compressed archive inside a compressed archive...

std::optional<uint64_t> hex8(std::span<const uint8_t> d, size_t off) {
    uint64_t v = 0;
    for (size_t i = 0; i < 8; ++i) {
        char c = static_cast<char>(d[off + i]);
        int x = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (x < 0) return std::nullopt;
        v = v << 4 | static_cast<uint64_t>(x);
    }
    return v;
}

size_t pad4(size_t n) {
    return (n + 3) & ~size_t{3};
}

util::Expected<void> parse(std::span<const uint8_t> data, const std::string& path,
                           std::vector<CpioEntry>& out, int depth) {
    auto corrupt = [&](size_t at, std::string what) {
        return util::fail(ErrorKind::Corrupt, EINVAL, path,
                          what + " at offset " + std::to_string(at));
    };
    size_t pos = 0;
    while (pos < data.size()) {
        if (data[pos] == 0) { // padding between archives
            ++pos;
            continue;
        }
        std::span<const uint8_t> rest = data.subspan(pos);
        Compression c = detect_compression(rest);
        if (c != Compression::None) {
            if (depth >= k_max_depth) return corrupt(pos, "compressed archives nested too deep");
            auto inflated = decompress(rest, c, path);
            if (!inflated) return util::fail(std::move(inflated.error()));
            return parse(inflated->bytes(), path, out, depth + 1);
        }
        if (rest.size() >= 4 && (std::memcmp(rest.data(), "\x02\x21\x4c\x18", 4) == 0 ||
                                 std::memcmp(rest.data(), "\x89LZO", 4) == 0 ||
                                 std::memcmp(rest.data(), "BZh", 3) == 0))
            return util::fail(ErrorKind::Unsupported, ENOTSUP, path,
                              "initramfs compressed with lz4, lzo or bzip2: cannot list it");
        if (rest.size() < k_header) return corrupt(pos, "truncated cpio header");
        if (std::memcmp(rest.data(), "07070", 5) != 0 || (rest[5] != '1' && rest[5] != '2'))
            return corrupt(pos, "not a cpio newc archive");
        auto mode = hex8(rest, 14), size = hex8(rest, 54), namesize = hex8(rest, 94);
        if (!mode || !size || !namesize) return corrupt(pos, "bad cpio header field");
        if (*namesize == 0 || *namesize > rest.size() - k_header)
            return corrupt(pos, "cpio name outside the archive");
        const uint8_t* name = rest.data() + k_header;
        if (name[*namesize - 1] != 0) return corrupt(pos, "cpio name not terminated");
        std::string n(reinterpret_cast<const char*>(name), static_cast<size_t>(*namesize - 1));
        size_t data_at = pad4(k_header + static_cast<size_t>(*namesize));
        if (data_at > rest.size() || *size > rest.size() - data_at)
            return corrupt(pos, "cpio data outside the archive");
        pos += pad4(data_at + static_cast<size_t>(*size));
        if (n == "TRAILER!!!") continue;
        while (n.starts_with("./"))
            n.erase(0, 2);
        while (n.starts_with('/'))
            n.erase(0, 1);
        out.push_back({std::move(n), static_cast<uint32_t>(*mode), *size});
    }
    return {};
}

} // namespace

util::Expected<std::vector<CpioEntry>> list_initramfs(std::span<const uint8_t> data,
                                                      const std::string& path) {
    std::vector<CpioEntry> out;
    if (auto r = parse(data, path, out, 0); !r) return util::fail(std::move(r.error()));
    return out;
}

util::Expected<std::vector<CpioEntry>> list_initramfs_file(const std::string& path) {
    auto bytes = util::read_file_bytes(path);
    if (!bytes) return util::fail(std::move(bytes.error()));
    return list_initramfs(bytes->bytes(), path);
}

} // namespace modkit::module
