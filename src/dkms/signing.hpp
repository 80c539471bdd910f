// Module signing for DKMS builds (dkms.in's prepare_signing): which sign-file, key,
// certificate and hash to use for a kernel, creating the MOK key pair when it is missing.
// When the kernel's sign-file is not installed, modkit signs natively with OpenSSL instead of
// leaving the module unsigned.
#pragma once
#include "dkms/conf.hpp"
#include "dkms/context.hpp"
#include "dkms/report.hpp"

#include <string>

namespace modkit::dkms {

struct SigningSetup {
    bool enabled = false;
    bool native = false;   // sign with OpenSSL in-process
    std::string sign_file; // the external tool, when not native
    std::string key, cert;
    std::string hash; // CONFIG_MODULE_SIG_HASH
};

// Decides, printing DKMS's "Sign command:" / "Signing key:" / ... lines.
SigningSetup prepare_signing(const Context& ctx, const ConfTarget& target, Report& report);

// Signs one module file in place; sign-file's output goes to `log_fd` (-1: inherited).
// Failure is a warning, as in DKMS 3.1.6+.
bool sign_module_file(const SigningSetup& setup, const std::string& path, int log_fd,
                      Report& report);

// Creates the key and certificate (each only if missing). False when it could not.
bool ensure_signing_key(const std::string& key, const std::string& cert, Report& report);

} // namespace modkit::dkms
