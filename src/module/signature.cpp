// Signature trailer parsing: the PKCS#7 blob read with a small DER reader (no crypto library
// is needed to name a signer), legacy types from the raw layout.
#include "module/signature.hpp"

#include "util/byte_reader.hpp"

#include <algorithm>
#include <cstring>
#include <initializer_list>

namespace modkit::module {

namespace {

constexpr const char* k_algo_names[] = {"DSA", "RSA"};
constexpr const char* k_hash_names[] = {"md4",    "md5",    "sha1",   "rmd160", "sha256",
                                        "sha384", "sha512", "sha224", "sm3"};
constexpr const char* k_id_types[] = {"PGP", "X509", "PKCS#7"};
constexpr uint8_t k_id_pkcs7 = 2;

// DER, as far as a module signature needs it: one tag-length-value at a time, definite
// lengths only (signatures are DER; BER's indefinite lengths are not read).
struct Der {
    std::span<const uint8_t> rest;

    // The next element if its tag is `tag`: its contents, and `rest` moves past it.
    std::optional<std::span<const uint8_t>> take(uint8_t tag) {
        if (rest.size() < 2 || rest[0] != tag) return std::nullopt;
        size_t len = rest[1], head = 2;
        if (len & 0x80) {
            const size_t n = len & 0x7f;
            if (n == 0 || n > 4 || rest.size() < 2 + n) return std::nullopt;
            len = 0;
            for (size_t i = 0; i < n; ++i)
                len = len << 8 | rest[2 + i];
            head += n;
        }
        if (rest.size() - head < len) return std::nullopt;
        auto contents = rest.subspan(head, len);
        rest = rest.subspan(head + len);
        return contents;
    }
    bool skip(uint8_t tag) { return take(tag).has_value(); }
    bool empty() const { return rest.empty(); }
    std::optional<uint8_t> peek() const {
        return rest.empty() ? std::nullopt : std::optional<uint8_t>(rest[0]);
    }
};

constexpr uint8_t k_sequence = 0x30, k_set = 0x31, k_integer = 0x02, k_octets = 0x04, k_oid = 0x06,
                  k_context0 = 0xa0, k_context1 = 0xa1;

bool oid_is(std::span<const uint8_t> oid, std::initializer_list<uint8_t> want) {
    return oid.size() == want.size() && std::equal(want.begin(), want.end(), oid.begin());
}

// The digest algorithms libkmod names (its pkey_hash_algo table), by object identifier.
const char* hash_name_for_oid(std::span<const uint8_t> oid) {
    static const struct {
        std::initializer_list<uint8_t> oid;
        const char* name;
    } k_hashes[] = {
        {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x04}, "md4"},
        {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05}, "md5"},
        {{0x2b, 0x0e, 0x03, 0x02, 0x1a}, "sha1"},
        {{0x2b, 0x24, 0x03, 0x02, 0x01}, "rmd160"},
        {{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01}, "sha256"},
        {{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02}, "sha384"},
        {{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03}, "sha512"},
        {{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04}, "sha224"},
        {{0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x11}, "sm3"},
    };
    for (const auto& h : k_hashes)
        if (oid_is(oid, h.oid)) return h.name;
    return nullptr;
}

// The serial number's magnitude, big-endian without leading zeros (what OpenSSL's
// BN_bn2bin(ASN1_INTEGER_to_BN(serial)) gives); nullopt for an encoding OpenSSL refuses
// (empty, or padded with a redundant leading byte).
std::optional<std::vector<uint8_t>> serial_magnitude(std::span<const uint8_t> c) {
    if (c.empty()) return std::nullopt;
    if (c.size() > 1 && ((c[0] == 0x00 && !(c[1] & 0x80)) || (c[0] == 0xff && (c[1] & 0x80))))
        return std::nullopt;
    std::vector<uint8_t> v(c.begin(), c.end());
    if (v[0] & 0x80) { // negative: the magnitude is the two's complement
        for (uint8_t& b : v)
            b = static_cast<uint8_t>(~b);
        for (size_t i = v.size(); i-- > 0;)
            if (++v[i] != 0) break;
    }
    size_t lead = 0;
    while (lead < v.size() && v[lead] == 0)
        ++lead;
    v.erase(v.begin(), v.begin() + static_cast<ptrdiff_t>(lead));
    return v;
}

// The issuer's common name; like libkmod, the last attribute when there is no CN, and cut at
// an embedded NUL (libkmod uses strlen).
std::optional<std::string> issuer_name(std::span<const uint8_t> name) {
    Der rdns{name};
    std::optional<std::span<const uint8_t>> value;
    bool found_cn = false;
    while (!rdns.empty()) {
        auto rdn = rdns.take(k_set);
        if (!rdn) return std::nullopt;
        Der attrs{*rdn};
        while (!attrs.empty()) {
            auto attr = attrs.take(k_sequence);
            if (!attr) return std::nullopt;
            Der a{*attr};
            auto oid = a.take(k_oid);
            auto tag = a.peek();
            if (!oid || !tag) return std::nullopt;
            auto v = a.take(*tag);
            if (!v) return std::nullopt;
            if (!found_cn) value = v;
            if (oid_is(*oid, {0x55, 0x04, 0x03})) found_cn = true;
        }
    }
    if (!value) return std::string();
    const char* p = reinterpret_cast<const char*>(value->data());
    return std::string(p, strnlen(p, value->size()));
}

