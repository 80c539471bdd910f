// read_conf: bash evaluation, then DKMS's post-processing (dkms.in read_conf, v3.4 rules,
// with the differences listed in docs/compat.md).
#include "dkms/conf.hpp"

#include "dkms/compare.hpp"
#include "dkms/conf_eval.hpp"
#include "dkms/kconfig.hpp"
#include "util/regex.hpp"
#include "util/strings.hpp"

#include <cctype>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::dkms {

const std::vector<std::string>& conf_names() {
    static const std::vector<std::string> names = {"PACKAGE_NAME",
                                                   "PACKAGE_VERSION",
                                                   "POST_ADD",
                                                   "POST_BUILD",
                                                   "POST_INSTALL",
                                                   "POST_REMOVE",
                                                   "PRE_BUILD",
                                                   "PRE_INSTALL",
                                                   "BUILD_DEPENDS",
                                                   "BUILD_DEPENDS_REBUILD",
                                                   "BUILD_EXCLUSIVE_KERNEL",
                                                   "BUILD_EXCLUSIVE_KERNEL_MIN",
                                                   "BUILD_EXCLUSIVE_KERNEL_MAX",
                                                   "BUILD_EXCLUSIVE_ARCH",
                                                   "BUILD_EXCLUSIVE_CONFIG",
                                                   "build_exclude",
                                                   "OBSOLETE_BY",
                                                   "MAKE",
                                                   "MAKE_MATCH",
                                                   "PATCH",
                                                   "PATCH_MATCH",
                                                   "patch_array",
                                                   "BUILT_MODULE_NAME",
                                                   "built_module_name",
                                                   "BUILT_MODULE_LOCATION",
                                                   "built_module_location",
                                                   "DEST_MODULE_NAME",
                                                   "dest_module_name",
                                                   "DEST_MODULE_LOCATION",
                                                   "dest_module_location",
                                                   "STRIP",
                                                   "strip",
                                                   "AUTOINSTALL",
                                                   "NO_WEAK_MODULES",
                                                   "CLEAN",
                                                   "REMAKE_INITRD",
                                                   "MODULES_CONF",
                                                   "MODULES_CONF_OBSOLETES",
                                                   "MODULES_CONF_ALIAS_TYPE",
                                                   "MODULES_CONF_OBSOLETE_ONLY"};
    return names;
}

ConfTarget make_target(const Context& ctx, const std::string& kernelver, const std::string& arch) {
    ConfTarget t;
    t.kernelver = kernelver;
    t.arch = arch;
    t.kernel_source_dir = kernel_source_dir_for(ctx, kernelver);
    t.kernel_config = kernel_config_for(ctx, t.kernel_source_dir);
    return t;
}

std::vector<std::pair<std::string, std::string>> shell_globals(const Context& ctx,
                                                               const ConfTarget& target,
                                                               const std::string& module,
                                                               const std::string& module_version) {
    return {
        {"kernelver", target.kernelver},
        {"arch", target.arch},
        {"kernel_source_dir", target.kernel_source_dir},
        {"kernel_config", target.kernel_config},
        {"dkms_tree", ctx.dkms_tree},
        {"source_tree", ctx.source_tree},
        {"install_tree", ctx.install_tree},
        {"tmp_location", ctx.tmp_location},
        {"module", module},
        {"module_version", module_version},
        {"running_distribution", ctx.running_distribution},
        {"current_kernel", ctx.current_kernel},
        {"current_os", ctx.current_os},
        {"parallel_jobs", ctx.parallel_jobs},
        {"verbose", ctx.verbose ? "true" : ""},
        {"force", ctx.force ? "true" : ""},
        {"force_version_override", ctx.force_version_override ? "true" : ""},
        {"no_depmod", ctx.no_depmod ? "true" : ""},
        {"conf", ctx.conf},
        {"ksourcedir_fromcli", ctx.cli_kernel_source_dir.empty() ? "" : "true"},
        {"kconfig_fromcli", ctx.cli_kernel_config.empty() ? "" : "true"},
        {"symlink_modules", ctx.symlink_modules ? "true" : ""},
    };
}

