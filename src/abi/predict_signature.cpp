// The first check of the loader: the module's signature against the certificates the target
// trusts (module/sig_verify.hpp), as kernel/module/signing.c judges it.
#include "abi/predict_detail.hpp"

namespace modkit::abi::detail {

void add_signature_findings(const KernelTarget& target, Pending& pending,
                            const module::ContentFn& content) {
    const LoaderConfig& l = target.loader();
    if (!l.signatures) return;
    std::vector<Finding> found;
    auto add = [&](FindingKind kind, Effect effect, std::string message,
                   std::string kernel_message = {}, int error = 0, char taint = 0) {
        found.push_back(
            {kind, effect, taint, error, {}, std::move(message), std::move(kernel_message), 1});
    };
    const module::TrustedKeys* keys = target.trusted_keys();
    module::TrustedKeys::Result r = keys ? keys->verify(pending.signature, content)
                                         : module::TrustedKeys().verify(pending.signature, {});
    if (keys == nullptr && r.status == module::SigStatus::UnknownKey) {
        // Without the image, the target's own modules tell its build key: a module signed by it
        // is taken as valid, any other key as unknown to the kernel.
        bool build_key = !r.key_id.empty() && r.key_id == target.build_key_id();
        add(FindingKind::SignatureNotVerified, Effect::Note,
            "signed by \"" + r.signer + "\"; the certificates " + target.release() +
                " trusts are unknown, so the signature is not verified (" +
                (build_key ? "the key is the one its own modules are signed with"
                           : "the key is not the one its own modules are signed with") +
                ")");
        if (build_key) {
            r.status = module::SigStatus::Valid;
            r.signer.clear();
        }
    }
    auto missing = [&](FindingKind kind, const std::string& what, const std::string& reason) {
        if (l.sig_enforce)
            add(kind, Effect::Refuse, what + "; " + target.release() + " enforces signatures",
                "Loading of " + reason + " is rejected", EKEYREJECTED);
        else
            add(kind, Effect::Taint, what,
                "module verification failed: signature and/or required key missing - tainting "
                "kernel",
                0, 'E');
    };
    switch (r.status) {
    case module::SigStatus::Valid:
        if (!r.signer.empty())
            add(FindingKind::SignatureValid, Effect::Note,
                "signed by \"" + r.signer + "\", a key " + target.release() + " trusts");
        break;
    case module::SigStatus::NoSignature:
        missing(FindingKind::Unsigned, "not signed", "unsigned module");
        break;
    case module::SigStatus::UnknownKey:
        missing(FindingKind::SignatureUnknownKey,
                "signed by \"" + r.signer + "\", a key " + target.release() + " does not trust",
                "module with unavailable key");
        break;
    case module::SigStatus::Unsupported:
        missing(FindingKind::SignatureUnsupported,
                "signature of an unsupported kind (" + r.detail + ")",
                "module with unsupported crypto");
        break;
    case module::SigStatus::Rejected:
        add(FindingKind::SignatureRejected, Effect::Refuse,
            "signed by \"" + r.signer + "\", a key " + target.release() +
                " trusts, but the module changed after signing: the kernel rejects it even "
                "without signature enforcement",
            "", EKEYREJECTED);
        break;
    case module::SigStatus::Malformed:
        add(FindingKind::SignatureMalformed, Effect::Refuse, "unreadable signature: " + r.detail,
            "", EBADMSG);
        break;
    }
    auto& findings = pending.prediction.findings;
    findings.insert(findings.begin(), std::make_move_iterator(found.begin()),
                    std::make_move_iterator(found.end()));
}

} // namespace modkit::abi::detail
