// Builds before packaging, the module files per kernel, staging and the tools (see
// package_common.hpp).
#include "dkms/package_common.hpp"

#include "dkms/build.hpp"
#include "dkms/conf.hpp"
#include "dkms/shell.hpp"
#include "util/atomic_file.hpp"
#include "util/copy_tree.hpp"
#include "util/fs.hpp"
#include "util/mapped_file.hpp"
#include "util/strings.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::dkms::package {

namespace {

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? v : fallback;
}

// A module's MODULE_LICENSE, from its .modinfo strings ("license=GPL"), uncompressed only.
std::string module_license(const std::string& file) {
    if (!util::ends_with(file, ".ko")) return {};
    auto data = util::read_file(file);
    if (!data) return {};
    static constexpr std::string_view k_key{"\0license=", 9};
    size_t at = data->find(k_key);
    if (at == std::string::npos) return {};
    at += k_key.size();
    size_t end = data->find('\0', at);
    return data->substr(at, end == std::string::npos ? std::string::npos : end - at);
}

std::string built_module(const std::string& dir, const std::string& name) {
    for (const char* ext : {".ko", ".ko.zst", ".ko.xz", ".ko.gz"})
        if (util::is_regular_file(dir + "/" + name + ext)) return dir + "/" + name + ext;
    return {};
}

util::Expected<void> make_parent(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0) return {};
    return util::make_directories(path.substr(0, slash));
}

} // namespace

Outcome build_missing(const Context& ctx, const std::string& m, const std::string& v,
                      const std::vector<KernelArch>& targets, Report& report) {
    Tree tree{ctx};
    std::vector<BuildJob> jobs;
    for (const auto& t : targets)
        if (!tree.is_built(m, v, t.kernel, t.arch)) jobs.push_back({m, v, t});
    if (jobs.empty()) return {};
    auto outcomes = run_builds(ctx, jobs, report);
    std::string failed;
    for (size_t i = 0; i < outcomes.size(); ++i) {
        if (outcomes[i]) continue;
        if (outcomes[i].error().warning)
            report.warning(outcomes[i].error().lines);
        else
            report.error(outcomes[i].error().lines);
        failed +=
            (failed.empty() ? "" : ", ") + jobs[i].target.kernel + " (" + jobs[i].target.arch + ")";
    }
    if (failed.empty()) return {};
    return die(exit_code::k_no_module_built,
               {"Building " + m + "/" + v + " failed for " + failed + ".",
                "No package was made; the kernels that built are left built in " +
                    tree.version_dir(m, v) + "."});
}

util::Expected<KernelModules> kernel_modules(const Context& ctx, const std::string& m,
                                             const std::string& v, const KernelArch& target,
                                             const std::string& distribution, Report& report) {
    Tree tree{ctx};
    ConfRequest cr{m, v, ctx.conf.empty() ? tree.source_link(m, v) + "/dkms.conf" : ctx.conf,
                   make_target(ctx, target.kernel, target.arch), false};
    auto conf = read_conf(ctx, cr, report);
    if (!conf) return std::unexpected(conf.error());
    Context where = ctx;
    where.running_distribution = distribution;
    std::string module_dir = tree.built_dir(m, v, target.kernel, target.arch) + "/module";
    KernelModules out{target, {}, {}};
    for (const auto& e : conf->modules) {
        if (e.excluded) continue;
        std::string file = built_module(module_dir, e.dest_name);
        if (file.empty())
            return util::fail(util::ErrorKind::NotFound, ENOENT, module_dir,
                              "module " + e.dest_name + ".ko was not built for " + target.kernel);
        std::string dest = "/lib/modules/" + target.kernel +
                           distro_dest_location(where, e.conf_location) + "/" +
                           std::string(util::basename(file));
        if (out.license.empty()) out.license = module_license(file);
        out.files.push_back({file, dest});
    }
    if (out.files.empty())
        return util::fail(util::ErrorKind::NotFound, ENOENT, module_dir,
                          "no module of " + m + "/" + v + " is built for " + target.kernel);
    return out;
}

std::time_t package_epoch(const Context& ctx, const std::string& m, const std::string& v) {
    if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e != nullptr && *e != '\0')
        return static_cast<std::time_t>(std::strtoll(e, nullptr, 10));
    struct stat st {};
    std::string conf = Tree{ctx}.source_link(m, v) + "/dkms.conf";
    if (stat(conf.c_str(), &st) == 0) return st.st_mtime;
    return 0;
}