std::string rewrite_make_command(const std::string& make_command, const std::string& parallel_jobs,
                                 const std::string& kernelver) {
    if (!util::starts_with(make_command, "make")) return make_command;
    return "make -j" + parallel_jobs + " KERNELRELEASE=" + kernelver + make_command.substr(4);
}

namespace {

std::string lower(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    for (auto w : util::split_any(s, " \t\n"))
        out.emplace_back(w);
    return out;
}

struct Checker {
    const std::string& file;
    Report& report;
    bool ok = true;
    void error(const std::string& message) {
        report.err("dkms.conf: Error! " + message + "\n");
        ok = false;
    }
};

// yes / no / "" as DKMS 3.4 accepts them; other values are taken as DKMS 3.0 took them
// (any non-empty value meant yes), with a warning instead of 3.4's hard error.
bool yes_no(const std::string& name, const std::string& value, Report& report) {
    if (value.empty()) return false;
    std::string v = lower(value);
    if (v == "yes") return true;
    if (v == "no") return false;
    report.warning(
        {"Unsupported " + name + " value '" + value + "', treated as 'yes' as DKMS 3.0 did."});
    return true;
}

// One module's (or, for index 0, the package's) BUILD_EXCLUSIVE rules.
bool excluded_by(const ShellVars& v, long long i, const ConfTarget& t,
                 const std::string& obsolete_by, const KernelConfig* kc) {
    const std::string& kernel = v.get("BUILD_EXCLUSIVE_KERNEL", i);
    if (!kernel.empty() && !util::regex_search(t.kernelver, kernel)) return true;
    const std::string& min = v.get("BUILD_EXCLUSIVE_KERNEL_MIN", i);
    if (!min.empty() && ver_compare(t.kernelver, min) < 0) return true;
    std::string max = v.get("BUILD_EXCLUSIVE_KERNEL_MAX", i);
    if (max.empty() && i == 0) max = obsolete_by;
    if (!max.empty() && ver_compare(t.kernelver, max) > 0) return true;
    const std::string& arch = v.get("BUILD_EXCLUSIVE_ARCH", i);
    if (!arch.empty() && !util::regex_search(t.arch, arch)) return true;
    const std::string& config = v.get("BUILD_EXCLUSIVE_CONFIG", i);
    if (!config.empty() && kc != nullptr) {
        for (const auto& w : words(config)) {
            bool negate = w[0] == '!';
            bool enabled = kc->enabled(negate ? w.substr(1) : w);
            if (enabled == negate) return true;
        }
    }
    return false;
}

} // namespace

std::unexpected<Failure> conf_failure(const std::string& path, const util::Error& error) {
    if (error.kind == util::ErrorKind::NotFound)
        return die(exit_code::k_conf_missing,
                   {"Could not locate dkms.conf file.", "File: " + path + " does not exist."});
    return die(exit_code::k_bad_conf,
               {"Bad conf file.", "File: " + path + " does not represent a valid dkms.conf file."});
}

