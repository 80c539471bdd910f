// Module signatures: the trailer "~Module signature appended~\n" preceded by
// struct module_signature (5 u8 fields, 3 pad bytes, big-endian u32 sig_len). PKCS#7 blobs
// are read as DER (the signer's issuer, serial, digest algorithm and signature; the same
// answers libkmod gets from OpenSSL); legacy PGP/X509 types keep signer and key id in front
// of the signature bytes.
#pragma once

#include "util/byte_source.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace modkit::module {

inline constexpr std::string_view k_signature_magic = "~Module signature appended~\n";
// struct module_signature, the 12 bytes between the signature and the magic.
inline constexpr size_t k_modsig_size = 12;

struct SignatureInfo {
    std::string id_type;         // "PGP", "X509" or "PKCS#7"
    std::string algo;            // "DSA" or "RSA" (legacy field)
    std::string signer;          // PKCS#7: the issuer's common name
    std::vector<uint8_t> key_id; // PKCS#7: the issuer serial number
    std::string hash_algo;       // "sha256"...
    std::vector<uint8_t> signature;
    size_t signed_size = 0; // bytes of the image before the signature block
};

// Parses the signature appended to the image. nullopt if there is none or it is unusable;
// the rules match libkmod 30 (an unparsable PKCS#7 blob counts as no signature).
std::optional<SignatureInfo> parse_signature(const util::ByteSource& image);
std::optional<SignatureInfo> parse_signature(std::span<const uint8_t> image);

// The size of the image without its signature block, or the whole size if unsigned.
size_t unsigned_size(std::span<const uint8_t> image);

} // namespace modkit::module
