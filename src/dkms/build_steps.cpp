// BuildSteps: dkms.in's prepare_build/actual_build with a staging directory, a make.log in
// DKMS 3.4's format, and private build/ views for concurrent builds.
#include "dkms/build_steps.hpp"

#include "dkms/abi_gate.hpp"
#include "dkms/dependents.hpp"
#include "dkms/invoke.hpp"
#include "dkms/scripts.hpp"
#include "dkms/shell.hpp"
#include "dkms/version.hpp"
#include "util/atomic_file.hpp"
#include "util/copy_tree.hpp"
#include "util/diag.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::dkms {

namespace {

std::mutex& shared_build_lock(const std::string& build_dir) {
    static std::mutex guard;
    static std::map<std::string, std::mutex> locks;
    std::lock_guard<std::mutex> g(guard);
    return locks[build_dir];
}

std::string now_text() {
    char buf[64];
    std::time_t t = std::time(nullptr);
    std::tm tm;
    localtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Z %Y", &tm);
    return buf;
}

size_t entries_in(const std::string& dir) {
    return Tree::list(dir).size();
}

} // namespace

BuildSteps::BuildSteps(const Context& ctx, const BuildJob& job, Report& report)
    : m_ctx(ctx)
    , m_job(job)
    , m_report(report)
    , m_tree{ctx} {}

BuildSteps::~BuildSteps() {
    if (m_activity >= 0) m_report.end_activity(m_activity);
    if (m_log_fd >= 0) close(m_log_fd);
}

void BuildSteps::log(std::string_view text) {
    if (m_log_fd >= 0) util::write_all(m_log_fd, text);
}

Outcome BuildSteps::run() {
    auto ok = prepare();
    if (!ok) return ok;
    std::unique_lock<std::mutex> shared;
    if (!m_private) shared = std::unique_lock<std::mutex>(shared_build_lock(m_visible));
    for (auto step :
         {&BuildSteps::stage_source, &BuildSteps::apply_patches, &BuildSteps::run_make,
          &BuildSteps::check_built_modules, &BuildSteps::collect_modules, &BuildSteps::publish}) {
        ok = (this->*step)();
        if (!ok) {
            fail_cleanup();
            return ok;
        }
    }
    return {};
}

Outcome BuildSteps::prepare() {
    const std::string& m = m_job.module;
    const std::string& v = m_job.version;
    const std::string& k = m_job.target.kernel;
    const std::string& a = m_job.target.arch;
    m_target = make_target(m_ctx, k, a);
    std::string base = m_tree.built_dir(m, v, k, a);
    if (util::path_exists(base))
        return die(
            exit_code::k_exists,
            {"This module/version has already been built on: " + k,
             "Directory " + base +
                 " already exists. Use the dkms remove function before trying to build again."});
    ConfRequest cr{m, v, m_ctx.conf.empty() ? m_tree.source_link(m, v) + "/dkms.conf" : m_ctx.conf,
                   m_target, true};
    auto conf = read_conf(m_ctx, cr, m_report);
    if (!conf) return conf_failure(cr.conf_path, conf.error());
    m_conf = std::move(*conf);
    if (m_conf.build_exclude)
        return std::unexpected(
            Failure{exit_code::k_build_exclusive,
                    {"The " + base + "/dkms.conf",
                     "for module " + m + "/" + v + " includes BUILD_EXCLUSIVE directives",
                     "which do not match this kernel/arch/config for any modules.",
                     "This indicates that it should not be built."},
                    true});
    std::string source = m_tree.source_link(m, v);
    if (entries_in(source) < 2)
        return die(exit_code::k_bad_conf,
                   {"The directory " + source +
                        " does not appear to have module source located within it.",
                    "Build halted."});
    if (m_job.announce_kernel &&
        m_ctx.prepared_kernels->first_time(m_target.kernelver + "/" + m_target.arch)) {
        if (auto r = prepare_kernel(m_ctx, m_target); !r) return r;
        m_signing = prepare_signing(m_ctx, m_target, m_report);
        m_report.out("\n");
    } else {
        BufferedReport quiet;
        m_signing = prepare_signing(m_ctx, m_target, quiet);
    }
    m_visible = m_tree.build_dir(m, v);
    m_private = private_mounts_available() && util::path_exists(m_visible);
    return check_build_depends();
}

// BUILD_DEPENDS must be installed for this kernel (3.1.4+); --force only warns.
Outcome BuildSteps::check_build_depends() {
    const std::string& k = m_job.target.kernel;
    const std::string& a = m_job.target.arch;
    std::string missing;
    for (const auto& dep : m_conf.build_depends)
        if (m_tree.installed_version(dep, k, a).empty()) missing += " " + dep;
    if (missing.empty()) return {};
    std::string what =
        "module " + m_job.module + "/" + m_job.version + " for kernel " + k + " (" + a + ")";
    if (m_ctx.force) {
        m_report.warning(
            {"Trying to build " + what + " despite of missing BUILD_DEPENDS:" + missing + "."});
        return {};
    }
    return die(exit_code::k_missing_depends,
               {"Aborting build of " + what + " due to missing BUILD_DEPENDS:" + missing + ".",
                "You may override by specifying --force."});
}