namespace {

// dkms.in's last_mvka/last_mvka_conf: the last successful read, shared by every thread.
struct LastRead {
    std::mutex mutex;
    std::string key;
    DkmsConf conf;
};

LastRead& last_read() {
    static LastRead last;
    return last;
}

// DKMS's key (module/version/kernel/arch and the file's real path), and the file's identity,
// so that a file changed within one modkit process is read again.
std::string read_key(const ConfRequest& request) {
    char buf[PATH_MAX];
    const char* real = realpath(request.conf_path.c_str(), buf);
    struct stat st {};
    stat(request.conf_path.c_str(), &st);
    return request.module + "/" + request.module_version + "/" + request.target.kernelver + "/" +
           request.target.arch + "|" + (real != nullptr ? real : request.conf_path) + "|" +
           std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

// read_conf_strict's checks after read_conf, which DKMS repeats even when read_conf answered
// from its last read: zero modules, duplicate names.
bool strict_checks(const DkmsConf& conf, Report& report) {
    if (conf.modules.empty()) report.err("dkms.conf: Warning! Zero modules specified.\n");
    bool ok = true;
    auto duplicates = [&](auto name_of, const char* directive) {
        std::set<std::string> seen;
        for (size_t i = 0; i < conf.modules.size(); ++i) {
            std::string n = name_of(conf.modules[i]);
            if (!seen.insert(n).second) {
                report.err("dkms.conf: Error! Duplicate module '" + n + "' in '" + directive + "[" +
                           std::to_string(i) + "]'.\n");
                ok = false;
            }
        }
    };
    duplicates([](const ModuleEntry& e) { return e.built_location + e.built_name; },
               "BUILT_MODULE_NAME");
    duplicates([](const ModuleEntry& e) { return e.dest_name; }, "DEST_MODULE_NAME");
    return ok;
}

util::Expected<DkmsConf> read_conf_fresh(const Context& ctx, const ConfRequest& request,
                                         Report& report);

} // namespace

util::Expected<DkmsConf> read_conf(const Context& ctx, const ConfRequest& request, Report& report) {
    const std::string& file = request.conf_path;
    if (access(file.c_str(), R_OK) != 0)
        return util::fail(util::ErrorKind::NotFound, ENOENT, file,
                          "Could not locate dkms.conf file.");
    std::string key = read_key(request);
    LastRead& last = last_read();
    std::optional<DkmsConf> cached;
    {
        std::lock_guard<std::mutex> g(last.mutex);
        if (last.key == key) cached = last.conf;
    }
    auto conf = cached ? util::Expected<DkmsConf>(std::move(*cached))
                       : read_conf_fresh(ctx, request, report);
    if (!conf) return conf;
    if (request.remember && !cached) {
        std::lock_guard<std::mutex> g(last.mutex);
        last.key = key;
        last.conf = *conf;
    }
    if (request.strict && !strict_checks(*conf, report))
        return util::fail(util::ErrorKind::Invalid, 0, file, "Bad conf file.");
    return conf;
}

namespace {

util::Expected<DkmsConf> read_conf_fresh(const Context& ctx, const ConfRequest& request,
                                         Report& report) {
    const std::string& file = request.conf_path;
    const ConfTarget& t = request.target;
    const std::string& m = request.module;
    const std::string& v = request.module_version;

    EvalRequest req;
    req.globals = shell_globals(ctx, t, m, v);
    req.files = {file};
    std::string etc = ctx.framework_dir + "/";
    req.files.push_back(etc + m + ".conf");
    req.files.push_back(etc + m + "-" + v + ".conf");
    req.files.push_back(etc + m + "-" + v + "-" + t.kernelver + ".conf");
    req.files.push_back(etc + m + "-" + v + "-" + t.kernelver + "-" + t.arch + ".conf");
    req.files.push_back(etc + m + "--" + t.kernelver + ".conf");
    req.files.push_back(etc + m + "--" + t.kernelver + "-" + t.arch + ".conf");
    if (m.empty()) req.files.resize(1);
    req.names = conf_names();
    req.directives = ctx.directives;
    req.watch = {"REMAKE_INITRD", "MODULES_CONF", "MODULES_CONF_OBSOLETES",
                 "MODULES_CONF_ALIAS_TYPE", "MODULES_CONF_OBSOLETE_ONLY"};
    auto evaluated = evaluate_files(req);
    if (!evaluated) return util::fail(evaluated.error());
    std::optional<KernelConfig> kconfig;
    if (access(t.kernel_config.c_str(), F_OK) == 0) kconfig = KernelConfig::load(t.kernel_config);
    return conf_from_vars(ctx, request, *evaluated, kconfig ? &*kconfig : nullptr, report);
}

// read_conf_strict's deprecation warnings: REMAKE_INITRD and friends as each file set them,
// CLEAN unless it is a no-op, OBSOLETE_BY.
void announce_deprecations(const ConfRequest& request, const EvalResult& evaluated,
                           Report& report) {
    const std::string& file = request.conf_path;
    const ShellVars& vars = evaluated.vars;
    for (const auto& [f, names] : evaluated.watched)
        for (const auto& n : names)
            report.deprecated(n + " (" + f + ")");
    const std::string& clean = vars.get("CLEAN");
    if (!clean.empty() && clean != "true" && clean != "/bin/true" && clean != "/usr/bin/true")
        report.deprecated("CLEAN (" + file + ")");
    if (!vars.get("OBSOLETE_BY").empty())
        report.deprecated("OBSOLETE_BY (" + file + "): use BUILD_EXCLUSIVE_KERNEL_MAX instead");
}

// The single-valued directives and BUILD_DEPENDS (words of every element).
void read_package_directives(const ShellVars& vars, DkmsConf& conf) {
    conf.package_name = vars.get("PACKAGE_NAME");
    conf.package_version = vars.get("PACKAGE_VERSION");
    conf.pre_build = vars.get("PRE_BUILD");
    conf.post_build = vars.get("POST_BUILD");
    conf.post_add = vars.get("POST_ADD");
    conf.pre_install = vars.get("PRE_INSTALL");
    conf.post_install = vars.get("POST_INSTALL");
    conf.post_remove = vars.get("POST_REMOVE");
    conf.obsolete_by = vars.get("OBSOLETE_BY");
    if (const auto* deps = vars.array("BUILD_DEPENDS"))
        for (const auto& [i, d] : *deps)
            for (auto& w : words(d))
                conf.build_depends.push_back(w);
}

// STRIP[i]: y*/n*; empty means STRIP[0]'s choice, and yes for index 0.
bool strip_for(const ShellVars& vars, long long i, bool strip0) {
    const std::string& s = vars.get("STRIP", i);
    if (!s.empty() && (s[0] == 'n' || s[0] == 'N')) return false;
    if (!s.empty() && (s[0] == 'y' || s[0] == 'Y')) return true;
    return i == 0 ? true : strip0;
}

// Record i's defaults and checks (names without .o/.ko, a DEST_MODULE_LOCATION under /kernel,
// /updates or /extra), and where it goes on this distribution.
ModuleEntry module_entry(const Context& ctx, const ShellVars& vars, long long i, long long count,
                         const DkmsConf& conf, Checker& check) {
    ModuleEntry e;
    e.built_name = vars.get("BUILT_MODULE_NAME", i);
    e.built_location = vars.get("BUILT_MODULE_LOCATION", i);
    e.dest_name = vars.get("DEST_MODULE_NAME", i);
    e.conf_location = vars.get("DEST_MODULE_LOCATION", i);
    e.strip = strip_for(vars, i, conf.modules.empty() || conf.modules[0].strip);
    if (e.built_name.empty() && count == 1) e.built_name = conf.package_name;
    if (e.dest_name.empty()) e.dest_name = e.built_name;
    if (!e.built_location.empty() && e.built_location.back() != '/') e.built_location += '/';
    std::string rec = std::to_string(i);
    if (e.built_name.empty())
        check.error("No 'BUILT_MODULE_NAME' directive specified for record #" + rec + ".");
    if (util::ends_with(e.built_name, ".o") || util::ends_with(e.built_name, ".ko"))
        check.error("'BUILT_MODULE_NAME' directive ends in '.o' or '.ko' in record #" + rec + ".");
    if (util::ends_with(e.dest_name, ".o") || util::ends_with(e.dest_name, ".ko"))
        check.error("'DEST_MODULE_NAME' directive ends in '.o' or '.ko' in record #" + rec + ".");
    if (e.conf_location.empty()) {
        check.error("No 'DEST_MODULE_LOCATION' directive specified for record #" + rec + ".");
    } else if (!util::starts_with(e.conf_location, "/kernel") &&
               !util::starts_with(e.conf_location, "/updates") &&
               !util::starts_with(e.conf_location, "/extra")) {
        check.error("Directive 'DEST_MODULE_LOCATION' does not begin with\n"
                    "'/kernel', '/updates', or '/extra' in record #" +
                    rec + ".");
    }
    e.dest_location = distro_dest_location(ctx, e.conf_location);
    return e;
}

// The MAKE command for this kernel: MAKE[0] unless MAKE_MATCH[0] is set, then the last MAKE[i]
// whose MAKE_MATCH[i] matches the kernel version; DKMS's default otherwise; LLVM=1 for a kernel
// built with clang.
std::string make_command_for(const Context& ctx, const ConfRequest& request, const ShellVars& vars,
                             const KernelConfig* kconfig) {
    const ConfTarget& t = request.target;
    std::string make;
    if (vars.get("MAKE_MATCH").empty()) make = vars.get("MAKE");
    if (const auto* makes = vars.array("MAKE"))
        for (const auto& [i, cmd] : *makes) {
            const std::string& match = vars.get("MAKE_MATCH", i);
            if (!cmd.empty() && !match.empty() && util::regex_search(t.kernelver, match))
                make = cmd;
        }
    if (make.empty())
        make = "make -C " + t.kernel_source_dir + " M=" + ctx.dkms_tree + "/" + request.module +
               "/" + request.module_version + "/build";
    if (kconfig != nullptr && kconfig->value("CONFIG_CC_IS_CLANG") == "y") make += " LLVM=1";
    return make;
}

// PATCH[i] whose PATCH_MATCH[i] is empty or matches the kernel version.
std::vector<std::string> patches_for(const ConfTarget& t, const ShellVars& vars) {
    std::vector<std::string> out;
    if (const auto* patches = vars.array("PATCH"))
        for (const auto& [i, p] : *patches) {
            const std::string& match = vars.get("PATCH_MATCH", i);
            if (!p.empty() && (match.empty() || util::regex_search(t.kernelver, match)))
                out.push_back(p);
        }
    return out;
}

} // namespace

util::Expected<DkmsConf> conf_from_vars(const Context& ctx, const ConfRequest& request,
                                        const EvalResult& evaluated, const KernelConfig* kconfig,
                                        Report& report) {
    const std::string& file = request.conf_path;
    const ConfTarget& t = request.target;
    const ShellVars& vars = evaluated.vars;
    if (request.strict) announce_deprecations(request, evaluated, report);

    Checker check{file, report};
    DkmsConf conf;
    conf.path = file;
    read_package_directives(vars, conf);
    long long count = 0;
    for (const char* n :
         {"BUILT_MODULE_NAME", "BUILT_MODULE_LOCATION", "DEST_MODULE_NAME", "DEST_MODULE_LOCATION"})
        count = std::max(count, vars.end_index(n));
    for (long long i = 0; i < count; ++i) {
        ModuleEntry e = module_entry(ctx, vars, i, count, conf, check);
        e.excluded = excluded_by(vars, i, t, conf.obsolete_by, kconfig);
        conf.modules.push_back(std::move(e));
    }
    conf.make_command = make_command_for(ctx, request, vars, kconfig);
    conf.patches = patches_for(t, vars);

    for (long long i = 0; i < count; ++i)
        for (const char* n :
             {"BUILD_EXCLUSIVE_KERNEL", "BUILD_EXCLUSIVE_KERNEL_MIN", "BUILD_EXCLUSIVE_KERNEL_MAX",
              "BUILD_EXCLUSIVE_ARCH", "BUILD_EXCLUSIVE_CONFIG"})
            conf.has_build_exclusive = conf.has_build_exclusive || !vars.get(n, i).empty();
    conf.has_build_exclusive = conf.has_build_exclusive || (count > 0 && !conf.obsolete_by.empty());
    bool all_excluded = !conf.modules.empty();
    for (const auto& e : conf.modules)
        all_excluded = all_excluded && e.excluded;
    conf.build_exclude = excluded_by(vars, 0, t, conf.obsolete_by, kconfig) || all_excluded;

    if (conf.package_name.empty()) check.error("No 'PACKAGE_NAME' directive specified.");
    if (conf.package_version.empty()) check.error("No 'PACKAGE_VERSION' directive specified.");
    conf.autoinstall = yes_no("AUTOINSTALL", vars.get("AUTOINSTALL"), report);
    conf.build_depends_rebuild =
        yes_no("BUILD_DEPENDS_REBUILD", vars.get("BUILD_DEPENDS_REBUILD"), report);
    conf.no_weak_modules = yes_no("NO_WEAK_MODULES", vars.get("NO_WEAK_MODULES"), report);
    if (!check.ok) return util::fail(util::ErrorKind::Invalid, 0, file, "Bad conf file.");
    return conf;
}

} // namespace modkit::dkms
