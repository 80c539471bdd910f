// Native module signing and MOK key generation. The oracles are the kernel's own sign-file and
// `openssl req` (used when installed, skipped otherwise), libcrypto's CMS_verify and the
// existing signature reader; a real Debian module is used when the tree cache is present.
#include "module/sign.hpp"

#include "elf_builder.hpp"
#include "module/signature.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <regex>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace modkit::module {
namespace {

namespace fs = std::filesystem;
using test::read_file;
using test::TempDir;
using test::write_file;

constexpr const char* k_sign_file = "/usr/lib/linux-kbuild-6.1/scripts/sign-file";
constexpr const char* k_openssl = "/usr/bin/openssl";
constexpr const char* k_subject = "DKMS module signing key";

bool executable(const char* path) {
    return ::access(path, X_OK) == 0;
}

int run(const std::string& command) {
    int rc = std::system((command + " >/dev/null 2>&1").c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string capture(const std::string& command) {
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;)
        out.append(buf, n);
    ::pclose(pipe);
    return out;
}

struct KeyPair {
    std::string key;
    std::string cert;
};

struct X509Free {
    void operator()(X509* p) const { X509_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr load_der_cert(const std::string& path) {
    auto der = read_file(path);
    const unsigned char* p = der.data();
    return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

std::vector<uint8_t> serial_bytes(X509* cert) {
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
    const unsigned char* data = ASN1_STRING_get0_data(serial);
    return {data, data + ASN1_STRING_length(serial)};
}

// A Debian module without its signature (or nullopt if the tree cache is absent).
const std::optional<std::vector<uint8_t>>& real_module() {
    static const auto image = []() -> std::optional<std::vector<uint8_t>> {
        const char* env = std::getenv("MODKIT_CACHE");
        fs::path root = fs::path(env != nullptr && *env != '\0' ? env : "/var/cache/modkit") /
                        "current/plain/lib/modules";
        std::error_code ec;
        for (const auto& kver : fs::directory_iterator(root, ec)) {
            for (const char* rel : {"kernel/net/6lowpan/nhc_ipv6.ko", "kernel/lib/crc-itu-t.ko",
                                    "kernel/drivers/net/dummy.ko"}) {
                fs::path ko = kver.path() / rel;
                if (!fs::is_regular_file(ko, ec)) continue;
                auto bytes = read_file(ko.string());
                bytes.resize(unsigned_size(bytes));
                return bytes;
            }
        }
        return std::nullopt;
    }();
    return image;
}

const std::vector<uint8_t>& synthetic_module() {
    static const auto image = test::sample_module().build();
    return image;
}

// The detached CMS signature in `image` verifies against `cert_path` over the signed prefix.
bool cms_verifies(std::span<const uint8_t> image, const std::string& cert_path) {
    auto info = parse_signature(image);
    if (!info) return false;
    size_t trailer = k_signature_magic.size() + 12;
    size_t sig_len = image.size() - trailer - info->signed_size;
    const unsigned char* p = image.data() + info->signed_size;
    CMS_ContentInfo* cms = d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(sig_len));
    X509Ptr cert = load_der_cert(cert_path);
    STACK_OF(X509)* certs = sk_X509_new_null();
    sk_X509_push(certs, cert.get());
    BIO* content = BIO_new_mem_buf(image.data(), static_cast<int>(info->signed_size));
    bool ok = cms != nullptr && CMS_verify(cms, certs, nullptr, content, nullptr,
                                           CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) == 1;
    BIO_free(content);
    sk_X509_free(certs);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return ok;
}

std::vector<std::string> dir_entries(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
}

class Sign : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_keys = new TempDir;
        s_own = {s_keys->file("own.key"), s_keys->file("own.der")};
        auto r = generate_signing_key(s_own.key, s_own.cert);
        ASSERT_TRUE(r) << r.error().describe();
        s_other = {s_keys->file("other.key"), s_keys->file("other.der")};
        r = generate_signing_key(s_other.key, s_other.cert);
        ASSERT_TRUE(r) << r.error().describe();
        if (executable(k_openssl)) {
            s_req = {s_keys->file("req.key"), s_keys->file("req.der")};
            // DKMS's command line, word for word.
            int rc =
                run(std::string(k_openssl) +
                    " req -new -x509 -nodes -days 36500 -subj \"/CN=DKMS module signing "
                    "key\" -newkey rsa:2048 -keyout " +
                    s_req.key + " -addext \"extendedKeyUsage=codeSigning\" -outform DER -out " +
                    s_req.cert);
            ASSERT_EQ(rc, 0);
        }
    }
    static void TearDownTestSuite() {
        delete s_keys;
        s_keys = nullptr;
    }

    static SignOptions options(const KeyPair& pair, std::string hash = "sha512") {
        SignOptions o;
        o.hash_algo = std::move(hash);
        o.key_path = pair.key;
        o.cert_path = pair.cert;
        return o;
    }

    // sign-file's output for `image` (empty if sign-file failed).
    std::vector<uint8_t> sign_file_output(std::span<const uint8_t> image, const KeyPair& pair,
                                          const std::string& hash) {
        std::string copy = m_dir.file("sign-file.ko");
        write_file(copy, image);
        if (run(std::string(k_sign_file) + " " + hash + " " + pair.key + " " + pair.cert + " " +
                copy) != 0)
            return {};
        return read_file(copy);
    }

    static inline TempDir* s_keys = nullptr;
    static inline KeyPair s_own, s_other, s_req;
    TempDir m_dir;
};

TEST_F(Sign, SameBytesAsKernelSignFile) {
    if (!executable(k_sign_file)) GTEST_SKIP() << k_sign_file << " is not installed";
    if (!real_module()) GTEST_SKIP() << "no Debian module tree cache (scripts/fetch-tree.sh)";
    if (s_req.key.empty()) GTEST_SKIP() << k_openssl << " is not installed";
    const auto& image = *real_module();
    ASSERT_FALSE(parse_signature(std::span<const uint8_t>(image)));
    for (const KeyPair* pair : {&s_own, &s_req}) {
        for (const char* hash : {"sha256", "sha512"}) {
            SCOPED_TRACE(pair->key + " " + hash);
            auto expected = sign_file_output(image, *pair, hash);
            ASSERT_FALSE(expected.empty());
            // In memory and through a file (to another name, the input left alone).
            auto signer = ModuleSigner::load(options(*pair, hash));
            ASSERT_TRUE(signer) << signer.error().describe();
            auto signed_image = signer->sign(image, "mem.ko");
            ASSERT_TRUE(signed_image) << signed_image.error().describe();
            EXPECT_EQ(*signed_image, expected);
            write_file(m_dir.file("in.ko"), image);
            auto r =
                sign_module_file(m_dir.file("in.ko"), options(*pair, hash), m_dir.file("out.ko"));
            ASSERT_TRUE(r) << r.error().describe();
            EXPECT_EQ(read_file(m_dir.file("out.ko")), expected);
            EXPECT_EQ(read_file(m_dir.file("in.ko")), image);
        }
    }
}

TEST_F(Sign, ReaderSeesSignerSerialAndHash) {
    const auto& image = real_module() ? *real_module() : synthetic_module();
    X509Ptr cert = load_der_cert(s_own.cert);
    ASSERT_TRUE(cert);
    for (const char* hash : {"sha256", "sha384", "sha512"}) {
        SCOPED_TRACE(hash);
        auto signer = ModuleSigner::load(options(s_own, hash));
        ASSERT_TRUE(signer) << signer.error().describe();
        auto signed_image = signer->sign(image, "m.ko");
        ASSERT_TRUE(signed_image) << signed_image.error().describe();
        auto info = parse_signature(std::span<const uint8_t>(*signed_image));
        ASSERT_TRUE(info);
        EXPECT_EQ(info->id_type, "PKCS#7");
        EXPECT_EQ(info->signer, k_subject);
        EXPECT_EQ(info->key_id, serial_bytes(cert.get()));
        EXPECT_EQ(info->hash_algo, hash);
        EXPECT_EQ(info->signed_size, image.size());
        EXPECT_EQ(info->signature.size(), 256u); // RSA-2048
        EXPECT_TRUE(cms_verifies(*signed_image, s_own.cert));
        EXPECT_FALSE(cms_verifies(*signed_image, s_other.cert));
        // The trailer is sign-file's: algo 0, hash 0, PKCS#7, no signer or key id.
        std::span<const uint8_t> tail(signed_image->data() + signed_image->size() - 40, 12);
        EXPECT_EQ(std::vector<uint8_t>(tail.begin(), tail.begin() + 8),
                  (std::vector<uint8_t>{0, 0, 2, 0, 0, 0, 0, 0}));
    }
}

TEST_F(Sign, PemCertificateAndDerKeyGiveTheSameBytes) {
    // The same key and certificate in the other encodings (and a combined PEM, like the
    // kernel's certs/signing_key.pem, used as both key and certificate).
    X509Ptr cert = load_der_cert(s_own.cert);
    auto key_pem = read_file(s_own.key);
    BIO* in = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    ASSERT_NE(key, nullptr);
    BIO* out = BIO_new_file(m_dir.file("key.der").c_str(), "wb");
    ASSERT_EQ(i2d_PrivateKey_bio(out, key), 1);
    BIO_free(out);
    out = BIO_new_file(m_dir.file("cert.pem").c_str(), "wb");
    ASSERT_EQ(PEM_write_bio_X509(out, cert.get()), 1);
    BIO_free(out);
    out = BIO_new_file(m_dir.file("both.pem").c_str(), "wb");
    ASSERT_EQ(PEM_write_bio_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
    ASSERT_EQ(PEM_write_bio_X509(out, cert.get()), 1);
    BIO_free(out);
    EVP_PKEY_free(key);

    const auto& image = synthetic_module();
    auto reference = ModuleSigner::load(options(s_own))->sign(image, "m.ko");
    ASSERT_TRUE(reference);
    for (const KeyPair& pair :
         {KeyPair{m_dir.file("key.der"), s_own.cert}, KeyPair{s_own.key, m_dir.file("cert.pem")},
          KeyPair{m_dir.file("both.pem"), m_dir.file("both.pem")}}) {
        SCOPED_TRACE(pair.key + " " + pair.cert);
        auto signer = ModuleSigner::load(options(pair));
        ASSERT_TRUE(signer) << signer.error().describe();
        EXPECT_EQ(signer->sign(image, "m.ko").value(), *reference);
    }
}

TEST_F(Sign, EncryptedKeyNeedsItsPassphrase) {
    auto key_pem = read_file(s_own.key);
    BIO* in = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    ASSERT_NE(key, nullptr);
    std::string enc = m_dir.file("enc.key");
    BIO* out = BIO_new_file(enc.c_str(), "wb");
    char pass[] = "hunter2";
    ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out, key, EVP_aes_256_cbc(), pass, 7, nullptr, nullptr),
              1);
    BIO_free(out);
    EVP_PKEY_free(key);

    SignOptions o = options({enc, s_own.cert});
    auto r = ModuleSigner::load(o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().describe(), enc + ": private key is encrypted and no passphrase was given "
                                          "(sign-file reads it from KBUILD_SIGN_PIN)");
    o.passphrase = "wrong";
    r = ModuleSigner::load(o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().describe(), enc + ": could not decrypt private key (wrong passphrase?)");
    o.passphrase = "hunter2";
    r = ModuleSigner::load(o);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->sign(synthetic_module(), "m.ko").value(),
              ModuleSigner::load(options(s_own))->sign(synthetic_module(), "m.ko").value());
    if (executable(k_sign_file)) {
        write_file(m_dir.file("sf.ko"), synthetic_module());
        ASSERT_EQ(run("KBUILD_SIGN_PIN=hunter2 " + std::string(k_sign_file) + " sha512 " + enc +
                      " " + s_own.cert + " " + m_dir.file("sf.ko")),
                  0);
        EXPECT_EQ(read_file(m_dir.file("sf.ko")), *r->sign(synthetic_module(), "m.ko"));
    }
}

