// libFuzzer target for the decoders. The first byte picks the format (gzip, xz, zstd, or the
// one the magic names) and the piece size for a second, streamed decode; the rest is the
// compressed data. Whole-buffer and piecewise decoding must agree, and failures must be
// kind Corrupt with EINVAL and a message naming the format.
#include "module/decompress.hpp"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

using namespace modkit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const uint8_t ctl = data[0];
    auto in = std::span(data + 1, size - 1);
    module::Compression c = module::Compression::None;
    switch (ctl & 3) {
    case 0:
        c = module::Compression::Gzip;
        break;
    case 1:
        c = module::Compression::Xz;
        break;
    case 2:
        c = module::Compression::Zstd;
        break;
    default:
        c = module::detect_compression(in);
        break;
    }
    if (c == module::Compression::None) return 0;
    auto whole = module::decompress(in, c, "fuzz.ko");
    if (!whole) {
        const auto& e = whole.error();
        std::string prefix = std::string(module::compression_name(c)) + ": ";
        if (e.kind != util::ErrorKind::Corrupt || e.sys_errno != EINVAL ||
            e.message.compare(0, prefix.size(), prefix) != 0)
            __builtin_trap();
    }

    const size_t piece = (ctl >> 2) + 1; // 1..64 bytes
    size_t pos = 0;
    module::InputFn input = [&]() -> util::Expected<std::span<const uint8_t>> {
        size_t n = std::min(piece, in.size() - pos);
        auto out = in.subspan(pos, n);
        pos += n;
        return out;
    };
    auto streamed = module::decompress_stream(input, c, 0, "fuzz.ko");
    // libzstd checks a frame's declared content size in its single-pass path (whole input,
    // output big enough) but not always when streaming (an empty last block skips it), so for
    // zstd only the outputs of two successful decodes are compared.
    if (whole.has_value() != streamed.has_value() && c != module::Compression::Zstd)
        __builtin_trap();
    if (whole && streamed &&
        (whole->size() != streamed->size() ||
         (whole->size() != 0 && std::memcmp(whole->data(), streamed->data(), whole->size()) != 0)))
        __builtin_trap();
    return 0;
}
