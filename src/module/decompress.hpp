// Compressed modules: detection by magic bytes (never by extension) and decompression of
// gzip, xz and zstd images into memory, from a buffer or streamed from a file descriptor (so
// the compressed bytes are never held whole).
#pragma once

#include "util/buffer.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace modkit::module {

enum class Compression { None, Gzip, Xz, Zstd };

// Detects by magic: zstd 28 B5 2F FD, xz FD 37 7A 58 5A 00, gzip 1F 8B.
Compression detect_compression(std::span<const uint8_t> data);
std::string_view compression_name(Compression c); // "none", "gzip", "xz", "zstd"
// The module-file extension for a compression: "", ".gz", ".xz", ".zst".
std::string_view compression_extension(Compression c);

// Supplies compressed input piece by piece: each call returns the next piece (valid until the
// next call), an empty span at the end of input, or an error.
using InputFn = std::function<util::Expected<std::span<const uint8_t>>()>;

// The decompressed size as recorded by the format (xz index, zstd frame header, gzip ISIZE),
// or 0 if unknown. `read_at(off, len)` reads raw bytes of the compressed file.
uint64_t decompressed_size_hint(
    Compression c, uint64_t compressed_size,
    const std::function<std::optional<util::Buffer>(uint64_t, uint64_t)>& read_at);

// Shown everything produced so far, after each step (a few MiB) of a decompression; returning
// false ends it there successfully, the buffer holding what was produced (reading a kernel
// image up to its certificate list need not inflate the rest).
using ProgressFn = std::function<bool(std::span<const uint8_t> produced)>;

// Decompresses a whole in-memory image. Corrupt or truncated input fails with kind Corrupt,
// EINVAL and a message naming the format ("xz: File is corrupt").
util::Expected<util::Buffer> decompress(std::span<const uint8_t> data, Compression c,
                                        const std::string& path, const ProgressFn& progress = {});
// The same, reading the compressed bytes from `input`; `size_hint` sizes the output (0: grow).
util::Expected<util::Buffer> decompress_stream(const InputFn& input, Compression c,
                                               uint64_t size_hint, const std::string& path,
                                               const ProgressFn& progress = {});

} // namespace modkit::module