TEST_F(Sign, AlreadySignedModule) {
    const auto& image = real_module() ? *real_module() : synthetic_module();
    auto once = *ModuleSigner::load(options(s_other))->sign(image, "m.ko");

    // Refuse (the default): an error naming the module, the file untouched.
    std::string path = m_dir.file("signed.ko");
    write_file(path, once);
    auto r = sign_module_file(path, options(s_own));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().describe(), path + ": module is already signed");
    EXPECT_EQ(read_file(path), once);

    // Replace: the same bytes as signing the unsigned module.
    SignOptions o = options(s_own);
    o.existing = ExistingSignature::Replace;
    ASSERT_TRUE(sign_module_file(path, o));
    EXPECT_EQ(read_file(path), *ModuleSigner::load(options(s_own))->sign(image, "m.ko"));
    auto twice = *ModuleSigner::load([&] {
                      SignOptions a = options(s_other);
                      a.existing = ExistingSignature::Append;
                      return a;
                  }())
                      ->sign(once, "m.ko");
    auto replaced = ModuleSigner::load(o)->sign(twice, "m.ko"); // strips both signatures
    ASSERT_TRUE(replaced);
    EXPECT_EQ(*replaced, read_file(path));

    // Append: what sign-file does, a second signature over the first.
    o.existing = ExistingSignature::Append;
    auto appended = ModuleSigner::load(o)->sign(once, "m.ko");
    ASSERT_TRUE(appended);
    auto info = parse_signature(std::span<const uint8_t>(*appended));
    ASSERT_TRUE(info);
    EXPECT_EQ(info->signed_size, once.size());
    EXPECT_TRUE(cms_verifies(*appended, s_own.cert));
    if (executable(k_sign_file)) {
        EXPECT_EQ(*appended, sign_file_output(once, s_own, "sha512"));
    }

    // A trailer that cannot be stripped.
    auto broken = image;
    broken.insert(broken.end(), 12, 0xff);
    broken.insert(broken.end(), k_signature_magic.begin(), k_signature_magic.end());
    o.existing = ExistingSignature::Replace;
    auto bad = ModuleSigner::load(o)->sign(broken, "broken.ko");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().describe(),
              "broken.ko: cannot remove the existing signature: its trailer is corrupt");
}