std::string rfc2822_date(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

std::string rpm_changelog_date(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%a %b %d %Y", &tm);
    return buf;
}

std::string maintainer() {
    std::string name = env_or("DEBFULLNAME", env_or("NAME", "DKMS package builder"));
    char host[256] = "localhost";
    (void)gethostname(host, sizeof host - 1);
    std::string mail = env_or("DEBEMAIL", env_or("EMAIL", std::string("root@") + host));
    return name + " <" + mail + ">";
}

util::Expected<Staging> Staging::create(const std::string& out_dir) {
    if (auto r = util::make_directories(out_dir); !r) return std::unexpected(r.error());
    std::string tmpl = out_dir + "/.staging.XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr)
        return util::fail(util::ErrorKind::Io, errno, out_dir, std::strerror(errno));
    return Staging(out_dir, tmpl);
}

Staging::Staging(Staging&& o) noexcept
    : m_out(std::move(o.m_out))
    , m_dir(std::move(o.m_dir)) {
    o.m_dir.clear();
}

Staging::~Staging() {
    if (!m_dir.empty()) (void)util::remove_tree(m_dir);
}

util::Expected<void> Staging::put_file(const std::string& root, const std::string& path,
                                       const std::string& from, mode_t mode) {
    std::string to = m_dir + "/" + root + path;
    if (auto r = make_parent(to); !r) return r;
    if (auto r = util::copy_file(from, to, util::Preserve::Mode); !r) return r;
    if (chmod(to.c_str(), mode) != 0)
        return util::fail(util::ErrorKind::Io, errno, to, std::strerror(errno));
    return {};
}

util::Expected<void> Staging::put_text(const std::string& root, const std::string& path,
                                       std::string_view text, mode_t mode) {
    std::string to = m_dir + "/" + root + path;
    if (auto r = make_parent(to); !r) return r;
    return util::write_file_atomic(to, text, mode, util::AtomicFile::Sync::No);
}

util::Expected<void> Staging::put_symlink(const std::string& root, const std::string& path,
                                          const std::string& target) {
    std::string to = m_dir + "/" + root + path;
    if (auto r = make_parent(to); !r) return r;
    if (symlink(target.c_str(), to.c_str()) != 0)
        return util::fail(util::ErrorKind::Io, errno, to, std::strerror(errno));
    return {};
}

util::Expected<void> Staging::put_tree(const std::string& root, const std::string& path,
                                       const std::string& from) {
    std::string to = m_dir + "/" + root + path;
    if (auto r = util::make_directories(to); !r) return r;
    ShellCommand cmd = shell("cp -LR --preserve=mode -- \"$1\"/. \"$2\"/", {from, to});
    auto rc = run_shell(cmd);
    if (!rc || *rc != 0) return util::fail(util::ErrorKind::Io, EIO, from, "cannot be copied");
    return {};
}

util::Expected<void> Staging::set_times(const std::string& root, std::time_t t) {
    ShellCommand cmd = shell("find \"$1\" -exec touch -h -d \"@$2\" {} +",
                             {m_dir + "/" + root, std::to_string(t)});
    auto rc = run_shell(cmd);
    if (!rc || *rc != 0) return util::fail(util::ErrorKind::Io, EIO, root, "cannot set times");
    return {};
}

util::Expected<void> Staging::publish(const std::vector<std::string>& names) {
    std::vector<std::string> moved;
    for (const auto& n : names) {
        std::string from = m_dir + "/" + n, to = m_out + "/" + n;
        if (rename(from.c_str(), to.c_str()) != 0) {
            int e = errno;
            for (const auto& back : moved)
                (void)unlink((m_out + "/" + back).c_str());
            return util::fail(util::ErrorKind::Io, e, to, std::strerror(e));
        }
        moved.push_back(n);
    }
    return {};
}

ShellCommand shell(std::string script, std::vector<std::string> args) {
    ShellCommand cmd;
    cmd.script = std::move(script);
    cmd.args = std::move(args);
    return cmd;
}

int run_tool(const std::vector<std::string>& argv, const std::string& log,
             const std::vector<std::pair<std::string, std::string>>& env, const std::string& cwd) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    ShellCommand cmd = shell("\"$@\"", argv);
    cmd.cwd = cwd;
    cmd.set_env = env;
    cmd.stdout_fd = fd;
    cmd.stderr_fd = fd;
    auto rc = run_shell(cmd);
    if (fd >= 0) close(fd);
    return rc ? *rc : 127;
}

std::vector<std::string> log_tail(const std::string& log, size_t lines) {
    auto data = util::read_file(log);
    if (!data) return {};
    std::vector<std::string> all;
    for (auto l : util::split(*data, '\n'))
        if (!l.empty()) all.emplace_back(l);
    if (all.size() > lines) all.erase(all.begin(), all.end() - static_cast<long>(lines));
    return all;
}

std::string debian_name(const std::string& module) {
    std::string out;
    for (char c : module)
        out += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string debian_arch(const std::string& machine) {
    static const std::pair<std::string_view, std::string_view> k_map[] = {
        {"x86_64", "amd64"},    {"i386", "i386"},          {"i486", "i386"},
        {"i586", "i386"},       {"i686", "i386"},          {"aarch64", "arm64"},
        {"armv7l", "armhf"},    {"ppc64le", "ppc64el"},    {"s390x", "s390x"},
        {"riscv64", "riscv64"}, {"loongarch64", "loong64"}};
    for (auto [m, d] : k_map)
        if (machine == m) return std::string(d);
    return {};
}

} // namespace modkit::dkms::package
