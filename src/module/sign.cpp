// Module signing with the same OpenSSL calls and flags as the kernel's scripts/sign-file (so the
// output is identical: RSA PKCS#1 v1.5 is deterministic), and DKMS's MOK key pair generation.
#include "module/sign.hpp"

#include "module/signature.hpp"
#include "util/atomic_file.hpp"
#include "util/fs.hpp"
#include "util/mapped_file.hpp"

#include <climits>
#include <cstring>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::module {

using util::ErrorKind;
using util::Expected;
using util::fail;

// OpenSSL handles; ModuleSigner::State holds some, so not in the anonymous namespace.
namespace ossl {
struct OsslFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(X509* p) const { X509_free(p); }
    void operator()(X509_SIG* p) const { X509_SIG_free(p); }
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
    void operator()(BIO* p) const { BIO_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
    void operator()(CMS_ContentInfo* p) const { CMS_ContentInfo_free(p); }
};
template <class T> using Ossl = std::unique_ptr<T, OsslFree>;
} // namespace ossl
using ossl::Ossl;

namespace {

constexpr uint8_t k_pkey_id_pkcs7 = 2;
constexpr std::string_view k_pkcs11_prefix = "pkcs11:";
constexpr const char* k_mok_subject = "DKMS module signing key";
constexpr int k_mok_bits = 2048;
constexpr int k_mok_days = 36500;
constexpr int k_serial_bits = 159; // openssl req's random serial (apps rand_serial)

// The newest OpenSSL reason, for failures that should not happen with valid inputs; clears the
// thread's error queue either way so later calls start clean.
std::string openssl_reason() {
    unsigned long code = ERR_peek_last_error();
    const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
    ERR_clear_error();
    return reason != nullptr ? reason : "unknown error";
}

std::unexpected<util::Error> openssl_fail(ErrorKind kind, std::string path, std::string what) {
    return fail(kind, EINVAL, std::move(path), what + " failed: " + openssl_reason());
}

Ossl<BIO> memory_bio(std::string_view data) {
    return Ossl<BIO>(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string_view as_chars(std::span<const uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Never let OpenSSL prompt on the terminal: without a passphrase, decryption simply fails.
int passphrase_cb(char* buf, int size, int /*rwflag*/, void* user) {
    const auto* pass = static_cast<const std::optional<std::string>*>(user);
    if (pass == nullptr || !pass->has_value() || (*pass)->size() >= static_cast<size_t>(size))
        return -1;
    std::memcpy(buf, (*pass)->data(), (*pass)->size());
    return static_cast<int>((*pass)->size());
}

Expected<std::string> read_small_file(const std::string& path, const char* what) {
    auto text = util::read_file(path);
    if (!text)
        return util::fail_errno(text.error().sys_errno, path,
                                std::string("could not read ") + what);
    if (text->size() > INT_MAX)
        return fail(ErrorKind::Invalid, EFBIG, path, std::string(what) + " is too large");
    return text;
}

Expected<Ossl<EVP_PKEY>> load_key(const SignOptions& options) {
    const std::string& path = options.key_path;
    if (path.starts_with(k_pkcs11_prefix))
        return fail(ErrorKind::Unsupported, ENOTSUP, path,
                    "PKCS#11 keys are not supported natively; use the kernel's scripts/sign-file");
    auto text = read_small_file(path, "private key");
    if (!text) return std::unexpected(text.error());
    void* pass = const_cast<std::optional<std::string>*>(&options.passphrase);
    bool pem = text->find("-----BEGIN ") != std::string::npos;
    bool encrypted = false;
    Ossl<EVP_PKEY> key;
    if (pem) {
        // sign-file's own reader; also finds the key inside a combined key + certificate file.
        key.reset(PEM_read_bio_PrivateKey(memory_bio(*text).get(), nullptr, passphrase_cb, pass));
        encrypted = text->find("ENCRYPTED") != std::string::npos;
    } else {
        key.reset(d2i_PrivateKey_bio(memory_bio(*text).get(), nullptr));
        if (!key) {
            Ossl<X509_SIG> p8(d2i_PKCS8_bio(memory_bio(*text).get(), nullptr));
            encrypted = p8 != nullptr;
            if (encrypted)
                key.reset(
                    d2i_PKCS8PrivateKey_bio(memory_bio(*text).get(), nullptr, passphrase_cb, pass));
        }
    }
    ERR_clear_error();
    if (key) return key;
    if (encrypted && !options.passphrase)
        return fail(ErrorKind::Corrupt, EINVAL, path,
                    "private key is encrypted and no passphrase was given (sign-file reads it "
                    "from KBUILD_SIGN_PIN)");
    if (encrypted)
        return fail(ErrorKind::Corrupt, EINVAL, path,
                    "could not decrypt private key (wrong passphrase?)");
    return fail(ErrorKind::Corrupt, EINVAL, path, "not a PEM or DER private key");
}

Expected<Ossl<X509>> load_cert(const std::string& path) {
    auto text = read_small_file(path, "certificate");
    if (!text) return std::unexpected(text.error());
    // sign-file's rule: a SEQUENCE with a long-form length is DER, anything else PEM.
    auto first = [&](size_t i) { return static_cast<uint8_t>((*text)[i]); };
    bool der = text->size() >= 2 && first(0) == 0x30 && first(1) >= 0x81 && first(1) <= 0x84;
    Ossl<BIO> bio = memory_bio(*text);
    Ossl<X509> cert(der ? d2i_X509_bio(bio.get(), nullptr)
                        : PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    if (!cert) return fail(ErrorKind::Corrupt, EINVAL, path, "not a DER or PEM X.509 certificate");
    return cert;
}

bool has_signature_magic(std::span<const uint8_t> image) {
    return image.size() >= k_signature_magic.size() &&
           as_chars(image.last(k_signature_magic.size())) == k_signature_magic;
}

// The part of `module` that gets signed, after the ExistingSignature policy.
Expected<std::span<const uint8_t>> signable(std::span<const uint8_t> module,
                                            ExistingSignature existing, const std::string& name) {
    if (module.size() < 4 || std::memcmp(module.data(),
                                         "\x7f"
                                         "ELF",
                                         4) != 0)
        return fail(ErrorKind::Invalid, ENOEXEC, name,
                    "not an ELF module (modules are signed before they are compressed)");
    if (!has_signature_magic(module) || existing == ExistingSignature::Append) return module;
    if (existing == ExistingSignature::Refuse)
        return fail(ErrorKind::Invalid, EEXIST, name, "module is already signed");
    while (has_signature_magic(module)) {
        size_t size = unsigned_size(module);
        if (size == module.size())
            return fail(ErrorKind::Corrupt, EINVAL, name,
                        "cannot remove the existing signature: its trailer is corrupt");
        module = module.first(size);
    }
    return module;
}

} // namespace

struct ModuleSigner::State {
    Ossl<EVP_PKEY> key;
    Ossl<X509> cert;
    const EVP_MD* md = nullptr;
    ExistingSignature existing = ExistingSignature::Refuse;
};

ModuleSigner::ModuleSigner(std::unique_ptr<State> state)
    : m_state(std::move(state)) {}
ModuleSigner::ModuleSigner(ModuleSigner&&) noexcept = default;
ModuleSigner& ModuleSigner::operator=(ModuleSigner&&) noexcept = default;
ModuleSigner::~ModuleSigner() = default;

Expected<ModuleSigner> ModuleSigner::load(const SignOptions& options) {
    ERR_clear_error();
    auto state = std::make_unique<State>();
    state->existing = options.existing;
    state->md = EVP_get_digestbyname(options.hash_algo.c_str());
    if (state->md == nullptr)
        return fail(ErrorKind::Invalid, EINVAL, "",
                    "unknown hash algorithm \"" + options.hash_algo + "\"");
    auto key = load_key(options);
    if (!key) return std::unexpected(key.error());
    auto cert = load_cert(options.cert_path);
    if (!cert) return std::unexpected(cert.error());
    if (X509_check_private_key(cert->get(), key->get()) != 1) {
        ERR_clear_error();
        return fail(ErrorKind::Invalid, EINVAL, options.key_path,
                    "private key does not match certificate " + options.cert_path);
    }
    state->key = std::move(*key);
    state->cert = std::move(*cert);
    return ModuleSigner(std::move(state));
}

Expected<std::vector<uint8_t>> ModuleSigner::signature_block(std::span<const uint8_t> data) const {
    if (data.size() > INT_MAX) return fail(ErrorKind::Unsupported, EFBIG, "", "too large to sign");
    ERR_clear_error();
    // sign-file: CMS_sign(PARTIAL | STREAM), one signer, CMS_final, i2d_CMS_bio_stream.
    constexpr unsigned k_base = CMS_NOCERTS | CMS_BINARY;
    Ossl<CMS_ContentInfo> cms(CMS_sign(nullptr, nullptr, nullptr, nullptr,
                                       k_base | CMS_PARTIAL | CMS_DETACHED | CMS_STREAM));
    if (!cms) return openssl_fail(ErrorKind::Invalid, "", "CMS_sign");
    if (CMS_add1_signer(cms.get(), m_state->cert.get(), m_state->key.get(), m_state->md,
                        k_base | CMS_NOSMIMECAP | CMS_NOATTR) == nullptr)
        return openssl_fail(ErrorKind::Invalid, "", "CMS_add1_signer");
    Ossl<BIO> in = memory_bio(as_chars(data));
    if (CMS_final(cms.get(), in.get(), nullptr, k_base) != 1)
        return openssl_fail(ErrorKind::Invalid, "", "CMS_final");
    Ossl<BIO> out(BIO_new(BIO_s_mem()));
    if (!out || i2d_CMS_bio_stream(out.get(), cms.get(), nullptr, 0) != 1)
        return openssl_fail(ErrorKind::Invalid, "", "i2d_CMS_bio_stream");
    BUF_MEM* mem = nullptr;
    BIO_get_mem_ptr(out.get(), &mem);
    const auto* der = reinterpret_cast<const uint8_t*>(mem->data);
    std::vector<uint8_t> block(der, der + mem->length);
    uint32_t sig_len = static_cast<uint32_t>(block.size());
    // struct module_signature: algo, hash, id_type, signer_len, key_id_len, pad[3], be32 sig_len
    const uint8_t modsig[k_modsig_size] = {0,
                                           0,
                                           k_pkey_id_pkcs7,
                                           0,
                                           0,
                                           0,
                                           0,
                                           0,
                                           static_cast<uint8_t>(sig_len >> 24),
                                           static_cast<uint8_t>(sig_len >> 16),
                                           static_cast<uint8_t>(sig_len >> 8),
                                           static_cast<uint8_t>(sig_len)};
    block.insert(block.end(), modsig, modsig + k_modsig_size);
    block.insert(block.end(), k_signature_magic.begin(), k_signature_magic.end());
    return block;
}

Expected<std::vector<uint8_t>> ModuleSigner::sign(std::span<const uint8_t> module,
                                                  const std::string& name) const {
    auto data = signable(module, m_state->existing, name);
    if (!data) return std::unexpected(data.error());
    auto block = signature_block(*data);
    if (!block) {
        block.error().path = name;
        return std::unexpected(block.error());
    }
    std::vector<uint8_t> out(data->begin(), data->end());
    out.insert(out.end(), block->begin(), block->end());
    return out;
}

Expected<void> ModuleSigner::sign_file(const std::string& module_path,
                                       const std::string& dest_path) const {
    auto file = util::MappedFile::open(module_path);
    if (!file)
        return util::fail_errno(file.error().sys_errno, module_path, "could not read module");
    auto data = signable(file->bytes(), m_state->existing, module_path);
    if (!data) return std::unexpected(data.error());
    auto block = signature_block(*data);
    if (!block) {
        block.error().path = module_path;
        return std::unexpected(block.error());
    }
    const std::string& dest = dest_path.empty() ? module_path : dest_path;
    auto out = util::AtomicFile::create(dest, file->stat().st_mode & 07777);
    if (!out) return std::unexpected(out.error());
    if (auto r = out->write(as_chars(*data)); !r) return r;
    if (auto r = out->write(as_chars(*block)); !r) return r;
    return out->commit();
}

Expected<void> sign_module_file(const std::string& module_path, const SignOptions& options,
                                const std::string& dest_path) {
    auto signer = ModuleSigner::load(options);
    if (!signer) {
        if (signer.error().path.empty()) signer.error().path = module_path;
        return std::unexpected(signer.error());
    }
    return signer->sign_file(module_path, dest_path);
}

// --- MOK key pair ---

namespace {

Expected<void> add_extension(X509* cert, X509V3_CTX& ctx, int nid, const char* value) {
    Ossl<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
        return openssl_fail(ErrorKind::Invalid, "", std::string("certificate extension ") + value);
    return {};
}

Expected<Ossl<X509>> make_certificate(EVP_PKEY* key) {
    Ossl<X509> cert(X509_new());
    Ossl<BIGNUM> serial(BN_new());
    if (!cert || !serial || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
        BN_rand(serial.get(), k_serial_bits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr ||
        X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) == nullptr ||
        X509_time_adj_ex(X509_getm_notAfter(cert.get()), k_mok_days, 0, nullptr) == nullptr)
        return openssl_fail(ErrorKind::Invalid, "", "certificate setup");
    X509_NAME* name = X509_get_subject_name(cert.get());
    const auto* cn = reinterpret_cast<const unsigned char*>(k_mok_subject);
    if (X509_NAME_add_entry_by_NID(name, NID_commonName, V_ASN1_UTF8STRING, cn, -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key) != 1)
        return openssl_fail(ErrorKind::Invalid, "", "certificate name");
    // openssl.cnf's v3_ca section (what `req -x509` uses), then -addext.
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_key_identifier, "hash"},
                              {NID_authority_key_identifier, "keyid:always"},
                              {NID_basic_constraints, "critical,CA:true"},
                              {NID_ext_key_usage, "codeSigning"}})
        if (auto r = add_extension(cert.get(), ctx, nid, value); !r)
            return std::unexpected(r.error());
    if (X509_sign(cert.get(), key, EVP_sha256()) <= 0)
        return openssl_fail(ErrorKind::Invalid, "", "X509_sign");
    return cert;
}

// Like AtomicFile::commit, but fails with EEXIST instead of replacing the target.
Expected<void> commit_new(util::AtomicFile& file) {
    if (auto r = file.finish(); !r) return r;
    if (::link(file.temp_path().c_str(), file.target().c_str()) == 0) {
        file.discard(); // removes the temporary name; the target keeps the inode
        return {};
    }
    int err = errno;
    if (err == EEXIST)
        return fail(ErrorKind::Invalid, EEXIST, file.target(),
                    "already exists; not overwriting it");
    if (err != EPERM && err != ENOTSUP && err != EOPNOTSUPP) // no hard links here: plain rename
        return util::fail_errno(err, file.target(), "could not create");
    if (util::path_exists(file.target()))
        return fail(ErrorKind::Invalid, EEXIST, file.target(),
                    "already exists; not overwriting it");
    return file.commit();
}

Expected<util::AtomicFile> prepare(const std::string& path, mode_t mode, std::string_view data) {
    auto file = util::AtomicFile::create(path, mode);
    if (!file) return file;
    if (auto r = file->write(data); !r) return std::unexpected(r.error());
    if (auto r = file->finish(); !r) return std::unexpected(r.error());
    return file;
}

} // namespace

Expected<void> generate_signing_key(const std::string& key_path, const std::string& cert_path,
                                    Overwrite overwrite) {
    if (overwrite == Overwrite::No)
        for (const std::string* path : {&key_path, &cert_path})
            if (util::path_exists(*path))
                return fail(ErrorKind::Invalid, EEXIST, *path,
                            "already exists; not overwriting it");
    ERR_clear_error();
    Ossl<EVP_PKEY> key(EVP_RSA_gen(k_mok_bits));
    if (!key) return openssl_fail(ErrorKind::Invalid, key_path, "RSA key generation");
    auto cert = make_certificate(key.get());
    if (!cert) {
        cert.error().path = cert_path;
        return std::unexpected(cert.error());
    }

    Ossl<BIO> pem(BIO_new(BIO_s_mem()));
    if (!pem || PEM_write_bio_PKCS8PrivateKey(pem.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                              nullptr) != 1)
        return openssl_fail(ErrorKind::Invalid, key_path, "PEM_write_bio_PKCS8PrivateKey");
    BUF_MEM* pem_mem = nullptr;
    BIO_get_mem_ptr(pem.get(), &pem_mem);
    int der_len = i2d_X509(cert->get(), nullptr);
    if (der_len <= 0) return openssl_fail(ErrorKind::Invalid, cert_path, "i2d_X509");
    std::string der(static_cast<size_t>(der_len), '\0');
    auto* p = reinterpret_cast<unsigned char*>(der.data());
    i2d_X509(cert->get(), &p);

    auto key_file = prepare(key_path, 0600, {pem_mem->data, pem_mem->length});
    if (!key_file) return std::unexpected(key_file.error());
    auto cert_file = prepare(cert_path, 0644, der);
    if (!cert_file) return std::unexpected(cert_file.error());
    if (overwrite == Overwrite::Yes) {
        if (auto r = key_file->commit(); !r) return r;
        return cert_file->commit();
    }
    if (auto r = commit_new(*key_file); !r) return r;
    if (auto r = commit_new(*cert_file); !r) {
        ::unlink(key_path.c_str()); // created just now: leave no key without its certificate
        return r;
    }
    return {};
}

} // namespace modkit::module
