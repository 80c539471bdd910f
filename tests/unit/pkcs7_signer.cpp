// Pkcs7Signer: OpenSSL 3 key generation, certificate and PKCS7_sign for test signatures.
#include "pkcs7_signer.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdexcept>

namespace modkit::test {

namespace {

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("openssl: ") + what);
}

std::vector<uint8_t> to_der(PKCS7* p7) {
    int len = i2d_PKCS7(p7, nullptr);
    check(len > 0, "i2d_PKCS7");
    std::vector<uint8_t> out(static_cast<size_t>(len));
    unsigned char* p = out.data();
    i2d_PKCS7(p7, &p);
    return out;
}

} // namespace

Pkcs7Signer::Pkcs7Signer(const std::vector<std::pair<std::string, std::string>>& name,
                         const std::vector<uint8_t>& serial, int bits) {
    m_key = EVP_RSA_gen(static_cast<unsigned>(bits));
    check(m_key != nullptr, "EVP_RSA_gen");
    m_cert = X509_new();
    check(m_cert != nullptr, "X509_new");
    X509_set_version(m_cert, 2);
    BIGNUM* bn = BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr);
    ASN1_INTEGER* sn = BN_to_ASN1_INTEGER(bn, nullptr);
    X509_set_serialNumber(m_cert, sn);
    ASN1_INTEGER_free(sn);
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(m_cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(m_cert), 3600L * 24 * 365);
    X509_NAME* subject = X509_get_subject_name(m_cert);
    for (const auto& [field, value] : name)
        check(X509_NAME_add_entry_by_txt(subject, field.c_str(), MBSTRING_ASC,
                                         reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                         -1, 0) == 1,
              "X509_NAME_add_entry_by_txt");
    X509_set_issuer_name(m_cert, subject);
    X509_set_pubkey(m_cert, m_key);
    check(X509_sign(m_cert, m_key, EVP_sha256()) > 0, "X509_sign");
}

Pkcs7Signer::~Pkcs7Signer() {
    X509_free(m_cert);
    EVP_PKEY_free(m_key);
}

std::vector<uint8_t> Pkcs7Signer::sign(std::span<const uint8_t> data, const EVP_MD* md,
                                       bool with_cert) const {
    int flags = PKCS7_BINARY | PKCS7_DETACHED | PKCS7_NOATTR;
    if (!with_cert) flags |= PKCS7_NOCERTS;
    PKCS7* p7 = PKCS7_sign(nullptr, nullptr, nullptr, nullptr, flags | PKCS7_PARTIAL);
    check(p7 != nullptr, "PKCS7_sign");
    check(PKCS7_sign_add_signer(p7, m_cert, m_key, md != nullptr ? md : EVP_sha256(), flags) !=
              nullptr,
          "PKCS7_sign_add_signer");
    BIO* in = BIO_new_mem_buf(data.data(), static_cast<int>(data.size()));
    check(PKCS7_final(p7, in, flags) == 1, "PKCS7_final");
    BIO_free(in);
    auto der = to_der(p7);
    PKCS7_free(p7);
    return der;
}

std::vector<uint8_t> Pkcs7Signer::raw_signature(std::span<const uint8_t> data,
                                                const EVP_MD* md) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    check(EVP_DigestSignInit(ctx, nullptr, md != nullptr ? md : EVP_sha256(), nullptr, m_key) == 1,
          "EVP_DigestSignInit");
    size_t len = 0;
    check(EVP_DigestSign(ctx, nullptr, &len, data.data(), data.size()) == 1, "EVP_DigestSign");
    std::vector<uint8_t> out(len);
    check(EVP_DigestSign(ctx, out.data(), &len, data.data(), data.size()) == 1, "EVP_DigestSign");
    out.resize(len);
    EVP_MD_CTX_free(ctx);
    return out;
}

std::vector<uint8_t> pkcs7_without_signers() {
    PKCS7* p7 = PKCS7_new();
    check(p7 != nullptr, "PKCS7_new");
    check(PKCS7_set_type(p7, NID_pkcs7_signed) == 1, "PKCS7_set_type");
    check(PKCS7_content_new(p7, NID_pkcs7_data) == 1, "PKCS7_content_new");
    auto der = to_der(p7);
    PKCS7_free(p7);
    return der;
}

std::vector<uint8_t> Pkcs7Signer::certificate_der() const {
    unsigned char* der = nullptr;
    int len = i2d_X509(m_cert, &der);
    std::vector<uint8_t> out;
    if (len > 0) out.assign(der, der + len);
    OPENSSL_free(der);
    return out;
}

} // namespace modkit::test
