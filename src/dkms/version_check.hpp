// DKMS's check_version_sanity: before installing a module, refuse kernels that obsolete the
// package (OBSOLETE_BY) and modules that are not newer than the kernel's own copy (by the
// modinfo version, then srcversion), unless --force / --force-version-override.
#pragma once
#include "dkms/context.hpp"
#include "dkms/report.hpp"

#include <string>

namespace modkit::dkms {

struct VersionInfo {
    std::string version;    // modinfo "version"
    std::string srcversion; // modinfo "srcversion"
};
VersionInfo module_version_info(const std::string& path);

// ">", "<", "=" (same version, other srcversion), "==" or "?" (a version missing), comparing
// a against b as DKMS's compare_module_version does.
std::string compare_module_versions(const VersionInfo& a, const VersionInfo& b);

// True if the module may be installed. `dest_name` is the module's installed name,
// `tree_module` the file in the DKMS tree. Prints DKMS's messages when refusing.
// `suffix` is the kernel's compression suffix ("" or ".gz", ".xz", ".zst").
bool check_version_sanity(const Context& ctx, const std::string& kernelver,
                          const std::string& obsolete_by, const std::string& dest_name,
                          const std::string& tree_module, const std::string& suffix,
                          Report& report);

// find_module: every regular file named <name>.ko or <name>.ko<suffix> under `dir`.
std::vector<std::string> find_module_files(const std::string& dir, const std::string& name,
                                           const std::string& suffix);

} // namespace modkit::dkms