TEST_F(Sign, InPlaceKeepsModeAndLeavesNoTemporaryFiles) {
    std::string path = m_dir.file("m.ko");
    write_file(path, synthetic_module());
    ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
    auto r = sign_module_file(path, options(s_own, "sha256"));
    ASSERT_TRUE(r) << r.error().describe();
    struct stat st;
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    EXPECT_EQ(dir_entries(m_dir.path()), std::vector<std::string>{"m.ko"});
    auto info = parse_signature(std::span<const uint8_t>(read_file(path)));
    ASSERT_TRUE(info);
    EXPECT_EQ(info->hash_algo, "sha256");
}

TEST_F(Sign, ErrorsNameTheFileAndChangeNothing) {
    std::string module = m_dir.file("m.ko");
    std::string missing_key = m_dir.file("missing.key");
    std::string garbage = m_dir.file("garbage");
    std::string compressed = m_dir.file("c.ko.xz");
    write_file(module, synthetic_module());
    write_file(garbage, std::string_view("-----BEGIN NOTHING-----\nxx\n"));
    write_file(compressed, test::xz_compress(synthetic_module(), 1 << 16));
    fs::create_directory(m_dir.file("dir.ko"));
    struct Case {
        const char* what;
        SignOptions options;
        std::string module;
        std::string dest;
        util::ErrorKind kind;
        std::string message;
    };
    auto with = [&](auto change) {
        SignOptions o = options(s_own);
        change(o);
        return o;
    };
    const std::vector<Case> cases = {
        {"missing key", with([&](SignOptions& o) { o.key_path = missing_key; }), module, "",
         util::ErrorKind::NotFound,
         missing_key + ": could not read private key: No such file or directory"},
        {"missing certificate", with([&](SignOptions& o) { o.cert_path = missing_key; }), module,
         "", util::ErrorKind::NotFound,
         missing_key + ": could not read certificate: No such file or directory"},
        {"key and certificate mismatch", with([&](SignOptions& o) { o.cert_path = s_other.cert; }),
         module, "", util::ErrorKind::Invalid,
         s_own.key + ": private key does not match certificate " + s_other.cert},
        {"unknown hash", with([&](SignOptions& o) { o.hash_algo = "sha999"; }), module, "",
         util::ErrorKind::Invalid, module + ": unknown hash algorithm \"sha999\""},
        {"missing module", options(s_own), m_dir.file("none.ko"), "", util::ErrorKind::NotFound,
         m_dir.file("none.ko") + ": could not read module: No such file or directory"},
        {"module is a directory", options(s_own), m_dir.file("dir.ko"), "", util::ErrorKind::Io,
         m_dir.file("dir.ko") + ": could not read module: Is a directory"},
        {"compressed module", options(s_own), compressed, "", util::ErrorKind::Invalid,
         compressed + ": not an ELF module (modules are signed before they are compressed)"},
        {"garbage key", with([&](SignOptions& o) { o.key_path = garbage; }), module, "",
         util::ErrorKind::Corrupt, garbage + ": not a PEM or DER private key"},
        {"garbage certificate", with([&](SignOptions& o) { o.cert_path = garbage; }), module, "",
         util::ErrorKind::Corrupt, garbage + ": not a DER or PEM X.509 certificate"},
        {"pkcs11 key", with([&](SignOptions& o) { o.key_path = "pkcs11:token=mok;object=key"; }),
         module, "", util::ErrorKind::Unsupported,
         "pkcs11:token=mok;object=key: PKCS#11 keys are not supported natively; use the kernel's "
         "scripts/sign-file"},
        {"destination directory missing", options(s_own), module, m_dir.file("no/dir/m.ko"),
         util::ErrorKind::NotFound,
         m_dir.file("no/dir/m.ko") +
             ": could not create temporary file: No such file or directory"},
    };
    const auto before = dir_entries(m_dir.path());
    for (const Case& c : cases) {
        SCOPED_TRACE(c.what);
        auto r = sign_module_file(c.module, c.options, c.dest);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, c.kind);
        EXPECT_EQ(r.error().describe(), c.message);
        EXPECT_EQ(read_file(module), synthetic_module());
        EXPECT_EQ(dir_entries(m_dir.path()), before);
    }
}

