// prepare_signing and the per-module signing step.
#include "dkms/signing.hpp"

#include "dkms/kconfig.hpp"
#include "dkms/shell.hpp"
#include "module/sign.hpp"
#include "util/strings.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace modkit::dkms {

namespace {

bool is_file(const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_executable_file(const std::string& p) {
    return is_file(p) && access(p.c_str(), X_OK) == 0;
}

// `${kernelver%.*}`: the kernel version without its last dot-suffix ("6.1.0-50-amd64" -> "6.1").
std::string strip_last_dot(const std::string& v) {
    size_t dot = v.rfind('.');
    return dot == std::string::npos ? v : v.substr(0, dot);
}

} // namespace

bool ensure_signing_key(const std::string& key, const std::string& cert, Report& report) {
    if (is_file(key) && is_file(cert)) return true;
    report.out("Certificate or key are missing, generating self signed certificate for MOK...\n");
    auto made = module::generate_signing_key(key, cert, module::Overwrite::Yes);
    if (!made) {
        report.out("Key file " + key +
                   " not found and can't be generated, modules won't be signed (" +
                   made.error().describe() + ")\n");
        return false;
    }
    return true;
}

SigningSetup prepare_signing(const Context& base, const ConfTarget& target, Report& report) {
    SigningSetup s;
    Context ctx = base;
    if (auto r = read_framework(ctx, framework_signing_names(), {{"kernelver", target.kernelver}});
        !r)
        report.warning({r.error().describe()});
    if (ctx.try_sign_modules == "false") {
        report.out("Module signing is disabled by policy\n");
        return s;
    }
    KernelConfig kc = KernelConfig::load(target.kernel_config);
    s.hash = kc.value("CONFIG_MODULE_SIG_HASH");
    if (s.hash.empty()) {
        report.out(
            "The kernel is built without module signing facility, modules won't be signed\n");
        return s;
    }
    std::string sign_file = ctx.sign_file;
    if (sign_file.empty()) {
        if (util::starts_with(ctx.running_distribution, "debian"))
            sign_file =
                "/usr/lib/linux-kbuild-" + strip_last_dot(target.kernelver) + "/scripts/sign-file";
        else if (util::starts_with(ctx.running_distribution, "ubuntu"))
            sign_file = "/usr/src/linux-headers-" + target.kernelver + "/scripts/sign-file";
        if (!is_file(sign_file))
            sign_file = ctx.install_tree + "/" + target.kernelver + "/build/scripts/sign-file";
    }
    report.out("Sign command: " + sign_file + "\n");
    if (is_executable_file(sign_file)) {
        s.sign_file = sign_file;
    } else {
        report.out("Binary " + sign_file + " not found, signing natively with OpenSSL\n");
        s.native = true;
    }
    s.key = ctx.mok_signing_key.empty() ? "/var/lib/dkms/mok.key" : ctx.mok_signing_key;
    s.cert = ctx.mok_certificate.empty() ? "/var/lib/dkms/mok.pub" : ctx.mok_certificate;
    report.out("Signing key: " + s.key + "\n");
    report.out("Public certificate (MOK): " + s.cert + "\n");
    if (util::starts_with(s.key, "pkcs11:")) {
        if (s.native) {
            report.out("A pkcs11: key needs sign-file, modules won't be signed\n");
            return s;
        }
    } else if (!ensure_signing_key(s.key, s.cert, report)) {
        return s;
    }
    s.enabled = true;
    return s;
}

bool sign_module_file(const SigningSetup& setup, const std::string& path, int log_fd,
                      Report& report) {
    if (!setup.enabled) return true;
    bool ok = false;
    if (setup.native) {
        module::SignOptions opt;
        opt.hash_algo = setup.hash;
        opt.key_path = setup.key;
        opt.cert_path = setup.cert;
        opt.existing = module::ExistingSignature::Append; // as sign-file
        auto r = module::sign_module_file(path, opt);
        ok = r.has_value();
        if (!r) report.err(r.error().describe() + "\n");
    } else {
        ShellCommand cmd;
        cmd.script = "exec \"$1\" \"$2\" \"$3\" \"$4\" \"$5\"";
        cmd.args = {setup.sign_file, setup.hash, setup.key, setup.cert, path};
        cmd.stdout_fd = log_fd;
        cmd.stderr_fd = log_fd;
        auto status = run_shell(cmd);
        ok = status && *status == 0;
    }
    if (!ok) report.warning({"Failed to sign module '" + path + "'!"});
    return ok;
}

} // namespace modkit::dkms
