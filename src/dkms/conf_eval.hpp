// Evaluating dkms.conf (and framework.conf) the way DKMS does: each file is sourced by bash
// in a subshell with DKMS's variables visible and its stdout discarded; the whitelisted
// variables are printed as NAME[i]="value" lines, which are then evaluated again in the
// parent shell (DKMS's safe_source). The second evaluation is deliberate: real files depend
// on it (escaped $(...) in MAKE), and its quirks (a '"' in a value breaks the line) are
// DKMS's too. One bash process reads all the files of one request.
#pragma once
#include "util/error.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace modkit::dkms {

// Bash variables: every variable is an array; a scalar is element 0. Sparse indices kept.
class ShellVars {
public:
    using Array = std::map<long long, std::string>;
    void set(const std::string& name, long long index, std::string value);
    // Element `index` of `name`, or "" when unset.
    const std::string& get(const std::string& name, long long index = 0) const;
    bool has(const std::string& name, long long index = 0) const;
    // ${#name[@]}: the number of set elements.
    size_t count(const std::string& name) const;
    // One past the highest set index (0 when unset).
    long long end_index(const std::string& name) const;
    const Array* array(const std::string& name) const;

private:
    std::map<std::string, Array> m_vars;
};

struct EvalRequest {
    // Shell variables (not exported) set before the first file, like DKMS's globals.
    std::vector<std::pair<std::string, std::string>> globals;
    // Sourced in order; files that do not exist are skipped, as DKMS does.
    std::vector<std::string> files;
    // The whitelist: only these names come back (DKMS's dkms_conf_variables).
    std::vector<std::string> names;
    // --directive NAME=value: exported after all files.
    std::vector<std::pair<std::string, std::string>> directives;
    // Names whose being set is reported per file (deprecated directives).
    std::vector<std::string> watch;
    // Where the files run (DKMS sources them from its own working directory).
    std::string cwd;
    // dkms.conf reading unsets the whitelisted names first; framework reading keeps the
    // current values (passed in `globals`) visible and only overrides what a file sets.
    bool reset_names = true;
};

struct EvalResult {
    ShellVars vars;
    // For each file sourced: the watched names set (non-empty) after it.
    std::vector<std::pair<std::string, std::vector<std::string>>> watched;
};

util::Expected<EvalResult> evaluate_files(const EvalRequest& request);

} // namespace modkit::dkms
