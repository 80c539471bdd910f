// Native module signing, byte for byte what the kernel's scripts/sign-file appends (so DKMS can
// sign where sign-file is not installed), and the self-signed MOK key pair DKMS creates with
// `openssl req`. Both use OpenSSL's libcrypto.
//
// A signed module is:
//   module bytes | DER CMS SignedData, detached, no certificates, no signed attributes, signer
//   identified by issuer and serial | struct module_signature { u8 algo = 0, hash = 0,
//   id_type = 2 (PKCS#7), signer_len = 0, key_id_len = 0, pad[3]; be32 sig_len }
//   | "~Module signature appended~\n"
// sign-file does not look for an existing signature: it signs the whole file, old signature
// included, and appends a second one. ExistingSignature::Append reproduces that; the default
// refuses, Replace strips every appended signature first.
#pragma once

#include "util/error.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace modkit::module {

enum class ExistingSignature {
    Refuse,  // an error naming the module (the default)
    Replace, // strip all appended signatures, then sign
    Append,  // sign everything, old signature included: what sign-file does
};

struct SignOptions {
    std::string hash_algo; // CONFIG_MODULE_SIG_HASH: "sha256", "sha512"... (any OpenSSL digest)
    std::string key_path;  // PEM (as sign-file) or DER private key; "pkcs11:" is Unsupported
    std::string cert_path; // X.509 certificate, DER or PEM (sign-file's rule: 30 81..84 is DER)
    // For an encrypted private key; sign-file takes it from $KBUILD_SIGN_PIN.
    std::optional<std::string> passphrase;
    ExistingSignature existing = ExistingSignature::Refuse;
};

// A loaded key, certificate and digest: load once, sign many modules.
class ModuleSigner {
public:
    // Errors name the file: NotFound (missing key or certificate), Corrupt (unreadable key or
    // certificate, wrong passphrase), Invalid (unknown hash, key does not match certificate),
    // Unsupported ("pkcs11:" keys: call sign-file instead).
    static util::Expected<ModuleSigner> load(const SignOptions& options);

    ModuleSigner(ModuleSigner&&) noexcept;
    ModuleSigner& operator=(ModuleSigner&&) noexcept;
    ~ModuleSigner();

    // What sign-file appends to `data`: the CMS blob, struct module_signature and the magic.
    util::Expected<std::vector<uint8_t>> signature_block(std::span<const uint8_t> data) const;

    // The signed image of `module` (an uncompressed ELF .ko); `name` is used in errors.
    util::Expected<std::vector<uint8_t>> sign(std::span<const uint8_t> module,
                                              const std::string& name) const;

    // Signs `module_path` into `dest_path` (in place if empty), atomically: temp file, fsync,
    // rename. The file mode of the original is kept. On error nothing is changed.
    util::Expected<void> sign_file(const std::string& module_path,
                                   const std::string& dest_path = {}) const;

private:
    struct State;
    explicit ModuleSigner(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
};

// One-shot: ModuleSigner::load(options) then sign_file(); errors without a file of their own
// (an unknown hash) name the module.
util::Expected<void> sign_module_file(const std::string& module_path, const SignOptions& options,
                                      const std::string& dest_path = {});

enum class Overwrite { No, Yes };

// The key pair DKMS makes when mok.key/mok.pub are missing, as Debian 12's OpenSSL 3.0 does it
// for `openssl req -new -x509 -nodes -days 36500 -subj "/CN=DKMS module signing key"
// -newkey rsa:2048 -addext extendedKeyUsage=codeSigning -outform DER`: RSA-2048; X.509 v3,
// random 159-bit serial, subject = issuer = CN=DKMS module signing key, valid 36500 days from
// now, subjectKeyIdentifier, authorityKeyIdentifier (keyid), critical basicConstraints CA:TRUE,
// extendedKeyUsage codeSigning, sha256WithRSAEncryption. The key is written as unencrypted
// PKCS#8 PEM with mode 0600, the certificate as DER with mode 0644; each file atomically.
// With Overwrite::No an existing file is an error (EEXIST) and neither file is touched.
util::Expected<void> generate_signing_key(const std::string& key_path, const std::string& cert_path,
                                          Overwrite overwrite = Overwrite::No);

} // namespace modkit::module
