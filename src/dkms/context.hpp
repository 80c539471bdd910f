// Everything a DKMS action depends on besides the tree itself: where the trees are, the
// framework settings (framework.conf, framework.conf.d and the variables DKMS lets the
// environment set), the distribution, and the command-line options. Filled once by the CLI.
#pragma once
#include "util/error.hpp"

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace modkit::dkms {

// DKMS's $prepared_kernel: prepare_kernel_and_signing prints its lines once per kernel and
// run, so a build later in the same run (a dependent rebuilt after an install) stays quiet.
class PreparedKernels {
public:
    // True the first time it is asked for `kernel_arch` ("K/arch").
    bool first_time(const std::string& kernel_arch) {
        std::lock_guard lock(m_mutex);
        return m_done.insert(kernel_arch).second;
    }

private:
    std::mutex m_mutex;
    std::set<std::string> m_done;
};

struct Context {
    // Trees (--dkmstree --sourcetree --installtree, or framework.conf).
    std::string dkms_tree = "/var/lib/dkms";
    std::string source_tree = "/usr/src";
    std::string install_tree = "/lib/modules";
    std::string tmp_location = "/tmp";
    std::string framework_dir = "/etc/dkms"; // framework.conf, <module>.conf overrides

    // Framework settings; some may come from the environment, as with DKMS.
    std::string parallel_jobs; // make -j; "" = bare -j
    std::string sign_file, mok_signing_key, mok_certificate, try_sign_modules;
    std::string post_transaction;
    std::string compress_gzip_opts;
    std::string compress_xz_opts = "--check=crc32 --lzma2=dict=1MiB";
    std::string compress_zstd_opts = "-q --rm -T0";
    bool verbose = false;
    bool symlink_modules = false;
    bool autoinstall_all_kernels = false;
    bool modprobe_on_install = false;

    // The system.
    std::string running_distribution; // from os-release: "debian", "ubuntu", "fedora"...
    std::string addon_modules_dir;    // ADDON_MODULES_DIR overrides every install location
    std::string current_kernel;       // uname -r
    std::string current_os;           // uname -s
    std::string machine;              // uname -m

    // Options.
    bool force = false;
    bool force_version_override = false;
    bool no_depmod = false;
    bool binaries_only = false;
    bool source_only = false;
    bool all = false;
    bool quiet = false;
    bool skip_abi_check = false;       // modkit: install modules built for another kernel
    bool json = false;                 // modkit: status as JSON (docs/json.md)
    std::string conf;                  // -c
    std::string cli_kernel_source_dir; // --kernelsourcedir
    std::string cli_kernel_config;     // --config
    std::string archive_location;      // --archive
    std::string template_kernel;       // --templatekernel
    std::vector<std::pair<std::string, std::string>> directives; // --directive

    // Shared by every copy of this Context: one run.
    std::shared_ptr<PreparedKernels> prepared_kernels = std::make_shared<PreparedKernels>();
    unsigned build_jobs = 0; // --jobs: concurrent builds (0 = one per CPU)
};

// Applies the framework files (framework.conf, then framework.conf.d/*.conf in name order)
// for `names`, each file seeing the values before it. Files that only hold comments are read
// without starting bash.
util::Expected<void>
read_framework(Context& ctx, const std::vector<std::string>& names,
               const std::vector<std::pair<std::string, std::string>>& extra_globals = {});

// The variable names DKMS accepts from framework files, without and with the signing ones.
const std::vector<std::string>& framework_names();
const std::vector<std::string>& framework_signing_names();

// running_distribution from /etc/os-release (or /usr/lib/os-release): ID "ubuntu", else
// all of ID_LIKE (bash's ${ID_LIKE[0]}), else ID. NotFound when neither file exists.
util::Expected<std::string> detect_distribution(const std::string& root = "");

// Where modules of `dest_module_location` really go on this distribution.
std::string distro_dest_location(const Context& ctx, const std::string& dest_module_location);

// The kernel headers/source directory and kernel config for kernel `kernelver`.
std::string kernel_source_dir_for(const Context& ctx, const std::string& kernelver);
std::string kernel_config_for(const Context& ctx, const std::string& kernel_source_dir);

} // namespace modkit::dkms
