// Signature trailer parsing; PKCS#7 through OpenSSL, legacy types from the raw layout.
#include "module/signature.hpp"

#include "util/byte_reader.hpp"

#include <cstring>
#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

namespace modkit::module {

namespace {

constexpr const char* k_algo_names[] = {"DSA", "RSA"};
constexpr const char* k_hash_names[] = {"md4",    "md5",    "sha1",   "rmd160", "sha256",
                                        "sha384", "sha512", "sha224", "sm3"};
constexpr const char* k_id_types[] = {"PGP", "X509", "PKCS#7"};
constexpr uint8_t k_id_pkcs7 = 2;

const char* hash_name_for_nid(int nid) {
    switch (nid) {
    case NID_md4:
        return "md4";
    case NID_md5:
        return "md5";
    case NID_sha1:
        return "sha1";
    case NID_ripemd160:
        return "rmd160";
    case NID_sha256:
        return "sha256";
    case NID_sha384:
        return "sha384";
    case NID_sha512:
        return "sha512";
    case NID_sha224:
        return "sha224";
#ifndef OPENSSL_NO_SM3
    case NID_sm3:
        return "sm3";
#endif
    default:
        return nullptr;
    }
}

// The issuer's common name; like libkmod, falls back to the last entry when there is no CN.
std::string issuer_name(X509_NAME* name) {
    int count = X509_NAME_entry_count(name);
    X509_NAME_ENTRY* entry = nullptr;
    for (int i = 0; i < count; ++i) {
        entry = X509_NAME_get_entry(name, i);
        if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry)) == NID_commonName) break;
    }
    if (entry == nullptr) return {};
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
    const char* s = reinterpret_cast<const char*>(ASN1_STRING_get0_data(data));
    // libkmod uses strlen: the name stops at an embedded NUL.
    return std::string(s, strnlen(s, static_cast<size_t>(ASN1_STRING_length(data))));
}

bool fill_pkcs7(std::span<const uint8_t> blob, SignatureInfo& info) {
    const unsigned char* p = blob.data();
    PKCS7* pkcs7 = d2i_PKCS7(nullptr, &p, static_cast<long>(blob.size()));
    if (pkcs7 == nullptr) return false;
    bool ok = false;
    STACK_OF(PKCS7_SIGNER_INFO)* signers = PKCS7_get_signer_info(pkcs7);
    PKCS7_SIGNER_INFO* si = signers != nullptr ? sk_PKCS7_SIGNER_INFO_value(signers, 0) : nullptr;
    if (si != nullptr && si->issuer_and_serial != nullptr && si->enc_digest != nullptr) {
        X509_ALGOR* dig_alg = nullptr;
        PKCS7_SIGNER_INFO_get0_algs(si, nullptr, &dig_alg, nullptr);
        const ASN1_OBJECT* obj = nullptr;
        if (dig_alg != nullptr) X509_ALGOR_get0(&obj, nullptr, nullptr, dig_alg);
        const char* hash = obj != nullptr ? hash_name_for_nid(OBJ_obj2nid(obj)) : nullptr;
        BIGNUM* serial = ASN1_INTEGER_to_BN(si->issuer_and_serial->serial, nullptr);
        if (hash != nullptr && serial != nullptr) {
            info.key_id.resize(static_cast<size_t>(BN_num_bytes(serial)));
            BN_bn2bin(serial, info.key_id.data());
            const unsigned char* sig = ASN1_STRING_get0_data(si->enc_digest);
            info.signature.assign(sig, sig + ASN1_STRING_length(si->enc_digest));
            info.signer = issuer_name(si->issuer_and_serial->issuer);
            info.hash_algo = hash;
            ok = true;
        }
        BN_free(serial);
    }
    PKCS7_free(pkcs7);
    return ok;
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
