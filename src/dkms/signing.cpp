// prepare_signing and the per-module signing step.
#include "dkms/signing.hpp"

#include "dkms/kconfig.hpp"
#include "dkms/shell.hpp"
#include "dkms/tree.hpp"
#include "module/sign.hpp"
#include "util/atomic_file.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace modkit::dkms {

namespace {

bool is_executable_file(const std::string& p) {
    return util::is_regular_file(p) && access(p.c_str(), X_OK) == 0;
}

// `${kernelver%.*}`: the kernel version without its last dot-suffix ("6.1.0-50-amd64" -> "6.1").
std::string strip_last_dot(const std::string& v) {
    size_t dot = v.rfind('.');
    return dot == std::string::npos ? v : v.substr(0, dot);
}

} // namespace

MokPaths mok_paths(const Context& ctx) {
    return {ctx.mok_signing_key.empty() ? ctx.dkms_tree + "/mok.key" : ctx.mok_signing_key,
            ctx.mok_certificate.empty() ? ctx.dkms_tree + "/mok.pub" : ctx.mok_certificate};
}

bool ensure_signing_key(const std::string& key, const std::string& cert, Report& report) {
    bool pkcs11 = util::starts_with(key, "pkcs11:");
    if (!pkcs11 && (!util::is_regular_file(key) || !util::is_regular_file(cert))) {
        report.out(
            "Certificate or key are missing, generating self signed certificate for MOK...\n");
        (void)module::generate_signing_key(key, cert, module::Overwrite::Yes);
        if (!util::is_regular_file(key)) {
            report.out("Key file " + key +
                       " not found and can't be generated, modules won't be signed\n");
            return false;
        }
    }
    if (!util::is_regular_file(cert)) {
        report.out("Certificate file " + cert +
                   " not found and can't be generated, modules won't be signed\n");
        return false;
    }
    return true;
}

Outcome prepare_kernel(const Context& ctx, const ConfTarget& target) {
    if (util::path_exists(target.kernel_source_dir + "/include")) return {};
    const std::string& k = target.kernelver;
    std::string dir = ctx.install_tree + "/" + k;
    return die(exit_code::k_no_headers,
               {"Your kernel headers for kernel " + k + " cannot be found at " + dir +
                    "/build or " + dir + "/source.",
                "Please install your distribution's kernel headers package matching " + k +
                    ", or use the --kernelsourcedir option to tell DKMS where it's located."});
}

SigningSetup prepare_signing(const Context& base, const ConfTarget& target, Report& report) {
    SigningSetup s;
    Context ctx = base;
    if (auto r = read_framework(ctx, framework_signing_names(), {{"kernelver", target.kernelver}});
        !r)
        report.warning({r.error().describe()});
    if (ctx.try_sign_modules == "false") {
        report.out("Module signing is disabled by policy, modules won't be signed\n");
        return s;
    }
    if (!util::is_regular_file(target.kernel_config)) {
        report.out("Kernel config " + target.kernel_config +
                   " not found, modules won't be signed\n");
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
        else if (util::starts_with(ctx.running_distribution, "gentoo"))
            sign_file = "/usr/src/linux-" + target.kernelver + "/scripts/sign-file";
        if (!util::is_regular_file(sign_file))
            sign_file = ctx.install_tree + "/" + target.kernelver + "/build/scripts/sign-file";
    }
    report.out("Sign command: " + sign_file + "\n");
    if (is_executable_file(sign_file)) {
        s.sign_file = sign_file;
    } else {
        // Where DKMS says "Binary ... not found, modules won't be signed".
        report.out("Binary " + sign_file + " not found, signing natively with OpenSSL\n");
        s.native = true;
    }
    MokPaths mok = mok_paths(ctx);
    s.key = mok.key;
    s.cert = mok.cert;
    report.out("Signing key: " + s.key + "\n");
    report.out("Public certificate (MOK): " + s.cert + "\n");
    if (s.native && util::starts_with(s.key, "pkcs11:")) {
        report.out("A pkcs11: key needs sign-file, modules won't be signed\n");
        return s;
    }
    if (!ensure_signing_key(s.key, s.cert, report)) return s;
    s.enabled = true;
    return s;
}

bool sign_module_file(const SigningSetup& setup, const std::string& path, const std::string& shown,
                      Report& report) {
    if (!setup.enabled) return true;
    std::string output;
    bool ok = false;
    if (setup.native) {
        module::SignOptions opt;
        opt.hash_algo = setup.hash;
        opt.key_path = setup.key;
        opt.cert_path = setup.cert;
        opt.existing = module::ExistingSignature::Append; // as sign-file
        auto r = module::sign_module_file(path, opt);
        ok = r.has_value();
        if (!r) output = r.error().describe();
    } else {
        ShellCommand cmd;
        cmd.script = "exec \"$1\" \"$2\" \"$3\" \"$4\" \"$5\" 2>&1";
        cmd.args = {setup.sign_file, setup.hash, setup.key, setup.cert, path};
        auto captured = capture_shell(cmd);
        ok = captured && captured->status == 0;
        if (captured) output = captured->out;
    }
    // $(...) drops the trailing newlines of what sign-file printed.
    while (!output.empty() && output.back() == '\n')
        output.pop_back();
    if (!ok) report.warning({"Failed to sign module '" + shown + "'!", output});
    return ok;
}

} // namespace modkit::dkms