// PKCS#7 SignedData (RFC 2315) with the first signer's issuer, serial, digest algorithm and
// encrypted digest, read the way OpenSSL's d2i_PKCS7 lets libkmod read them.
bool fill_pkcs7(std::span<const uint8_t> blob, SignatureInfo& info) {
    Der top{blob};
    auto content_info = top.take(k_sequence);
    if (!content_info) return false;
    Der ci{*content_info};
    auto type = ci.take(k_oid);
    if (!type || !oid_is(*type, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}))
        return false; // not signedData
    auto explicit0 = ci.take(k_context0);
    if (!explicit0) return false;
    Der ex{*explicit0};
    auto signed_data = ex.take(k_sequence);
    if (!signed_data) return false;
    Der sd{*signed_data};
    if (!sd.skip(k_integer) || !sd.skip(k_set) || !sd.skip(k_sequence)) return false;
    if (sd.peek() == k_context0 && !sd.skip(k_context0)) return false; // certificates
    if (sd.peek() == k_context1 && !sd.skip(k_context1)) return false; // crls
    auto signer_infos = sd.take(k_set);
    if (!signer_infos) return false;
    Der sis{*signer_infos};
    auto signer = sis.take(k_sequence);
    if (!signer) return false;
    Der si{*signer};
    if (!si.skip(k_integer)) return false; // version
    auto issuer_and_serial = si.take(k_sequence);
    if (!issuer_and_serial) return false;
    Der ias{*issuer_and_serial};
    auto issuer = ias.take(k_sequence);
    auto serial = ias.take(k_integer);
    if (!issuer || !serial) return false;
    auto digest_alg = si.take(k_sequence);
    if (!digest_alg) return false;
    Der da{*digest_alg};
    auto digest_oid = da.take(k_oid);
    if (si.peek() == k_context0 && !si.skip(k_context0)) return false; // signed attributes
    if (!si.skip(k_sequence)) return false;                            // digestEncryptionAlgorithm
    auto digest = si.take(k_octets);
    if (!digest_oid || !digest) return false;
    const char* hash = hash_name_for_oid(*digest_oid);
    auto key_id = serial_magnitude(*serial);
    auto name = issuer_name(*issuer);
    if (hash == nullptr || !key_id || !name) return false;
    info.key_id = std::move(*key_id);
    info.signature.assign(digest->begin(), digest->end());
    info.signer = std::move(*name);
    info.hash_algo = hash;
    return true;
}

} // namespace

std::optional<SignatureInfo> parse_signature(const util::ByteSource& image) {
    const size_t magic_len = k_signature_magic.size();
    const uint64_t total = image.size();
    if (total < magic_len + k_modsig_size) {
        // libkmod: too short for the magic is "unsigned"; too short for the header also.
        return std::nullopt;
    }
    auto tail =
        image.read(total - magic_len - k_modsig_size, magic_len + k_modsig_size, util::Endian::Big);
    if (!tail || tail->str(k_modsig_size, magic_len) != k_signature_magic) return std::nullopt;
    uint64_t size = total - magic_len - k_modsig_size;
    uint8_t algo = *tail->u8(0), hash = *tail->u8(1), id_type = *tail->u8(2);
    uint8_t signer_len = *tail->u8(3), key_id_len = *tail->u8(4);
    uint32_t sig_len = *tail->u32(8);
    if (algo >= 2 || hash >= 9 || id_type >= 3) return std::nullopt;
    if (sig_len == 0 || size < static_cast<uint64_t>(signer_len) + key_id_len + sig_len)
        return std::nullopt;

    SignatureInfo info;
    info.id_type = k_id_types[id_type];
    info.algo = k_algo_names[algo];
    uint64_t sig_start = size - sig_len;
    if (id_type == k_id_pkcs7) {
        auto sig = image.read(sig_start, sig_len, util::Endian::Big);
        if (!sig) return std::nullopt;
        info.signed_size = sig_start;
        if (!fill_pkcs7(sig->bytes(), info)) return std::nullopt;
        return info;
    }
    uint64_t start = sig_start - key_id_len - signer_len;
    auto block = image.read(start, size - start, util::Endian::Big);
    if (!block) return std::nullopt;
    auto bytes = block->bytes();
    info.hash_algo = k_hash_names[hash];
    info.signer.assign(reinterpret_cast<const char*>(bytes.data()), signer_len);
    info.key_id.assign(bytes.begin() + signer_len, bytes.begin() + signer_len + key_id_len);
    info.signature.assign(bytes.begin() + signer_len + key_id_len, bytes.end());
    info.signed_size = start;
    return info;
}

std::optional<SignatureInfo> parse_signature(std::span<const uint8_t> image) {
    return parse_signature(util::MemorySource(image));
}

size_t unsigned_size(std::span<const uint8_t> image) {
    const size_t magic_len = k_signature_magic.size();
    if (image.size() < magic_len + k_modsig_size) return image.size();
    size_t size = image.size() - magic_len;
    if (std::memcmp(image.data() + size, k_signature_magic.data(), magic_len) != 0)
        return image.size();
    size -= k_modsig_size;
    util::ByteReader r(image.subspan(size, k_modsig_size), util::Endian::Big);
    uint64_t total = static_cast<uint64_t>(*r.u8(3)) + *r.u8(4) + *r.u32(8);
    return total <= size ? size - total : image.size();
}

} // namespace modkit::module