Outcome BuildSteps::stage_source() {
    const std::string& k = m_job.target.kernel;
    std::string kdir = m_tree.version_dir(m_job.module, m_job.version) + "/" + k;
    if (auto r = util::make_directories(kdir); !r) return die(1, {r.error().describe()});
    std::string tmpl = kdir + "/.tmp_" + m_job.target.arch + "_XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) return die(1, {"Unable to make temporary directory"});
    chmod(tmpl.c_str(), 0755);
    m_staging = tmpl;
    if (m_private) {
        m_work = m_staging + "/build";
    } else {
        m_work = m_visible;
        (void)util::remove_tree(m_work);
    }
    if (auto r = util::copy_tree_contents(m_tree.source_link(m_job.module, m_job.version) + "/",
                                          m_work, util::Preserve::All);
        !r)
        return die(1, {r.error().describe()});
    m_log_path = m_work + "/make.log";
    m_log_fd = open(m_log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (m_log_fd < 0) return die(1, {"Cannot create " + m_log_path + ": " + std::strerror(errno)});
    log("DKMS (" + version_string() + ") make.log for " + m_job.module + "/" + m_job.version +
        " for kernel " + k + " (" + m_job.target.arch + ")\n" + now_text() + "\n");
    m_activity = m_report.begin_activity(m_job.module + "/" + m_job.version + " for " + k + " (" +
                                             m_job.target.arch + ")",
                                         m_log_path);
    return {};
}

int BuildSteps::run_logged(const std::string& title, const std::string& command) {
    Invocation what{command, title};
    return invoke(what, m_ctx.verbose, m_report, [&](const Tick& tick) {
        log(log_block_head(what));
        auto start = std::chrono::steady_clock::now();
        ShellCommand cmd;
        cmd.script = "shopt -s extglob\n";
        for (const auto& [n, v] : shell_globals(m_ctx, m_target, m_job.module, m_job.version))
            cmd.script += n + "=" + shell_quote(v) + "\n";
        cmd.script += "eval \"{ $1; }\"";
        cmd.args = {command};
        cmd.cwd = m_visible;
        cmd.stdout_fd = m_log_fd;
        cmd.stderr_fd = m_log_fd;
        cmd.tick = tick;
        if (m_private) {
            cmd.bind_source = m_work;
            cmd.bind_target = m_visible;
        }
        auto status = run_shell(cmd);
        int rc = status ? *status : 126;
        log(log_block_tail(rc, std::chrono::steady_clock::now() - start));
        return rc;
    });
}

Outcome BuildSteps::apply_patches() {
    std::string build_log = m_visible + "/make.log";
    for (const auto& p : m_conf.patches) {
        if (("patches/" + p).find("/../") != std::string::npos)
            return die(exit_code::k_banned,
                       {"Patch " + p + " as specified in dkms.conf contains '..' path component."});
        if (!util::path_exists(m_work + "/patches/" + p))
            return die(exit_code::k_banned, {"Patch " + p + " as specified in dkms.conf cannot be",
                                             "found in " + m_visible + "/patches/."});
        if (run_logged("Applying patch " + p, "patch -p1 < ./patches/" + p) != 0)
            return die(exit_code::k_install_failed,
                       {"Application of patch " + p + " failed.",
                        "Consult " + build_log + " for more information."});
    }
    ScriptRun pre{ScriptKind::PreBuild,   m_conf.pre_build, m_job.module,
                  m_job.version,          m_log_fd,         build_log,
                  m_private ? m_work : ""};
    if (int rc = run_package_script(m_ctx, pre, m_report); rc != 0) return die(rc, {});
    return {};
}

Outcome BuildSteps::run_make() {
    std::string command =
        rewrite_make_command(m_conf.make_command, m_ctx.parallel_jobs, m_job.target.kernel);
    if (run_logged("Building module(s)", command) != 0)
        return die(exit_code::k_build_failed,
                   {"Bad return status for module build on kernel: " + m_job.target.kernel + " (" +
                        m_job.target.arch + ")",
                    "Consult " + m_visible + "/make.log for more information."});
    return {};
}

Outcome BuildSteps::check_built_modules() {
    std::vector<std::string> built;
    for (const auto& e : m_conf.modules) {
        if (e.excluded) continue;
        std::string rel = e.built_location + e.built_name + ".ko";
        std::string path = m_work + "/" + rel;
        if (!util::path_exists(path))
            return die(exit_code::k_no_module_built,
                       {"Build of " + rel + " failed for: " + m_job.target.kernel + " (" +
                            m_job.target.arch + ")",
                        "Make sure the name and location of the generated module are correct,",
                        "or consult " + m_visible + "/make.log for more information."});
        built.push_back(path);
    }
    if (m_ctx.skip_abi_check) return {};
    return check_abi(m_ctx, m_target, built, m_report);
}

Outcome BuildSteps::collect_modules() {
    std::string module_dir = m_staging + "/module";
    if (auto r = util::make_directories(module_dir); !r) return die(1, {r.error().describe()});
    if (auto r = util::make_directories(m_staging + "/log"); !r)
        return die(1, {r.error().describe()});
    std::string suffix = module_compression_suffix(m_ctx, m_job.target.kernel);
    for (const auto& e : m_conf.modules) {
        if (e.excluded) continue;
        std::string built = m_work + "/" + e.built_location + e.built_name + ".ko";
        auto run_tool = [&](const std::string& script, std::vector<std::string> args) {
            ShellCommand cmd;
            cmd.script = script;
            cmd.args = std::move(args);
            cmd.stdout_fd = m_log_fd;
            cmd.stderr_fd = m_log_fd;
            auto st = run_shell(cmd);
            return st && *st == 0;
        };
        if (e.strip) run_tool("exec strip -g \"$1\"", {built});
        if (m_signing.enabled) {
            std::string shown = m_visible + "/" + e.built_location + e.built_name + ".ko";
            m_report.out("Signing module " + shown + "\n");
            sign_module_file(m_signing, built, shown, m_report);
        }
        std::string from = built;
        if (suffix == ".gz" &&
            run_tool("exec gzip $2 -f \"$1\"", {built, m_ctx.compress_gzip_opts}))
            from = built + ".gz";
        else if (suffix == ".xz" &&
                 run_tool("exec xz $2 -f \"$1\"", {built, m_ctx.compress_xz_opts}))
            from = built + ".xz";
        else if (suffix == ".zst" &&
                 run_tool("exec zstd $2 -f \"$1\"", {built, m_ctx.compress_zstd_opts}))
            from = built + ".zst";
        std::string to = module_dir + "/" + e.dest_name + ".ko" + (from == built ? "" : suffix);
        if (auto r = util::copy_file(from, to, util::Preserve::All); !r)
            return die(1, {r.error().describe()});
    }
    if (util::path_exists(m_work + "/Module.symvers"))
        (void)util::copy_file(m_work + "/Module.symvers", module_dir + "/Module.symvers",
                              util::Preserve::All);
    return {};
}

Outcome BuildSteps::publish() {
    std::string final_log = m_staging + "/log/make.log";
    if (rename(m_log_path.c_str(), final_log.c_str()) != 0)
        return die(1, {"Cannot move " + m_log_path + ": " + std::strerror(errno)});
    m_log_path = final_log;
    ScriptRun post{ScriptKind::PostBuild,  m_conf.post_build, m_job.module,
                   m_job.version,          m_log_fd,          m_visible + "/make.log",
                   m_private ? m_work : ""};
    if (int rc = run_package_script(m_ctx, post, m_report); rc != 0) return die(rc, {});
    if (auto r = util::remove_tree(m_work); !r) return die(1, {r.error().describe()});
    std::string base =
        m_tree.built_dir(m_job.module, m_job.version, m_job.target.kernel, m_job.target.arch);
    if (rename(m_staging.c_str(), base.c_str()) != 0)
        return die(1, {"Cannot rename " + m_staging + " to " + base + ": " + std::strerror(errno)});
    m_staging.clear();
    record_dependency_versions(m_ctx, m_conf, base, m_job.target);
    return {};
}

void BuildSteps::fail_cleanup() {
    if (m_staging.empty()) return;
    if (m_private && util::path_exists(m_work)) {
        // Keep the failed build (and its make.log) for finish_build_dir to show as build/.
        std::string keep = m_staging + ".failed";
        if (rename(m_work.c_str(), keep.c_str()) == 0) m_failed_build = keep;
    } else if (!m_private) {
        m_failed_build = m_work;
    }
    (void)util::remove_tree(m_staging);
    rmdir((m_tree.version_dir(m_job.module, m_job.version) + "/" + m_job.target.kernel).c_str());
}

void finish_build_dir(const Tree& tree, const std::string& module, const std::string& version,
                      bool built, const std::string& failed_build, bool created_mount_point) {
    std::string build = tree.build_dir(module, version);
    if (!failed_build.empty()) {
        if (failed_build != build) {
            (void)util::remove_tree(build);
            rename(failed_build.c_str(), build.c_str());
            std::string kdir(util::dirname(failed_build));
            rmdir(kdir.c_str());
        }
        return;
    }
    if (built)
        (void)util::remove_tree(build);
    else if (created_mount_point)
        rmdir(build.c_str()); // nothing was built: not ours to leave
}

} // namespace modkit::dkms
