// A package's dkms.conf, read for one kernel/arch: the file and its /etc/dkms overrides are
// evaluated by bash (conf_eval), then post-processed as DKMS's read_conf does: defaults,
// validation, the distribution's install location, the MAKE command for this kernel,
// the patches that apply, and the BUILD_EXCLUSIVE verdicts.
#pragma once
#include "dkms/conf_eval.hpp"
#include "dkms/context.hpp"
#include "dkms/kconfig.hpp"
#include "dkms/report.hpp"
#include "util/error.hpp"

#include <string>
#include <utility>
#include <vector>

namespace modkit::dkms {

// The kernel a conf is read for.
struct ConfTarget {
    std::string kernelver;
    std::string arch;
    std::string kernel_source_dir;
    std::string kernel_config;
};

ConfTarget make_target(const Context& ctx, const std::string& kernelver, const std::string& arch);

struct ModuleEntry {
    std::string built_name;     // BUILT_MODULE_NAME[i]
    std::string built_location; // BUILT_MODULE_LOCATION[i], with a trailing '/' (or "")
    std::string dest_name;      // DEST_MODULE_NAME[i], default built_name
    std::string dest_location;  // where it is installed on this distribution
    std::string conf_location;  // DEST_MODULE_LOCATION[i] as written
    bool strip = true;
    bool excluded = false; // BUILD_EXCLUSIVE_*[i] rules this module out
};

struct DkmsConf {
    std::string path; // the dkms.conf read
    std::string package_name;
    std::string package_version;
    std::vector<ModuleEntry> modules;
    std::string make_command; // before DKMS's "make" -> "make -jN KERNELRELEASE=K" rewrite
    std::vector<std::string> patches;
    std::string pre_build, post_build, post_add, pre_install, post_install, post_remove;
    std::vector<std::string> build_depends;
    bool autoinstall = false;
    bool build_depends_rebuild = false;
    bool no_weak_modules = false;
    std::string obsolete_by;
    bool build_exclude = false; // the whole package is excluded for this kernel/arch
};

struct ConfRequest {
    std::string module;         // "" while adding from a path
    std::string module_version; // ditto
    std::string conf_path;
    ConfTarget target;
    bool strict = false; // add/build/install: deprecations, duplicate names
};

// The names DKMS accepts from dkms.conf.
const std::vector<std::string>& conf_names();

// The shell variables DKMS code has set when it evaluates dkms.conf or a MAKE command.
std::vector<std::pair<std::string, std::string>> shell_globals(const Context& ctx,
                                                               const ConfTarget& target,
                                                               const std::string& module,
                                                               const std::string& module_version);

// Reads and checks. Problems are reported as DKMS reports them ("dkms.conf: Error! ...");
// the error then says the file is bad (DKMS exits 8) or missing (4).
util::Expected<DkmsConf> read_conf(const Context& ctx, const ConfRequest& request, Report& report);

// read_conf's second half, without bash or files: the checks and defaults applied to what
// bash evaluated. `kconfig` is the target kernel's config, or null when it has none. (The
// fuzz target tests/fuzz/fuzz_dkms_conf.cpp drives it directly.)
util::Expected<DkmsConf> conf_from_vars(const Context& ctx, const ConfRequest& request,
                                        const EvalResult& evaluated, const KernelConfig* kconfig,
                                        Report& report);

// DKMS's "make" -> "make -jN KERNELRELEASE=K" rewrite of a leading literal "make".
std::string rewrite_make_command(const std::string& make_command, const std::string& parallel_jobs,
                                 const std::string& kernelver);

} // namespace modkit::dkms
