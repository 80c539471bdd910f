// Decompression through zlib, liblzma and libzstd. Input arrives in pieces (a whole buffer, or
// chunks read from a file); the output buffer is sized from the format's own size field when
// there is one, so a module usually decompresses with a single allocation.
#include "module/decompress.hpp"

#include <algorithm>
#include <cstring>
#include <lzma.h>
#include <utility>
#include <zlib.h>
#include <zstd.h>

namespace modkit::module {

using util::ErrorKind;

namespace {

constexpr size_t k_max_image = size_t{1} << 30;     // refuse to inflate past 1 GiB
constexpr size_t k_max_initial = size_t{256} << 20; // never trust a size field beyond this

util::Error corrupt(const std::string& path, std::string msg) {
    return util::Error{ErrorKind::Corrupt, EINVAL, path, 0, std::move(msg)};
}

// With a progress observer, output is produced (and shown to it) this much at a time.
constexpr size_t k_progress_step = size_t{4} << 20;

// Output growth shared by the decoders; false when the image would exceed k_max_image.
bool grow(util::Buffer& out) {
    if (out.size() >= k_max_image) return false;
    out.resize(std::min(k_max_image, std::max<size_t>(out.size() * 2, 65536)));
    return true;
}

size_t initial_size(uint64_t hint) {
    // +1 so a correct hint lets the decoder see the end of the stream without growing.
    return hint > 0 ? static_cast<size_t>(std::min<uint64_t>(hint, k_max_initial)) + 1 : 65536;
}

// Fetches the next input piece into (next, avail); false on read error (error set).
bool refill(const InputFn& input, const uint8_t*& next, size_t& avail, bool& eof,
            std::string& error) {
    auto piece = input();
    if (!piece) {
        error = piece.error().describe();
        return false;
    }
    next = piece->data();
    avail = piece->size();
    eof = piece->empty();
    return true;
}

const char* xz_error(lzma_ret ret) {
    switch (ret) {
    case LZMA_MEM_ERROR:
        return "xz: Cannot allocate memory";
    case LZMA_FORMAT_ERROR:
        return "xz: File format not recognized";
    case LZMA_OPTIONS_ERROR:
        return "xz: Unsupported compression options";
    case LZMA_DATA_ERROR:
        return "xz: File is corrupt";
    case LZMA_BUF_ERROR:
        return "xz: Unexpected end of input";
    default:
        return "xz: Internal error (bug)";
    }
}

// One decoder per thread, re-initialised for every stream: liblzma then keeps the dictionary
// (8 MiB at xz's default preset) allocated and faulted in across modules instead of mapping
// and faulting in a fresh one for each.
struct XzDecoder {
    lzma_stream strm = LZMA_STREAM_INIT;
    XzDecoder() = default;
    XzDecoder(const XzDecoder&) = delete;
    XzDecoder& operator=(const XzDecoder&) = delete;
    ~XzDecoder() { lzma_end(&strm); }
};

// Likewise for zstd: a decompression context reset per stream keeps its window buffer.
struct ZstdDecoder {
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    ZstdDecoder() = default;
    ZstdDecoder(const ZstdDecoder&) = delete;
    ZstdDecoder& operator=(const ZstdDecoder&) = delete;
    ~ZstdDecoder() { ZSTD_freeDCtx(dctx); }
};

util::Expected<util::Buffer> xz_stream(const InputFn& input, uint64_t hint, const std::string& path,
                                       const ProgressFn& progress) {
    thread_local XzDecoder decoder;
    lzma_stream& strm = decoder.strm;
    if (lzma_stream_decoder(&strm, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
        lzma_end(&strm);
        strm = LZMA_STREAM_INIT;
        return std::unexpected(corrupt(path, "xz: Internal error (bug)"));
    }
    util::Buffer out(initial_size(hint));
    size_t produced = 0;
    bool eof = false;
    std::string error;
    lzma_ret ret = LZMA_OK;
    for (;;) {
        if (strm.avail_in == 0 && !eof) {
            const uint8_t* next = nullptr;
            size_t avail = 0;
            if (!refill(input, next, avail, eof, error)) break;
            strm.next_in = next;
            strm.avail_in = avail;
        }
        if (produced == out.size() && !grow(out)) {
            error = "xz: decompressed image too large";
            break;
        }
        strm.next_out = out.data() + produced;
        strm.avail_out = std::min(out.size() - produced, progress ? k_progress_step : SIZE_MAX);
        size_t before = strm.avail_out;
        ret = lzma_code(&strm, eof ? LZMA_FINISH : LZMA_RUN);
        produced += before - strm.avail_out;
        if (ret == LZMA_STREAM_END) break;
        if (ret == LZMA_OK && progress && !progress({out.data(), produced})) {
            ret = LZMA_STREAM_END; // the caller has what it wanted
            break;
        }
        if (ret == LZMA_OK) continue;
        if (ret == LZMA_BUF_ERROR && strm.avail_out == 0) continue; // needs more room
        error = xz_error(ret);
        break;
    }
    strm.next_in = nullptr; // the input pieces do not outlive this call
    strm.avail_in = 0;
    if (ret != LZMA_STREAM_END)
        return std::unexpected(corrupt(path, error.empty() ? xz_error(ret) : error));
    out.resize(produced);
    return out;
}

util::Expected<util::Buffer> zstd_stream(const InputFn& input, uint64_t hint,
                                         const std::string& path, const ProgressFn& progress) {
    thread_local ZstdDecoder decoder;
    ZSTD_DCtx* dctx = decoder.dctx;
    if (dctx == nullptr || ZSTD_isError(ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only)))
        return std::unexpected(corrupt(path, "zstd: Failed to create decompression context"));
    util::Buffer out(initial_size(hint));
    size_t produced = 0;
    size_t remaining = 1; // ZSTD_decompressStream's "more to come" hint; 0 = frame complete
    bool eof = false, out_was_full = false;
    std::string error;
    ZSTD_inBuffer in{nullptr, 0, 0};
    for (;;) {
        if (in.pos == in.size && !eof) {
            const uint8_t* next = nullptr;
            size_t avail = 0;
            if (!refill(input, next, avail, eof, error)) break;
            in = {next, avail, 0};
        }
        // All input consumed: done if the frame is complete; if the decoder stopped because the
        // output was full it still holds data, so grow and call again; otherwise truncated.
        if (eof && in.pos == in.size && !out_was_full) {
            if (remaining != 0) error = "zstd: truncated input";
            break;
        }
        if (produced == out.size() && !grow(out)) {
            error = "zstd: decompressed image too large";
            break;
        }
        ZSTD_outBuffer ob{out.data() + produced,
                          std::min(out.size() - produced, progress ? k_progress_step : SIZE_MAX),
                          0};
        remaining = ZSTD_decompressStream(dctx, &ob, &in);
        produced += ob.pos;
        out_was_full = ob.pos == ob.size;
        if (ZSTD_isError(remaining)) {
            error = std::string("zstd: ") + ZSTD_getErrorName(remaining);
            break;
        }
        if (progress && !progress({out.data(), produced})) break; // the caller has enough
    }
    if (!error.empty()) return std::unexpected(corrupt(path, error));
    out.resize(produced);
    return out;
}

util::Expected<util::Buffer> gzip_stream(const InputFn& input, uint64_t hint,
                                         const std::string& path, const ProgressFn& progress) {
    z_stream zs;
    std::memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 32) != Z_OK) // 15 + 32: gzip or zlib header, auto-detected
        return std::unexpected(corrupt(path, "gzip: inflateInit failed"));
    util::Buffer out(initial_size(hint));
    size_t produced = 0;
    bool eof = false, done = false;
    std::string error;
    const uint8_t* next = nullptr;
    size_t avail = 0;
    uint8_t carry[2];                   // a member magic split across two input pieces
    const uint8_t* held_next = nullptr; // the rest of the piece after `carry`
    size_t held_avail = 0;
    for (;;) {
        if (avail == 0 && held_avail != 0) {
            next = held_next;
            avail = std::exchange(held_avail, 0);
        }
        if (avail == 0 && !eof) {
            if (!refill(input, next, avail, eof, error)) break;
        }
        if (done && avail == 1 && !eof) {
            // One byte left in this piece: look at the first byte of the next one too.
            carry[0] = next[0];
            if (!refill(input, next, avail, eof, error)) break;
            if (avail == 0) break; // a single trailing byte is garbage, ignored
            carry[1] = next[0];
            held_next = next + 1;
            held_avail = avail - 1;
            next = carry;
            avail = 2;
        }
        if (done) {
            // Another gzip member after the first: decompress it too, like gzip -d.
            if (avail >= 2 && next[0] == 0x1f && next[1] == 0x8b) {
                inflateReset(&zs);
                done = false;
            } else if (avail == 0 && eof) {
                break;
            } else if (avail == 0) {
                continue;
            } else {
                break; // trailing garbage after a complete member is ignored, as gzip does
            }
        }
        if (eof && avail == 0) {
            error = "gzip: unexpected end of file";
            break;
        }
        if (produced == out.size() && !grow(out)) {
            error = "gzip: decompressed image too large";
            break;
        }
        size_t in_chunk = std::min<size_t>(avail, UINT32_MAX);
        size_t out_chunk =
            std::min<size_t>(out.size() - produced, progress ? k_progress_step : UINT32_MAX);
        zs.next_in = const_cast<Bytef*>(next);
        zs.avail_in = static_cast<uInt>(in_chunk);
        zs.next_out = out.data() + produced;
        zs.avail_out = static_cast<uInt>(out_chunk);
        int ret = inflate(&zs, Z_NO_FLUSH);
        size_t used = in_chunk - zs.avail_in;
        next += used;
        avail -= used;
        produced += out_chunk - zs.avail_out;
        if (ret == Z_STREAM_END) {
            done = true;
            continue;
        }
        if (ret == Z_OK && progress && !progress({out.data(), produced})) break;
        if (ret == Z_OK || ret == Z_BUF_ERROR) continue;
        error = std::string("gzip: ") + (zs.msg != nullptr ? zs.msg : "corrupt data");
        break;
    }
    inflateEnd(&zs);
    if (!error.empty()) return std::unexpected(corrupt(path, error));
    out.resize(produced);
    return out;
}