// --- generate_signing_key ---

TEST_F(Sign, GeneratedCertificateIsWhatOpensslReqMakes) {
    struct stat st;
    ASSERT_EQ(::stat(s_own.key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    ASSERT_EQ(::stat(s_own.cert.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0644u);
    auto key_pem = read_file(s_own.key);
    EXPECT_EQ(std::string(key_pem.begin(), key_pem.begin() + 28), "-----BEGIN PRIVATE KEY-----\n");

    X509Ptr cert = load_der_cert(s_own.cert);
    ASSERT_TRUE(cert);
    EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
    char name[256];
    EXPECT_EQ(X509_NAME_oneline(X509_get_subject_name(cert.get()), name, sizeof name),
              std::string("/CN=") + k_subject);
    EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())),
              0);
    // 159 random bits, positive: at most 20 bytes.
    auto serial = serial_bytes(cert.get());
    EXPECT_LE(serial.size(), 20u);
    EXPECT_GE(serial.size(), 16u);
    // Exactly 36500 days, starting now.
    int days = 0, secs = 0;
    ASSERT_EQ(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert.get()),
                             X509_get0_notAfter(cert.get())),
              1);
    EXPECT_EQ(days, 36500);
    EXPECT_EQ(secs, 0);
    EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(cert.get())), 0);
    // The key: RSA-2048, matching the certificate; the certificate is self-signed.
    EVP_PKEY* pub = X509_get0_pubkey(cert.get());
    EXPECT_EQ(EVP_PKEY_get_base_id(pub), EVP_PKEY_RSA);
    EXPECT_EQ(EVP_PKEY_get_bits(pub), 2048);
    EXPECT_EQ(X509_verify(cert.get(), pub), 1);
    EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_sha256WithRSAEncryption);
    // Extensions, in openssl req's order.
    std::vector<std::pair<int, int>> exts;
    for (int i = 0; i < X509_get_ext_count(cert.get()); ++i) {
        X509_EXTENSION* ext = X509_get_ext(cert.get(), i);
        exts.emplace_back(OBJ_obj2nid(X509_EXTENSION_get_object(ext)),
                          X509_EXTENSION_get_critical(ext));
    }
    EXPECT_EQ(exts, (std::vector<std::pair<int, int>>{{NID_subject_key_identifier, 0},
                                                      {NID_authority_key_identifier, 0},
                                                      {NID_basic_constraints, 1},
                                                      {NID_ext_key_usage, 0}}));
    EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_subject_key_id(cert.get()),
                                    X509_get0_authority_key_id(cert.get())),
              0);
    EXPECT_EQ(X509_get0_authority_issuer(cert.get()), nullptr);
    EXPECT_TRUE(X509_get_extension_flags(cert.get()) & EXFLAG_CA);
    EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<uint32_t>(XKU_CODE_SIGN));
    ERR_clear_error();
}

