// Real PKCS#7 module signatures for tests: an RSA key, a self-signed certificate with chosen
// name entries and serial, and DER signedData made with OpenSSL's PKCS7_sign, as the kernel's
// sign-file does. The expected "encrypted digest" is computed independently with EVP_DigestSign
// (RSA PKCS#1 v1.5 is deterministic), so tests do not check the parser against itself.
#pragma once

#include <cstdint>
#include <openssl/types.h>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace modkit::test {

class Pkcs7Signer {
public:
    // `name` is the subject (and issuer) as (field, value) pairs, e.g. {{"O", "x"}, {"CN", "y"}};
    // `serial` the certificate serial number as big-endian magnitude bytes.
    Pkcs7Signer(const std::vector<std::pair<std::string, std::string>>& name,
                const std::vector<uint8_t>& serial, int bits = 1024);
    ~Pkcs7Signer();
    Pkcs7Signer(const Pkcs7Signer&) = delete;
    Pkcs7Signer& operator=(const Pkcs7Signer&) = delete;

    // DER signedData over `data` (PKCS7_BINARY | PKCS7_DETACHED | PKCS7_NOATTR), digest `md`
    // (sha256 if null); `with_cert` false adds PKCS7_NOCERTS (smaller, as sign-file does).
    std::vector<uint8_t> sign(std::span<const uint8_t> data, const EVP_MD* md = nullptr,
                              bool with_cert = true) const;
    // The certificate, DER-encoded (what a kernel embeds in its keyring).
    std::vector<uint8_t> certificate_der() const;
    // The RSA PKCS#1 v1.5 signature of `data` with `md` (sha256 if null).
    std::vector<uint8_t> raw_signature(std::span<const uint8_t> data,
                                       const EVP_MD* md = nullptr) const;

private:
    EVP_PKEY* m_key = nullptr;
    X509* m_cert = nullptr;
};

// A DER signedData with no signer infos (well-formed, but nothing to report).
std::vector<uint8_t> pkcs7_without_signers();

} // namespace modkit::test