uint64_t
xz_size_from_index(uint64_t size,
                   const std::function<std::optional<util::Buffer>(uint64_t, uint64_t)>& read_at) {
    if (size < 2 * LZMA_STREAM_HEADER_SIZE) return 0;
    auto foot = read_at(size - LZMA_STREAM_HEADER_SIZE, LZMA_STREAM_HEADER_SIZE);
    if (!foot) return 0;
    lzma_stream_flags footer;
    if (lzma_stream_footer_decode(&footer, foot->data()) != LZMA_OK) return 0;
    if (footer.backward_size > size - 2 * LZMA_STREAM_HEADER_SIZE) return 0;
    auto index_bytes =
        read_at(size - LZMA_STREAM_HEADER_SIZE - footer.backward_size, footer.backward_size);
    if (!index_bytes) return 0;
    lzma_index* index = nullptr;
    // A real module's index has a record per block (a few KiB); a damaged record count must
    // not make liblzma allocate gigabytes (or, under ASan, abort) just to read a size hint.
    uint64_t memlimit = uint64_t{16} << 20;
    size_t pos = 0;
    if (lzma_index_buffer_decode(&index, &memlimit, nullptr, index_bytes->data(), &pos,
                                 index_bytes->size()) != LZMA_OK)
        return 0;
    uint64_t out = lzma_index_uncompressed_size(index);
    lzma_index_end(index, nullptr);
    return out;
}

} // namespace