TEST_F(Sign, SameShapeAsOpensslReqCertificate) {
    if (s_req.key.empty()) GTEST_SKIP() << k_openssl << " is not installed";
    // Everything but the key, serial, dates and signature: compare asn1parse structure.
    auto shape = [](const std::string& cert) {
        std::string out = capture(std::string(k_openssl) + " asn1parse -inform DER -in " + cert);
        static const std::regex line_re(
            R"(^\s*\d+:d=(\d+)\s+hl=\d+\s+l=\s*\d+ (prim|cons): ([^:]*?)\s*(:.*)?$)");
        std::string lines;
        std::istringstream in(out);
        for (std::string line; std::getline(in, line);) {
            std::smatch m;
            if (!std::regex_match(line, m, line_re)) return "unparsed: " + line;
            std::string type = m[3];
            bool keep = type == "OBJECT" || type == "UTF8STRING" || type == "BOOLEAN";
            lines += m[1].str() + " " + type + (keep ? m[4].str() : "") + "\n";
        }
        return lines;
    };
    std::string ours = shape(s_own.cert);
    EXPECT_NE(ours.find("UTF8STRING:DKMS module signing key"), std::string::npos) << ours;
    EXPECT_EQ(ours, shape(s_req.cert));
    EXPECT_EQ(read_file(s_req.key)[11], 'P'); // "-----BEGIN PRIVATE KEY-----" there too
}

