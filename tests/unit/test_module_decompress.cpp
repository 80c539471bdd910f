// module::decompress: detection by magic, round trips through gzip/xz/zstd for whole buffers and
// piecewise input, size hints, multi-member/multi-frame input, and corrupt or truncated input
// failing with kind Corrupt, EINVAL and a message naming the format.
#include "module/decompress.hpp"

#include "elf_builder.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace modkit::module {
namespace {

std::vector<uint8_t> payload(size_t n) {
    std::vector<uint8_t> out(n);
    for (size_t i = 0; i < n; ++i)
        out[i] = static_cast<uint8_t>((i * 31) ^ (i >> 7));
    return out;
}

constexpr uint32_t k_small_dict = 64 << 10;

std::vector<uint8_t> compress(Compression c, std::span<const uint8_t> data) {
    switch (c) {
    case Compression::Gzip:
        return test::gzip_compress(data);
    case Compression::Xz:
        return test::xz_compress(data, k_small_dict);
    case Compression::Zstd:
        return test::zstd_compress(data);
    case Compression::None:
        break;
    }
    return {data.begin(), data.end()};
}

std::string prefix_of(Compression c) {
    return std::string(compression_name(c)) + ": ";
}

bool same(const util::Buffer& b, std::span<const uint8_t> v) {
    return std::ranges::equal(b.bytes(), v);
}

// Feeds `data` in pieces of `piece` bytes.
InputFn pieces(std::span<const uint8_t> data, size_t piece) {
    auto pos = std::make_shared<size_t>(0);
    return [data, piece, pos]() -> util::Expected<std::span<const uint8_t>> {
        size_t n = std::min(piece, data.size() - *pos);
        auto out = data.subspan(*pos, n);
        *pos += n;
        return out;
    };
}

void expect_corrupt(const util::Expected<util::Buffer>& r, Compression c) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, util::ErrorKind::Corrupt);
    EXPECT_EQ(r.error().sys_errno, EINVAL);
    EXPECT_EQ(r.error().path, "m.ko");
    EXPECT_TRUE(r.error().message.starts_with(prefix_of(c))) << r.error().message;
}

TEST(Decompress, DetectsByMagicOnly) {
    using V = std::vector<uint8_t>;
    EXPECT_EQ(detect_compression(V{0x28, 0xB5, 0x2F, 0xFD}), Compression::Zstd);
    EXPECT_EQ(detect_compression(V{0xFD, '7', 'z', 'X', 'Z', 0x00, 1}), Compression::Xz);
    EXPECT_EQ(detect_compression(V{0xFD, '7', 'z', 'X', 'Z', 0x01}), Compression::None);
    EXPECT_EQ(detect_compression(V{0xFD, '7', 'z', 'X', 'Z'}), Compression::None);
    EXPECT_EQ(detect_compression(V{0x1F, 0x8B}), Compression::Gzip);
    EXPECT_EQ(detect_compression(V{0x1F}), Compression::None);
    EXPECT_EQ(detect_compression(V{0x28, 0xB5, 0x2F}), Compression::None);
    EXPECT_EQ(detect_compression(V{0x7F, 'E', 'L', 'F', 2, 1}), Compression::None);
    EXPECT_EQ(detect_compression(V{}), Compression::None);
}

TEST(Decompress, NamesAndExtensions) {
    EXPECT_EQ(compression_name(Compression::None), "none");
    EXPECT_EQ(compression_name(Compression::Gzip), "gzip");
    EXPECT_EQ(compression_name(Compression::Xz), "xz");
    EXPECT_EQ(compression_name(Compression::Zstd), "zstd");
    EXPECT_EQ(compression_extension(Compression::None), "");
    EXPECT_EQ(compression_extension(Compression::Gzip), ".gz");
    EXPECT_EQ(compression_extension(Compression::Xz), ".xz");
    EXPECT_EQ(compression_extension(Compression::Zstd), ".zst");
}

class DecompressFormats : public testing::TestWithParam<Compression> {};

TEST_P(DecompressFormats, RoundTripsSmallAndLargeImages) {
    const Compression c = GetParam();
    for (size_t n : {size_t{0}, size_t{1}, size_t{4096}, size_t{200000}}) {
        auto plain = payload(n);
        auto packed = compress(c, plain);
        EXPECT_EQ(detect_compression(packed), c);
        auto out = decompress(packed, c, "m.ko");
        ASSERT_TRUE(out) << out.error().describe();
        EXPECT_TRUE(same(*out, plain)) << n;
    }
}

TEST_P(DecompressFormats, PiecewiseInputGivesTheSameBytes) {
    const Compression c = GetParam();
    auto plain = payload(70000);
    auto packed = compress(c, plain);
    for (size_t piece : {size_t{1}, size_t{7}, size_t{4096}, packed.size()}) {
        for (uint64_t hint : {uint64_t{0}, uint64_t{plain.size()}, uint64_t{10}}) {
            auto out = decompress_stream(pieces(packed, piece), c, hint, "m.ko");
            ASSERT_TRUE(out) << out.error().describe();
            EXPECT_TRUE(same(*out, plain)) << "piece " << piece << " hint " << hint;
        }
    }
}

