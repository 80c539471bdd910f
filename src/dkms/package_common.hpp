// What every package action shares: building the missing kernels (all or nothing), the
// modules each kernel's package carries and where they go on the target, a staging directory
// whose products are published together, and running the packaging tools.
#pragma once
#include "dkms/context.hpp"
#include "dkms/outcome.hpp"
#include "dkms/report.hpp"
#include "dkms/shell.hpp"
#include "dkms/tree.hpp"
#include "util/error.hpp"

#include <ctime>
#include <string>
#include <vector>

namespace modkit::dkms::package {

// Builds m/v for every target not built yet (in parallel, as `dkms build` does). A failed or
// excluded kernel fails the whole action: no package is made.
Outcome build_missing(const Context& ctx, const std::string& m, const std::string& v,
                      const std::vector<KernelArch>& targets, Report& report);

struct ModuleFile {
    std::string built;     // the file in <dkms_tree>/<m>/<v>/<K>/<A>/module
    std::string installed; // its path on the target, "/lib/modules/<K><dest location>/<name>"
};

struct KernelModules {
    KernelArch target;
    std::vector<ModuleFile> files;
    std::string license; // the first module's MODULE_LICENSE ("" when unreadable)
};

// The built modules of m/v for `target`, placed as DKMS would install them on a system of
// `distribution` ("debian", "fedora", "suse"...).
util::Expected<KernelModules> kernel_modules(const Context& ctx, const std::string& m,
                                             const std::string& v, const KernelArch& target,
                                             const std::string& distribution, Report& report);

// Packages are reproducible: file times and changelog dates are SOURCE_DATE_EPOCH when set,
// else the time of the package's dkms.conf.
std::time_t package_epoch(const Context& ctx, const std::string& m, const std::string& v);
// RFC 2822 ("Mon, 07 Dec 2026 18:00:00 +0000") and rpm changelog ("Mon Dec 07 2026") dates.
std::string rfc2822_date(std::time_t t);
std::string rpm_changelog_date(std::time_t t);

// The packager's name and address: DEBFULLNAME/DEBEMAIL (or NAME/EMAIL) when set.
std::string maintainer();

// A directory beside the destination where packages are assembled; what it produced is moved
// into the destination together by publish(), and the directory is removed either way.
class Staging {
public:
    static util::Expected<Staging> create(const std::string& out_dir);
    Staging(Staging&& o) noexcept;
    Staging& operator=(Staging&&) = delete;
    Staging(const Staging&) = delete;
    ~Staging();

    const std::string& dir() const { return m_dir; }
    // Files and symlinks under `root` (a directory inside dir()); parents are made.
    util::Expected<void> put_file(const std::string& root, const std::string& path,
                                  const std::string& from, mode_t mode);
    util::Expected<void> put_text(const std::string& root, const std::string& path,
                                  std::string_view text, mode_t mode);
    util::Expected<void> put_symlink(const std::string& root, const std::string& path,
                                     const std::string& target);
    // Copies a directory tree (following symlinks, as cp -L).
    util::Expected<void> put_tree(const std::string& root, const std::string& path,
                                  const std::string& from);
    // Sets every time under `root` to `t`.
    util::Expected<void> set_times(const std::string& root, std::time_t t);
    // Moves <dir()>/<name> to <out_dir>/<name> for each name; undoes the moves on failure.
    util::Expected<void> publish(const std::vector<std::string>& names);

private:
    Staging(std::string out_dir, std::string dir)
        : m_out(std::move(out_dir))
        , m_dir(std::move(dir)) {}
    std::string m_out, m_dir;
};

// A bash command line with its positional arguments.
ShellCommand shell(std::string script, std::vector<std::string> args);

// Runs `program args...` (through bash, with `env` added), its output appended to `log`.
// Returns its exit status.
int run_tool(const std::vector<std::string>& argv, const std::string& log,
             const std::vector<std::pair<std::string, std::string>>& env = {},
             const std::string& cwd = "");

// The last lines of a log, for an error message.
std::vector<std::string> log_tail(const std::string& log, size_t lines);

// Debian's name for a module: lower case, '_' as '-'.
std::string debian_name(const std::string& module);
// The Debian and RPM architecture of a kernel arch (uname -m), or "" when unknown.
std::string debian_arch(const std::string& machine);

} // namespace modkit::dkms::package
