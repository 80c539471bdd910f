// Signature verification with OpenSSL's CMS: find the signer among the trusted certificates
// ourselves (so "unknown key" is told apart from "bad signature"), then verify the detached
// content with that certificate only and without chain checks, as the kernel does.
#include "module/sig_verify.hpp"

#include "module/signature.hpp"
#include "util/byte_reader.hpp"
#include "util/byte_source.hpp"
#include "util/strings.hpp"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace modkit::module {
namespace {

constexpr uint8_t k_id_pkcs7 = 2;

X509* cert_of(void* p) {
    return static_cast<X509*>(p);
}

std::string common_name(const X509_NAME* name) {
    int i = X509_NAME_get_index_by_NID(const_cast<X509_NAME*>(name), NID_commonName, -1);
    if (i < 0) return {};
    ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<size_t>(ASN1_STRING_length(s)));
}

} // namespace

SignatureBlob read_signature_blob(const util::ByteSource& image) {
    SignatureBlob out;
    const uint64_t magic = k_signature_magic.size();
    const uint64_t size = image.size();
    if (size < magic) return out;
    auto tail = image.read(size - magic, magic, util::Endian::Big);
    if (!tail || tail->chars() != k_signature_magic) return out;
    out.state = SignatureBlob::State::Bad;
    if (size < magic + k_modsig_size) return out;
    const uint64_t sig_at = size - magic - k_modsig_size;
    auto ms = image.read(sig_at, k_modsig_size, util::Endian::Big);
    if (!ms) return out;
    out.id_type = *ms->u8(2);
    uint32_t sig_len = *ms->u32(8);
    if (sig_len == 0 || sig_len > sig_at) return out;
    out.signed_size = sig_at - sig_len;
    auto blob = image.read(out.signed_size, sig_len, util::Endian::Big);
    if (!blob) return out;
    out.der.assign(blob->bytes().begin(), blob->bytes().end());
    out.state = SignatureBlob::State::Ok;
    return out;
}

std::string_view sig_status_name(SigStatus s) {
    switch (s) {
    case SigStatus::NoSignature:
        return "unsigned";
    case SigStatus::Valid:
        return "valid";
    case SigStatus::UnknownKey:
        return "unknown key";
    case SigStatus::Unsupported:
        return "unsupported";
    case SigStatus::Rejected:
        return "rejected";
    case SigStatus::Malformed:
        return "malformed";
    }
    return "?";
}

TrustedKeys::TrustedKeys(const std::vector<std::vector<uint8_t>>& der_certs) {
    for (const auto& der : der_certs) {
        const unsigned char* p = der.data();
        X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
        if (cert != nullptr) m_certs.push_back(cert);
    }
}

TrustedKeys::TrustedKeys(TrustedKeys&& other) noexcept
    : m_certs(std::move(other.m_certs)) {
    other.m_certs.clear();
}

TrustedKeys& TrustedKeys::operator=(TrustedKeys&& other) noexcept {
    if (this != &other) {
        for (void* c : m_certs)
            X509_free(cert_of(c));
        m_certs = std::move(other.m_certs);
        other.m_certs.clear();
    }
    return *this;
}

TrustedKeys::~TrustedKeys() {
    for (void* c : m_certs)
        X509_free(cert_of(c));
}

std::vector<std::string> TrustedKeys::describe() const {
    std::vector<std::string> out;
    for (void* c : m_certs) {
        const ASN1_INTEGER* serial = X509_get0_serialNumber(cert_of(c));
        std::vector<uint8_t> bytes(serial->data, serial->data + serial->length);
        out.push_back("CN=" + common_name(X509_get_subject_name(cert_of(c))) + ", serial " +
                      util::hex_colon(bytes, 0));
    }
    return out;
}

TrustedKeys::Result TrustedKeys::verify(std::span<const uint8_t> image) const {
    return verify(util::MemorySource(image));
}

TrustedKeys::Result TrustedKeys::verify(const util::ByteSource& image) const {
    return verify(read_signature_blob(image), [&](uint64_t n) -> std::optional<util::Buffer> {
        auto part = image.read(0, n, util::Endian::Little);
        if (!part) return std::nullopt;
        return util::Buffer(part->bytes());
    });
}

TrustedKeys::Result TrustedKeys::verify(const SignatureBlob& t, const ContentFn& content) const {
    Result out;
    switch (t.state) {
    case SignatureBlob::State::Absent:
        return out;
    case SignatureBlob::State::Bad:
        out.status = SigStatus::Malformed;
        out.detail = "the signature trailer is inconsistent";
        return out;
    case SignatureBlob::State::Ok:
        break;
    }
    if (t.id_type != k_id_pkcs7) {
        out.status = SigStatus::Unsupported;
        out.detail = "not a PKCS#7 signature";
        return out;
    }
    const unsigned char* p = t.der.data();
    CMS_ContentInfo* cms = d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(t.der.size()));
    if (cms == nullptr) {
        out.status = SigStatus::Malformed;
        out.detail = "the PKCS#7 message does not parse";
        ERR_clear_error();
        return out;
    }
    STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms);
    CMS_SignerInfo* si = signers ? sk_CMS_SignerInfo_value(signers, 0) : nullptr;
    X509* trusted = nullptr;
    if (si != nullptr) {
        X509_NAME* issuer = nullptr;
        ASN1_INTEGER* serial = nullptr;
        if (CMS_SignerInfo_get0_signer_id(si, nullptr, &issuer, &serial) == 1) {
            if (issuer) out.signer = common_name(issuer);
            if (serial) out.key_id.assign(serial->data, serial->data + serial->length);
        }
        for (void* c : m_certs)
            if (CMS_SignerInfo_cert_cmp(si, cert_of(c)) == 0) {
                trusted = cert_of(c);
                break;
            }
    }
    if (si == nullptr) {
        out.status = SigStatus::Malformed;
        out.detail = "the PKCS#7 message has no signer";
    } else if (trusted == nullptr) {
        out.status = SigStatus::UnknownKey;
    } else {
        out.signer = common_name(X509_get_subject_name(trusted));
        STACK_OF(X509)* certs = sk_X509_new_null();
        sk_X509_push(certs, trusted);
        auto signed_part = content ? content(t.signed_size) : std::nullopt;
        int ok = 0;
        if (signed_part) {
            BIO* content =
                BIO_new_mem_buf(signed_part->bytes().data(), static_cast<int>(signed_part->size()));
            ok = CMS_verify(cms, certs, nullptr, content, nullptr,
                            CMS_BINARY | CMS_NOINTERN | CMS_NO_SIGNER_CERT_VERIFY);
            BIO_free(content);
        }
        sk_X509_free(certs);
        if (ok == 1) {
            out.status = SigStatus::Valid;
        } else {
            out.status = SigStatus::Rejected;
            out.detail = "the signature does not match the module's content";
        }
    }
    ERR_clear_error();
    CMS_ContentInfo_free(cms);
    return out;
}

} // namespace modkit::module