TEST_F(Sign, OpensslTextShowsCodeSigningAnd36500Days) {
    if (!executable(k_openssl)) GTEST_SKIP() << k_openssl << " is not installed";
    std::string text =
        capture(std::string(k_openssl) + " x509 -inform DER -in " + s_own.cert + " -noout -text");
    EXPECT_NE(text.find("X509v3 Extended Key Usage: \n                Code Signing"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("X509v3 Basic Constraints: critical\n                CA:TRUE"),
              std::string::npos);
    EXPECT_NE(text.find("Subject: CN = DKMS module signing key"), std::string::npos);
    EXPECT_NE(text.find("Issuer: CN = DKMS module signing key"), std::string::npos);
    auto date = [&](const char* label) -> time_t {
        size_t at = text.find(label);
        if (at == std::string::npos) return 0;
        struct tm tm {};
        if (strptime(text.c_str() + at + std::strlen(label), "%b %d %H:%M:%S %Y GMT", &tm) ==
            nullptr)
            return 0;
        return timegm(&tm);
    };
    time_t before = date("Not Before: "), after = date("Not After : ");
    ASSERT_NE(before, 0);
    ASSERT_NE(after, 0);
    EXPECT_EQ(after - before, 36500L * 24 * 3600); // 100 years of DKMS's "-days 36500"
}

TEST_F(Sign, GenerateNeverOverwritesUnlessAsked) {
    std::string key = m_dir.file("mok.key"), cert = m_dir.file("mok.pub");
    write_file(key, std::string_view("old key"));
    auto r = generate_signing_key(key, cert);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().describe(), key + ": already exists; not overwriting it");
    EXPECT_EQ(r.error().sys_errno, EEXIST);
    EXPECT_EQ(dir_entries(m_dir.path()), std::vector<std::string>{"mok.key"});
    ::unlink(key.c_str());
    write_file(cert, std::string_view("old cert"));
    r = generate_signing_key(key, cert);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().describe(), cert + ": already exists; not overwriting it");
    EXPECT_EQ(dir_entries(m_dir.path()), std::vector<std::string>{"mok.pub"});

    write_file(key, std::string_view("old key"));
    ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
    r = generate_signing_key(key, cert, Overwrite::Yes);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(dir_entries(m_dir.path()), (std::vector<std::string>{"mok.key", "mok.pub"}));
    struct stat st;
    ASSERT_EQ(::stat(key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_TRUE(ModuleSigner::load(options({key, cert})));

    r = generate_signing_key(m_dir.file("no/such/dir/mok.key"), m_dir.file("x.pub"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().describe(), m_dir.file("no/such/dir/mok.key") +
                                        ": could not create temporary file: No such file or "
                                        "directory");
    EXPECT_EQ(dir_entries(m_dir.path()), (std::vector<std::string>{"mok.key", "mok.pub"}));
}

TEST_F(Sign, GeneratedKeysAreFreshEachTime) {
    EXPECT_NE(read_file(s_own.key), read_file(s_other.key));
    X509Ptr a = load_der_cert(s_own.cert), b = load_der_cert(s_other.cert);
    EXPECT_NE(serial_bytes(a.get()), serial_bytes(b.get()));
}

} // namespace
} // namespace modkit::module
