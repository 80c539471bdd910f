// The prediction's working state, shared by predict.cpp (header checks, verdict) and
// predict_symbols.cpp (symbol resolution) and predict_signature.cpp. Internal to abi/.
#pragma once

#include "abi/predict.hpp"
#include "module/modversions.hpp"
#include "module/sig_verify.hpp"

#include <optional>
#include <string>
#include <vector>

namespace modkit::abi::detail {

std::string hex32(uint64_t v);

inline bool is_symbol_kind(FindingKind k) {
    return k == FindingKind::UnknownSymbol || k == FindingKind::GplOnlySymbol ||
           k == FindingKind::CrcMismatch || k == FindingKind::NamespaceNotImported;
}

// A prediction without its signature check, and what finishing it needs.
struct Pending {
    Prediction prediction;
    module::SignatureBlob signature;
    int symbol_error = 0; // the error of the last failing symbol
};

// Puts the signature findings first (predict_signature.cpp); `content` gives the signed bytes
// when the signer is trusted.
void add_signature_findings(const KernelTarget& target, Pending& pending,
                            const module::ContentFn& content);
// The verdict, the error and the taints from the findings.
Prediction finish(Pending&& pending);

class Checker {
public:
    Checker(const KernelTarget& target, const module::ModuleFile& mod, Fold fold = Fold::Yes)
        : m_target(target)
        , m_mod(mod)
        , m_fold(fold) {}
    // Every check but the signature's.
    Pending run();

private:
    void add(FindingKind kind, Effect effect, std::string message, std::string kernel_message = {},
             int error = 0, char taint = 0, std::string symbol = {});
    std::optional<std::string_view> modinfo(std::string_view key) const;
    const module::VersionEntry* version_of(std::string_view symbol) const;

    bool check_elf();
    void check_layout();
    void check_vermagic();
    void check_modinfo_taints();
    void check_symbols();
    void check_dependencies();

    const KernelTarget& m_target;
    const module::ModuleFile& m_mod;
    Fold m_fold;
    Prediction m_out;
    std::string m_name;
    std::vector<module::ModinfoEntry> m_modinfo;
    module::SymbolVersions m_versions;
    bool m_gpl = true;
    int m_symbol_error = 0; // the error of the last failing symbol
};

} // namespace modkit::abi::detail
