// How a DKMS action ends: success, or DKMS's exit code with the "Error!" lines to print.
// The exit codes are DKMS's public contract (scripts test for 77, 101...), so the library
// names them; the CLI prints the lines and exits with the code.
#pragma once
#include <expected>
#include <string>
#include <utility>
#include <vector>

namespace modkit::dkms {

struct Failure {
    int code = 1;
    std::vector<std::string> lines; // printed as "Error! " + lines, one per line
    bool warning = false;           // printed as "Warning: " (BUILD_EXCLUSIVE's 77)
};

using Outcome = std::expected<void, Failure>;

inline std::unexpected<Failure> die(int code, std::vector<std::string> lines) {
    return std::unexpected(Failure{code, std::move(lines), false});
}

// DKMS's exit codes, by meaning (dkms.in's header comment).
namespace exit_code {
constexpr int k_generic = 1;
constexpr int k_usage = 2;
constexpr int k_exists = 3;
constexpr int k_conf_missing = 4;
constexpr int k_one_kernel = 4; // an action that takes exactly one kernel got more or none
constexpr int k_broken = 4;     // the module's source link or directory is gone
constexpr int k_no_os_release = 4;
constexpr int k_banned = 5;
constexpr int k_install_failed = 6;
constexpr int k_no_module_built = 7;
constexpr int k_bad_conf = 8;
constexpr int k_no_conf_in_source = 9;
constexpr int k_build_failed = 10;
constexpr int k_autoinstall_failed = 11;
constexpr int k_no_arch = 12;
constexpr int k_missing_depends = 13;
constexpr int k_kernel_hook_failed = 14;
constexpr int k_empty_kernel = 16; // -k "" or -a ""
constexpr int k_no_headers = 21;
constexpr int k_build_exclusive = 77;
constexpr int k_pre_install_failed = 101;
} // namespace exit_code

} // namespace modkit::dkms