Compression detect_compression(std::span<const uint8_t> d) {
    if (d.size() >= 4 && d[0] == 0x28 && d[1] == 0xB5 && d[2] == 0x2F && d[3] == 0xFD)
        return Compression::Zstd;
    if (d.size() >= 6 && std::memcmp(d.data(),
                                     "\xFD"
                                     "7zXZ\0",
                                     6) == 0)
        return Compression::Xz;
    if (d.size() >= 2 && d[0] == 0x1F && d[1] == 0x8B) return Compression::Gzip;
    return Compression::None;
}

std::string_view compression_name(Compression c) {
    switch (c) {
    case Compression::None:
        return "none";
    case Compression::Gzip:
        return "gzip";
    case Compression::Xz:
        return "xz";
    case Compression::Zstd:
        return "zstd";
    }
    return "none";
}

std::string_view compression_extension(Compression c) {
    switch (c) {
    case Compression::None:
        return "";
    case Compression::Gzip:
        return ".gz";
    case Compression::Xz:
        return ".xz";
    case Compression::Zstd:
        return ".zst";
    }
    return "";
}

uint64_t decompressed_size_hint(
    Compression c, uint64_t size,
    const std::function<std::optional<util::Buffer>(uint64_t, uint64_t)>& read_at) {
    switch (c) {
    case Compression::Xz:
        return xz_size_from_index(size, read_at);
    case Compression::Zstd: {
        auto head = read_at(0, std::min<uint64_t>(size, 18)); // ZSTD_FRAMEHEADERSIZE_MAX
        if (!head) return 0;
        unsigned long long n = ZSTD_getFrameContentSize(head->data(), head->size());
        return n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR ? 0 : n;
    }
    case Compression::Gzip: {
        if (size < 18) return 0;
        auto t = read_at(size - 4, 4);
        if (!t) return 0;
        const uint8_t* p = t->data();
        uint64_t isize = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint64_t>(p[3]) << 24);
        // Deflate expands at most 1032:1; a larger ISIZE is the garbage tail of a truncated or
        // damaged file and must not size (or reserve budget for) a huge buffer.
        return isize / 1032 > size ? 0 : isize;
    }
    case Compression::None:
        return size;
    }
    return 0;
}

