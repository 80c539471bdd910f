// mkrpm with rpmbuild (Debian's rpm package): one binary rpm per kernel,
// <m>-kmod-<K>-<v>-1.<arch>.rpm, with the modules where DKMS installs them on Fedora
// (/lib/modules/<K>/extra), the built copy and kernel link in /var/lib/dkms, Requires
// kernel-uname-r = <K> and depmod in %post/%postun; unless --binaries-only, also the source as
// <m>-dkms-<v>-1.noarch.rpm, which adds, builds and installs it with DKMS on the target (as
// DKMS 2.8's mkrpm did). With --source-only, only the latter.
#include "dkms/package_rpm.hpp"

#include "dkms/package_deb.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cerrno>

namespace modkit::dkms::package {

namespace {

std::string rpm_arch(const std::string& machine) {
    if (machine == "i386" || machine == "i486" || machine == "i586") return "i686";
    return machine;
}

util::Expected<std::string> rpmbuild(Staging& staging, const std::string& name,
                                     const std::string& spec, const std::string& payload,
                                     std::time_t epoch) {
    std::string top = staging.dir() + "/rpm-" + name;
    if (auto r = staging.put_text("rpm-" + name, "/SPECS/" + name + ".spec", spec, 0644); !r)
        return std::unexpected(r.error());
    std::string log = staging.dir() + "/rpmbuild-" + name + ".log";
    int rc = run_tool({"rpmbuild", "-bb", "--nodeps", "--define", "_topdir " + top, "--define",
                       "payload " + staging.dir() + "/" + payload, "--define",
                       "_build_id_links none", "--define", "source_date_epoch_from_changelog 0",
                       "--define", "use_source_date_epoch_as_buildtime 1", "--define",
                       "clamp_mtime_to_source_date_epoch 1", "--define", "_buildhost modkit",
                       top + "/SPECS/" + name + ".spec"},
                      log, {{"SOURCE_DATE_EPOCH", std::to_string(epoch)}, {"LC_ALL", "C"}});
    if (rc != 0) {
        std::string msg = "rpmbuild " + name + " failed";
        for (const auto& l : log_tail(log, 15))
            msg += "\n  " + l;
        return util::fail(util::ErrorKind::Io, EIO, log, msg);
    }
    // The one rpm it wrote, moved to the top of the staging directory.
    ShellCommand mv = shell("dest=$2; set -- \"$1\"/RPMS/*/*.rpm; [ $# = 1 ] && [ -f \"$1\" ] && "
                            "mv \"$1\" \"$dest\"/ && basename \"$1\"",
                            {top, staging.dir()});
    auto out = capture_shell(mv);
    if (!out || out->status != 0)
        return util::fail(util::ErrorKind::Io, EIO, top, "rpmbuild wrote no package");
    std::string file = out->out;
    while (!file.empty() && file.back() == '\n')
        file.pop_back();
    return file;
}

constexpr std::string_view k_install =
    "%install\nmkdir -p %{buildroot}\ncp -a %{payload}/. %{buildroot}/\n\n";

std::string spec_head(const std::string& name, const std::string& v, const std::string& summary,
                      const std::string& license, const std::string& arch) {
    return "# Written by modkit dkms mkrpm.\n"
           "%define debug_package %{nil}\n"
           "%define __os_install_post %{nil}\n"
           "%define __strip /bin/true\n"
           "Name: " +
           name + "\nVersion: " + v +
           "\nRelease: 1\n"
           "Summary: " +
           summary + "\nLicense: " + (license.empty() ? "Unknown" : license) +
           "\nAutoReqProv: no\n" + (arch == "noarch" ? "BuildArch: noarch\n" : "");
}

// The kernel package: Fedora's and SUSE's provide kernel-uname-r = <uname -r>, which works only
// for a release RPM can read as version-release (one '-'); others (Debian's 6.1.0-50-amd64)
// are required by a file every kernel package owns.
std::string kernel_requirement(const std::string& kernel) {
    if (std::count(kernel.begin(), kernel.end(), '-') == 1)
        return "Requires: kernel-uname-r = " + kernel;
    return "Requires: /lib/modules/" + kernel + "/modules.order";
}

} // namespace

util::Expected<std::vector<std::string>> make_rpm(const DebInput& in,
                                                  const std::vector<KernelModules>& kms,
                                                  Staging& staging, Report& report) {
    (void)report;
    const std::string& m = in.module;
    const std::string& v = in.version;
    std::string date = rpm_changelog_date(in.epoch);
    std::vector<std::string> made;
    if (kms.empty()) { // the source, registered with DKMS on the target
        std::string name = m + "-dkms";
        std::string payload = "rpmroot-" + name;
        if (auto r = staging.put_tree(payload, "/usr/src/" + m + "-" + v, in.source_dir); !r)
            return std::unexpected(r.error());
        std::string spec =
            spec_head(name, v, "The " + m + " " + v + " kernel modules in DKMS format", "",
                      "noarch") +
            "Requires: dkms\n\n%description\nThe source of the " + m + " " + v +
            " kernel modules, added to DKMS when installed and built by DKMS for each "
            "kernel. Made by modkit dkms mkrpm.\n\n" +
            std::string(k_install) +
            "%post\n"
            "dkms add -m " +
            m + " -v " + v + " --rpm_safe_upgrade >/dev/null 2>&1 || :\n" +
            "if [ -d /lib/modules/$(uname -r)/build ]; then\n"
            "  dkms install -m " +
            m + " -v " + v + " --rpm_safe_upgrade || :\nfi\n\n" +
            "%preun\n"
            "dkms remove -m " +
            m + " -v " + v + " --all --rpm_safe_upgrade >/dev/null 2>&1 || :\n\n" +
            "%files\n/usr/src/" + m + "-" + v + "\n\n%changelog\n* " + date + " " + in.maintainer +
            " - " + v + "-1\n- Made by modkit dkms mkrpm.\n";
        auto file = rpmbuild(staging, name, spec, payload, in.epoch);
        if (!file) return std::unexpected(file.error());
        made.push_back(*file);
        return made;
    }
    for (const auto& km : kms) {
        const KernelArch& t = km.target;
        std::string name = m + "-kmod-" + t.kernel;
        std::string payload = "rpmroot-" + name;
        std::string tree_dir = "/var/lib/dkms/" + m + "/" + v + "/" + t.kernel + "/" + t.arch;
        std::string files;
        for (const auto& f : km.files) {
            std::string base(util::basename(f.built));
            if (auto r = staging.put_file(payload, f.installed, f.built, 0644); !r)
                return std::unexpected(r.error());
            if (auto r = staging.put_file(payload, tree_dir + "/module/" + base, f.built, 0644); !r)
                return std::unexpected(r.error());
            files += f.installed + "\n" + tree_dir + "/module/" + base + "\n";
        }
        std::string link = "/var/lib/dkms/" + m + "/kernel-" + t.kernel + "-" + t.arch;
        if (auto r = staging.put_symlink(payload, link, v + "/" + t.kernel + "/" + t.arch); !r)
            return std::unexpected(r.error());
        std::string src = "/var/lib/dkms/" + m + "/" + v + "/source";
        if (auto r = staging.put_text(payload, "/usr/share/" + name + "/dkms.conf",
                                      in.conf_text + "\nAUTOINSTALL=\"\"\n", 0644);
            !r)
            return std::unexpected(r.error());
        std::string spec =
            spec_head(name, v, m + " kernel modules for Linux " + t.kernel, km.license,
                      rpm_arch(t.arch)) +
            kernel_requirement(t.kernel) + "\nProvides: " + m + "-kmod = " + v +
            "\n\n%description\nThe " + m + " " + v + " kernel modules built by DKMS for the " +
            t.kernel +
            " kernel, ready to load without a compiler or kernel headers. Made by modkit dkms "
            "mkrpm.\n\n" +
            std::string(k_install) +
            "%post\n"
            "if [ ! -e " +
            src + " ]; then\n  mkdir -p " + src + " && cp /usr/share/" + name + "/dkms.conf " +
            src + "/dkms.conf && echo " + name + " >" + src +
            "/binary-package\nfi\n"
            "if [ -e /lib/modules/" +
            t.kernel + "/modules.order ]; then depmod -a " + t.kernel + "; fi\n\n" +
            "%preun\n"
            "if [ \"$1\" = 0 ] && [ -f " +
            src + "/binary-package ] && [ \"$(ls /var/lib/dkms/" + m + "/" + v +
            ")\" = \"$(printf '%s\\n' " + t.kernel + " source | sort)\" ]; then rm -rf " + src +
            "; fi\n\n" +
            "%postun\n"
            "if [ -e /lib/modules/" +
            t.kernel + "/modules.order ]; then depmod -a " + t.kernel + "; fi\n" +
            "rmdir /var/lib/dkms/" + m + "/" + v + " /var/lib/dkms/" + m + " 2>/dev/null || :\n\n" +
            "%posttrans\n"
            "# An upgrade leaves the old version's registration alone in its directory.\n"
            "for d in /var/lib/dkms/" +
            m +
            "/*/; do\n  if [ -f \"$d/source/binary-package\" ] && [ \"$(ls \"$d\")\" = source ]; " +
            "then rm -rf \"$d\"; fi\ndone\n\n" +
            "%files\n%defattr(-,root,root,-)\n%dir /var/lib/dkms/" + m + "/" + v + "/" + t.kernel +
            "\n%dir " + tree_dir + "\n%dir " + tree_dir + "/module\n" + files + link +
            "\n/usr/share/" + name + "\n\n%changelog\n* " + date + " " + in.maintainer + " - " + v +
            "-1\n- Made by modkit dkms mkrpm.\n";
        auto file = rpmbuild(staging, name, spec, payload, in.epoch);
        if (!file) return std::unexpected(file.error());
        made.push_back(*file);
    }
    return made;
}

} // namespace modkit::dkms::package