TEST_P(DecompressFormats, TruncationAtEveryLengthIsCorrupt) {
    const Compression c = GetParam();
    auto plain = test::sample_module().build();
    auto packed = compress(c, plain);
    for (size_t len = 0; len < packed.size(); ++len) {
        SCOPED_TRACE(len);
        auto out = decompress(std::span(packed).first(len), c, "m.ko");
        expect_corrupt(out, c);
    }
}

TEST_P(DecompressFormats, FlippedBytesNeverCrash) {
    const Compression c = GetParam();
    auto plain = test::sample_module().build();
    auto packed = compress(c, plain);
    for (size_t off = 0; off < packed.size(); ++off) {
        for (uint8_t x : {uint8_t{0xFF}, uint8_t{0x01}, uint8_t{0x80}}) {
            auto bad = packed;
            bad[off] ^= x;
            auto out = decompress(bad, c, "m.ko");
            if (!out) {
                expect_corrupt(out, c);
            } else if (c == Compression::Xz) {
                // xz checks every header and the CRC64 of the data: damage never goes unseen.
                ADD_FAILURE() << "xz accepted a flip at " << off;
            }
        }
    }
}

TEST_P(DecompressFormats, InputErrorsArePassedOn) {
    const Compression c = GetParam();
    auto packed = compress(c, payload(5000));
    bool first = true;
    InputFn input = [&]() -> util::Expected<std::span<const uint8_t>> {
        if (first) {
            first = false;
            return std::span<const uint8_t>(packed).first(10);
        }
        return util::fail(util::ErrorKind::Io, EIO, "m.ko", "could not read: Input/output error");
    };
    auto out = decompress_stream(input, c, 0, "m.ko");
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().message, "m.ko: could not read: Input/output error");
}

INSTANTIATE_TEST_SUITE_P(AllFormats, DecompressFormats,
                         testing::Values(Compression::Gzip, Compression::Xz, Compression::Zstd),
                         [](const auto& info) {
                             return std::string(compression_name(info.param));
                         });

TEST(Decompress, SizeHintsComeFromTheFormat) {
    auto plain = payload(12345);
    for (auto c : {Compression::Gzip, Compression::Xz, Compression::Zstd}) {
        auto packed = compress(c, plain);
        auto read_at = [&](uint64_t off, uint64_t len) -> std::optional<util::Buffer> {
            if (off > packed.size() || len > packed.size() - off) return std::nullopt;
            return util::Buffer(std::span(packed).subspan(off, len));
        };
        EXPECT_EQ(decompressed_size_hint(c, packed.size(), read_at), plain.size())
            << compression_name(c);
    }
    auto no_size = test::zstd_compress(plain, false);
    auto read_ns = [&](uint64_t off, uint64_t len) -> std::optional<util::Buffer> {
        return util::Buffer(std::span(no_size).subspan(off, len));
    };
    EXPECT_EQ(decompressed_size_hint(Compression::Zstd, no_size.size(), read_ns), 0u);
    auto none = [](uint64_t, uint64_t) -> std::optional<util::Buffer> { return std::nullopt; };
    EXPECT_EQ(decompressed_size_hint(Compression::None, 777, none), 777u);
    EXPECT_EQ(decompressed_size_hint(Compression::Gzip, 17, none), 0u);
    EXPECT_EQ(decompressed_size_hint(Compression::Gzip, 100, none), 0u);
    EXPECT_EQ(decompressed_size_hint(Compression::Xz, 100, none), 0u);
    EXPECT_EQ(decompressed_size_hint(Compression::Zstd, 100, none), 0u);
    auto garbage = std::vector<uint8_t>(64, 0x33);
    auto read_g = [&](uint64_t off, uint64_t len) -> std::optional<util::Buffer> {
        if (off > garbage.size() || len > garbage.size() - off) return std::nullopt;
        return util::Buffer(std::span(garbage).subspan(off, len));
    };
    EXPECT_EQ(decompressed_size_hint(Compression::Xz, garbage.size(), read_g), 0u);
}

TEST(Decompress, ImplausibleGzipSizeIsNoHint) {
    // Deflate cannot expand more than 1032:1, so a bigger ISIZE (the garbage last bytes of a
    // truncated file) must not be trusted to size the output buffer.
    std::vector<uint8_t> zeros(1 << 20, 0);
    auto packed = test::gzip_compress(zeros);
    auto read_at = [&](uint64_t off, uint64_t len) -> std::optional<util::Buffer> {
        return util::Buffer(std::span(packed).subspan(off, len));
    };
    EXPECT_EQ(decompressed_size_hint(Compression::Gzip, packed.size(), read_at), zeros.size());
    test::put_uint(packed, packed.size() - 4, 0xFFFFFFFF, 4, util::Endian::Little);
    EXPECT_EQ(decompressed_size_hint(Compression::Gzip, packed.size(), read_at), 0u);
}