util::Expected<util::Buffer> decompress_stream(const InputFn& input, Compression c, uint64_t hint,
                                               const std::string& path,
                                               const ProgressFn& progress) {
    switch (c) {
    case Compression::Xz:
        return xz_stream(input, hint, path, progress);
    case Compression::Zstd:
        return zstd_stream(input, hint, path, progress);
    case Compression::Gzip:
        return gzip_stream(input, hint, path, progress);
    case Compression::None:
        break;
    }
    util::Buffer out;
    for (;;) {
        auto piece = input();
        if (!piece) return std::unexpected(piece.error());
        if (piece->empty()) return out;
        size_t at = out.size();
        out.resize(at + piece->size());
        std::memcpy(out.data() + at, piece->data(), piece->size());
    }
}

util::Expected<util::Buffer> decompress(std::span<const uint8_t> data, Compression c,
                                        const std::string& path, const ProgressFn& progress) {
    auto read_at = [&](uint64_t off, uint64_t len) -> std::optional<util::Buffer> {
        if (off > data.size() || len > data.size() - off) return std::nullopt;
        return util::Buffer(data.subspan(off, len));
    };
    uint64_t hint = decompressed_size_hint(c, data.size(), read_at);
    bool given = false;
    InputFn input = [&]() -> util::Expected<std::span<const uint8_t>> {
        if (given) return std::span<const uint8_t>();
        given = true;
        return data;
    };
    return decompress_stream(input, c, hint, path, progress);
}

} // namespace modkit::module
