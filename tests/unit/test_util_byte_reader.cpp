// util::ByteReader: every read is bounds-checked (including offset overflow) and decodes the
// byte order it was given.
#include "util/byte_reader.hpp"

#include <gtest/gtest.h>

#include <array>
#include <limits>

namespace modkit::util {
namespace {

constexpr std::array<uint8_t, 8> k_bytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};

TEST(ByteReader, LittleEndianIntegers) {
    ByteReader r(k_bytes, Endian::Little);
    EXPECT_EQ(r.u8(0), 0x01);
    EXPECT_EQ(r.u16(0), 0x0201);
    EXPECT_EQ(r.u32(0), 0x04030201u);
    EXPECT_EQ(r.u64(0), 0x0807060504030201ull);
    EXPECT_EQ(r.u16(6), 0x0807);
    EXPECT_EQ(r.u32(3), 0x07060504u);
}

TEST(ByteReader, BigEndianIntegers) {
    ByteReader r(k_bytes, Endian::Big);
    EXPECT_EQ(r.u8(7), 0x08);
    EXPECT_EQ(r.u16(0), 0x0102);
    EXPECT_EQ(r.u32(0), 0x01020304u);
    EXPECT_EQ(r.u64(0), 0x0102030405060708ull);
    EXPECT_EQ(r.u32(4), 0x05060708u);
}

TEST(ByteReader, UintDispatchesOnWidth) {
    ByteReader r(k_bytes, Endian::Big);
    EXPECT_EQ(r.uint(0, 1), 0x01u);
    EXPECT_EQ(r.uint(0, 2), 0x0102u);
    EXPECT_EQ(r.uint(0, 4), 0x01020304u);
    EXPECT_EQ(r.uint(0, 8), 0x0102030405060708ull);
    EXPECT_EQ(r.uint(0, 3), std::nullopt);
    EXPECT_EQ(r.uint(0, 0), std::nullopt);
    EXPECT_EQ(r.uint(1, 8), std::nullopt);
}

TEST(ByteReader, ReadsEndingExactlyAtTheEndSucceed) {
    ByteReader r(k_bytes);
    EXPECT_TRUE(r.u8(7));
    EXPECT_TRUE(r.u16(6));
    EXPECT_TRUE(r.u32(4));
    EXPECT_TRUE(r.u64(0));
}

TEST(ByteReader, ReadsPastTheEndAreNullopt) {
    ByteReader r(k_bytes);
    EXPECT_EQ(r.u8(8), std::nullopt);
    EXPECT_EQ(r.u16(7), std::nullopt);
    EXPECT_EQ(r.u32(5), std::nullopt);
    EXPECT_EQ(r.u64(1), std::nullopt);
    EXPECT_EQ(r.u32(1000), std::nullopt);
}

TEST(ByteReader, HugeOffsetsDoNotOverflow) {
    ByteReader r(k_bytes);
    constexpr uint64_t max = std::numeric_limits<uint64_t>::max();
    EXPECT_FALSE(r.has(max, 1));
    EXPECT_FALSE(r.has(1, max));
    EXPECT_FALSE(r.has(max, max));
    EXPECT_FALSE(r.has(8, 1));
    EXPECT_TRUE(r.has(8, 0));
    EXPECT_FALSE(r.has(9, 0));
    EXPECT_EQ(r.u64(max - 3), std::nullopt);
    EXPECT_EQ(r.u32(max), std::nullopt);
    EXPECT_EQ(r.str(2, max - 1), std::nullopt);
    EXPECT_EQ(r.sub(max, 2), std::nullopt);
    EXPECT_EQ(r.cstring(max), std::nullopt);
}

TEST(ByteReader, EmptyReaderHasNothing) {
    ByteReader r;
    EXPECT_EQ(r.size(), 0u);
    EXPECT_TRUE(r.has(0, 0));
    EXPECT_EQ(r.u8(0), std::nullopt);
    EXPECT_EQ(r.cstring(0), std::nullopt);
    EXPECT_EQ(r.str(0, 0), std::string_view());
}

TEST(ByteReader, CStringStopsAtNulAndNeedsOne) {
    ByteReader r(std::string_view("abc\0de\0fg", 9));
    EXPECT_EQ(r.cstring(0), "abc");
    EXPECT_EQ(r.cstring(1), "bc");
    EXPECT_EQ(r.cstring(3), "");
    EXPECT_EQ(r.cstring(4), "de");
    EXPECT_EQ(r.cstring(7), std::nullopt); // "fg" runs to the end without a NUL
    EXPECT_EQ(r.cstring(9), std::nullopt);
}

TEST(ByteReader, StrReturnsRawBytesIncludingNuls) {
    ByteReader r(std::string_view("ab\0cd", 5));
    EXPECT_EQ(r.str(0, 5), std::string_view("ab\0cd", 5));
    EXPECT_EQ(r.str(5, 0), std::string_view());
    EXPECT_EQ(r.str(4, 2), std::nullopt);
    EXPECT_EQ(r.chars(), std::string_view("ab\0cd", 5));
}

TEST(ByteReader, SubReaderKeepsByteOrderAndBounds) {
    ByteReader r(k_bytes, Endian::Big);
    auto sub = r.sub(2, 4);
    ASSERT_TRUE(sub);
    EXPECT_EQ(sub->size(), 4u);
    EXPECT_EQ(sub->endian(), Endian::Big);
    EXPECT_EQ(sub->u32(0), 0x03040506u);
    EXPECT_EQ(sub->u8(4), std::nullopt); // byte 6 of the parent is outside the sub-reader
    EXPECT_EQ(sub->cstring(0), std::nullopt);
    EXPECT_EQ(r.sub(6, 3), std::nullopt);
    EXPECT_TRUE(r.sub(8, 0));
}

TEST(ByteReader, StringViewConstructorSeesTheSameBytes) {
    ByteReader r(std::string_view("\x12\x34", 2), Endian::Little);
    EXPECT_EQ(r.u16(0), 0x3412);
    EXPECT_EQ(r.bytes().size(), 2u);
}

} // namespace
} // namespace modkit::util