TEST(Decompress, DamagedXzIndexDoesNotAllocateHugeMemory) {
    // Found by fuzz_module: the index of this xz file claims ~10^17 records, and reading the
    // size hint with no memory limit made liblzma ask malloc for 0xce60a0000000030 bytes (an
    // abort under ASan). Now the hint is 0 and decoding fails normally.
    const std::vector<uint8_t> bytes = {0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x33, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0x93,
                                        0x98, 0x67, 0x06, 0xeb, 0x30, 0x3e, 0x30, 0x0d, 0x8b, 0x02,
                                        0x00, 0x00, 0x00, 0x00, 0x01, 0x59, 0x5a};
    auto read_at = [&](uint64_t off, uint64_t len) -> std::optional<util::Buffer> {
        if (off > bytes.size() || len > bytes.size() - off) return std::nullopt;
        return util::Buffer(std::span(bytes).subspan(off, len));
    };
    EXPECT_EQ(decompressed_size_hint(Compression::Xz, bytes.size(), read_at), 0u);
    expect_corrupt(decompress(bytes, Compression::Xz, "m.ko"), Compression::Xz);
}

TEST(Decompress, WrongSizeHintsStillDecompress) {
    // A gzip ISIZE that lies (too small or too large) only sizes the first buffer.
    auto plain = payload(100000);
    auto packed = test::gzip_compress(plain);
    for (uint32_t isize : {0u, 1u, 0xFFFFFFFFu}) {
        auto bad = packed;
        test::put_uint(bad, bad.size() - 4, isize, 4, util::Endian::Little);
        auto out = decompress(bad, Compression::Gzip, "m.ko");
        // The ISIZE is also checked by zlib, so a lie is a corrupt file...
        if (out)
            EXPECT_TRUE(same(*out, plain));
        else
            expect_corrupt(out, Compression::Gzip);
    }
}

TEST(Decompress, ConcatenatedMembersAndFramesAreAllDecoded) {
    auto a = payload(3000);
    std::vector<uint8_t> b(2000, 'b');
    std::vector<uint8_t> both = a;
    both.insert(both.end(), b.begin(), b.end());
    for (auto c : {Compression::Gzip, Compression::Xz, Compression::Zstd}) {
        auto packed = compress(c, a);
        auto second = compress(c, b);
        packed.insert(packed.end(), second.begin(), second.end());
        auto out = decompress(packed, c, "m.ko");
        ASSERT_TRUE(out) << out.error().describe();
        EXPECT_TRUE(same(*out, both)) << compression_name(c);
    }
}

TEST(Decompress, SecondGzipMemberIsFoundWhateverThePieceBoundaries) {
    // The magic of the next member may straddle two input pieces (ModuleFile::open reads
    // 64 KiB at a time, so any boundary can happen).
    auto a = payload(3000);
    std::vector<uint8_t> b(2000, 'b');
    std::vector<uint8_t> both = a;
    both.insert(both.end(), b.begin(), b.end());
    auto packed = test::gzip_compress(a);
    const size_t first_member = packed.size();
    auto second = test::gzip_compress(b);
    packed.insert(packed.end(), second.begin(), second.end());
    for (size_t piece : {size_t{1}, size_t{2}, size_t{3}, first_member + 1, first_member - 1}) {
        auto out = decompress_stream(pieces(packed, piece), Compression::Gzip, 0, "m.ko");
        ASSERT_TRUE(out) << out.error().describe();
        EXPECT_TRUE(same(*out, both)) << "piece " << piece << ": " << out->size() << " bytes";
    }
}

TEST(Decompress, GzipIgnoresTrailingGarbage) {
    auto plain = payload(1000);
    auto packed = test::gzip_compress(plain);
    packed.push_back(0x00);
    packed.push_back(0x42);
    auto out = decompress(packed, Compression::Gzip, "m.ko");
    ASSERT_TRUE(out) << out.error().describe();
    EXPECT_TRUE(same(*out, plain));
}

TEST(Decompress, ExactMessagesForCommonFailures) {
    auto plain = payload(1000);
    auto xz = test::xz_compress(plain);
    auto r = decompress(std::span(xz).first(xz.size() - 1), Compression::Xz, "m.ko");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "xz: Unexpected end of input");

    auto zst = test::zstd_compress(plain);
    r = decompress(std::span(zst).first(zst.size() - 1), Compression::Zstd, "m.ko");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "zstd: truncated input");

    auto gz = test::gzip_compress(plain);
    r = decompress(std::span(gz).first(gz.size() - 1), Compression::Gzip, "m.ko");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "gzip: unexpected end of file");

    std::vector<uint8_t> not_xz = {0xFD, '7', 'z', 'X', 'Z', 0x00, 0xFF, 0xFF, 0, 0, 0, 0};
    r = decompress(not_xz, Compression::Xz, "m.ko");
    expect_corrupt(r, Compression::Xz);
}

TEST(Decompress, NoneCopiesTheInput) {
    auto plain = payload(100);
    auto out = decompress_stream(pieces(plain, 33), Compression::None, 0, "m.ko");
    ASSERT_TRUE(out);
    EXPECT_TRUE(same(*out, plain));
}

} // namespace
} // namespace modkit::module
