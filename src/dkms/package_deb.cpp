// Debian control files, documentation and dpkg-deb for the package actions; mkdeb (the
// source as <m>-dkms, registered with DKMS on the target, prebuilt modules included unless
// --source-only) and mkdsc (a Debian source package that builds that -dkms package).
#include "dkms/package_deb.hpp"

#include "dkms/shell.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

#include <cerrno>

namespace modkit::dkms::package {

namespace {

std::string deb_wrap(const std::string& text) {
    std::string out, line;
    for (auto w : util::split(text, ' ')) {
        if (w.empty()) continue;
        if (!line.empty() && line.size() + 1 + w.size() > 78) {
            out += " " + line + "\n";
            line.clear();
        }
        line += (line.empty() ? "" : " ") + std::string(w);
    }
    if (!line.empty()) out += " " + line + "\n";
    return out;
}

std::string control_text(const ControlFields& c, const std::string& maint, long installed_kib) {
    std::string t = "Package: " + c.package + "\nVersion: " + c.version +
                    "\nArchitecture: " + c.architecture + "\nMaintainer: " + maint +
                    "\nInstalled-Size: " + std::to_string(installed_kib) + "\n";
    if (!c.depends.empty()) t += "Depends: " + c.depends + "\n";
    if (!c.recommends.empty()) t += "Recommends: " + c.recommends + "\n";
    if (!c.provides.empty()) t += "Provides: " + c.provides + "\n";
    t += "Section: " + c.section + "\nPriority: optional\nDescription: " + c.synopsis + "\n" +
         deb_wrap(c.description);
    return t;
}

// A Debian copyright file for code whose authors this tool does not know: the license as the
// modules declare it (MODULE_LICENSE).
std::string copyright_text(const std::string& m, const std::string& v, const std::string& license) {
    std::string t = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
                    "Upstream-Name: " +
                    m +
                    "\n"
                    "Comment: Packaged by DKMS from the source of " +
                    m + " " + v +
                    ".\n"
                    "\n"
                    "Files: *\n"
                    "Copyright: the authors of " +
                    m + "\n";
    if (license.find("GPL") != std::string::npos)
        return t +
               "License: GPL-2\n"
               " The modules declare MODULE_LICENSE(\"" +
               license +
               "\").\n"
               " .\n"
               " On Debian systems, the complete text of the GNU General Public License\n"
               " version 2 can be found in /usr/share/common-licenses/GPL-2.\n";
    std::string name = license.empty() ? "unknown" : license;
    return t + "License: " + name + "\n The modules declare MODULE_LICENSE(\"" + license +
           "\"); see the source of " + m + " for its terms.\n";
}

util::Expected<void> tool_failed(const std::string& what, const std::string& log) {
    std::string msg = what + " failed";
    for (const auto& l : log_tail(log, 15))
        msg += "\n  " + l;
    return util::fail(util::ErrorKind::Io, EIO, log, msg);
}

// MODULE_LICENSE("...") as the source declares it, for packages without built modules.
std::string source_license(const std::string& dir) {
    ShellCommand grep =
        shell("grep -rhoE --include='*.c' 'MODULE_LICENSE\\(\"[^\"]*\"\\)' \"$1\" | "
              "head -n1 | sed -E 's/^MODULE_LICENSE\\(\"(.*)\"\\)$/\\1/'",
              {dir});
    auto out = capture_shell(grep);
    if (!out || out->status != 0) return {};
    std::string l = out->out;
    while (!l.empty() && l.back() == '\n')
        l.pop_back();
    return l;
}

// A changelog entry's bullet, wrapped at 80 columns.
std::string changelog_bullet(const std::string& text) {
    std::string out, line;
    for (auto w : util::split(text, ' ')) {
        if (w.empty()) continue;
        if (!line.empty() && line.size() + 1 + w.size() > 76) {
            out += (out.empty() ? "  * " : "    ") + line + "\n";
            line.clear();
        }
        line += (line.empty() ? "" : " ") + std::string(w);
    }
    if (!line.empty()) out += (out.empty() ? "  * " : "    ") + line + "\n";
    return out;
}

} // namespace

std::string shell_word(const std::string& s) {
    bool plain = !s.empty();
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) &&
            std::string_view("._+-/:@=,").find(c) == std::string_view::npos)
            plain = false;
    return plain ? s : shell_quote(s);
}

util::Expected<void> put_docs(Staging& staging, const std::string& root, const std::string& pkg,
                              const std::string& version, const DebInput& in,
                              const std::string& summary, const std::string& license) {
    std::string doc = "/usr/share/doc/" + pkg;
    std::string declared = license.empty() ? source_license(in.source_dir) : license;
    if (auto r = staging.put_text(root, doc + "/copyright",
                                  copyright_text(in.module, in.version, declared), 0644);
        !r)
        return r;
    // A version without a Debian revision is a native package: changelog.gz, not .Debian.gz.
    bool native = version.find('-') == std::string::npos;
    std::string name = native ? "changelog" : "changelog.Debian";
    std::string text = pkg + " (" + version + ") unstable; urgency=medium\n\n" +
                       changelog_bullet(summary) + "\n -- " + in.maintainer + "  " +
                       rfc2822_date(in.epoch) + "\n";
    if (auto r = staging.put_text(root, doc + "/" + name, text, 0644); !r) return r;
    ShellCommand gz = shell("gzip -9nf -- \"$1\"", {staging.dir() + "/" + root + doc + "/" + name});
    auto rc = run_shell(gz);
    if (!rc || *rc != 0) return util::fail(util::ErrorKind::Io, EIO, doc, "gzip failed");
    return {};
}

util::Expected<void> build_deb(Staging& staging, const std::string& root, const ControlFields& c,
                               std::time_t epoch, const std::string& file, Report& report) {
    (void)report;
    std::string dir = staging.dir() + "/" + root;
    // Installed-Size as dpkg-gencontrol counts it: KiB per file, rounded up, plus one per
    // directory and symlink.
    ShellCommand size =
        shell("cd \"$1\" && find . -path ./DEBIAN -prune -o ! -name . -printf '%y %s\\n' "
              "| awk '{ n += ($1 == \"f\") ? int(($2 + 1023) / 1024) : 1 } END "
              "{ print n + 0 }'",
              {dir});
    auto kib = capture_shell(size);
    if (!kib || kib->status != 0)
        return util::fail(util::ErrorKind::Io, EIO, dir, "cannot measure the package");
    if (auto r = staging.put_text(root, "/DEBIAN/control",
                                  control_text(c, maintainer(), std::stol(kib->out)), 0644);
        !r)
        return r;
    ShellCommand sums =
        shell("cd \"$1\" && find . -path ./DEBIAN -prune -o -type f -printf '%P\\0' | "
              "LC_ALL=C sort -z | xargs -0r md5sum >DEBIAN/md5sums && "
              "{ [ -s DEBIAN/md5sums ] || rm DEBIAN/md5sums; }",
              {dir});
    if (auto rc = run_shell(sums); !rc || *rc != 0)
        return util::fail(util::ErrorKind::Io, EIO, dir, "md5sum failed");
    if (auto r = staging.set_times(root, epoch); !r) return r;
    std::string log = staging.dir() + "/dpkg-deb.log";
    int rc = run_tool(
        {"dpkg-deb", "--root-owner-group", "-Zxz", "--build", dir, staging.dir() + "/" + file}, log,
        {{"SOURCE_DATE_EPOCH", std::to_string(epoch)}});
    if (rc != 0) return tool_failed("dpkg-deb --build " + c.package, log);
    return {};
}

util::Expected<std::string> make_dkms_deb(const DebInput& in,
                                          const std::vector<KernelModules>& prebuilt,
                                          Staging& staging, Report& report) {
    const std::string& m = in.module;
    const std::string& v = in.version;
    std::string pkg = debian_name(m) + "-dkms";
    std::string root = "root-dkms";
    std::string arch = "all";
    if (!prebuilt.empty()) {
        arch = debian_arch(prebuilt[0].target.arch);
        if (arch.empty())
            return util::fail(util::ErrorKind::Unsupported, 0, "",
                              "no Debian architecture for " + prebuilt[0].target.arch);
    }
    if (auto r = staging.put_tree(root, "/usr/src/" + m + "-" + v, in.source_dir); !r)
        return std::unexpected(r.error());
    std::string kernels;
    for (const auto& km : prebuilt) {
        kernels += (kernels.empty() ? "" : ", ") + km.target.kernel;
        std::string dir =
            "/usr/lib/" + pkg + "/prebuilt/" + km.target.kernel + "/" + km.target.arch;
        for (const auto& f : km.files)
            if (auto r = staging.put_file(
                    root, dir + "/module/" + std::string(util::basename(f.built)), f.built, 0644);
                !r)
                return std::unexpected(r.error());
    }
    std::string head = "#!/bin/sh\n# " + pkg +
                       ": made by modkit dkms mkdeb.\nset -e\nm=" + shell_word(m) +
                       " v=" + shell_word(v) + " pkg=" + shell_word(pkg) + "\n";
    std::string postinst =
        head + "case \"$1\" in\n"
               "configure)\n"
               "    [ -e \"/var/lib/dkms/$m/$v/source\" ] || dkms add -m \"$m\" -v \"$v\"\n"
               "    # Prebuilt kernels become built ones, then are installed; others are built.\n"
               "    done_kernels=\n"
               "    for d in \"/usr/lib/$pkg/prebuilt\"/*/*; do\n"
               "        [ -d \"$d\" ] || continue\n"
               "        a=${d##*/} k=${d%/*}; k=${k##*/}\n"
               "        [ -d \"/lib/modules/$k\" ] || continue\n"
               "        if [ ! -d \"/var/lib/dkms/$m/$v/$k/$a/module\" ]; then\n"
               "            mkdir -p \"/var/lib/dkms/$m/$v/$k/$a\"\n"
               "            cp -R \"$d/module\" \"/var/lib/dkms/$m/$v/$k/$a/\"\n"
               "        fi\n"
               "        dkms install -m \"$m\" -v \"$v\" -k \"$k\" -a \"$a\" ||\n"
               "            echo \"$pkg: dkms install for $k failed\" >&2\n"
               "        done_kernels=\"$done_kernels $k\"\n"
               "    done\n"
               "    k=$(uname -r)\n"
               "    case \" $done_kernels \" in *\" $k \"*) ;; *)\n"
               "        if [ -d \"/lib/modules/$k/build\" ]; then\n"
               "            dkms install -m \"$m\" -v \"$v\" -k \"$k\" ||\n"
               "                echo \"$pkg: dkms could not build $m $v for $k\" >&2\n"
               "        fi ;;\n"
               "    esac\n"
               "    ;;\n"
               "esac\n"
               "exit 0\n";
    std::string prerm = head + "case \"$1\" in\n"
                               "remove|upgrade|deconfigure)\n"
                               "    if [ -e \"/var/lib/dkms/$m/$v\" ]; then\n"
                               "        dkms remove -m \"$m\" -v \"$v\" --all || true\n"
                               "    fi\n"
                               "    ;;\n"
                               "esac\n"
                               "exit 0\n";
    for (auto [name, text] : {std::pair{"postinst", postinst}, {"prerm", prerm}})
        if (auto r = staging.put_text(root, std::string("/DEBIAN/") + name, text, 0755); !r)
            return std::unexpected(r.error());
    std::string license = prebuilt.empty() ? "" : prebuilt[0].license;
    std::string summary = "The source of " + m + " " + v + " for DKMS" +
                          (kernels.empty() ? "" : ", with modules built for " + kernels) + ".";
    if (auto r = put_docs(staging, root, pkg, v, in, summary, license); !r)
        return std::unexpected(r.error());
    ControlFields c;
    c.package = pkg;
    c.version = v;
    c.architecture = arch;
    c.section = "kernel";
    c.depends = "dkms";
    c.synopsis = m + " driver in DKMS format";
    c.description = "The source of the " + m + " " + v +
                    " kernel modules, registered with DKMS when installed, so that DKMS "
                    "builds them for each kernel." +
                    (kernels.empty() ? std::string()
                                     : " Modules built for " + kernels +
                                           " are included and installed without a compiler.") +
                    " Made by modkit dkms mkdeb.";
    std::string file = pkg + "_" + v + "_" + arch + ".deb";
    if (auto r = build_deb(staging, root, c, in.epoch, file, report); !r)
        return std::unexpected(r.error());
    return file;
}

util::Expected<std::vector<std::string>> make_dsc(const DebInput& in, Staging& staging,
                                                  Report& report) {
    (void)report;
    const std::string& m = in.module;
    const std::string& v = in.version;
    if (v.find('-') != std::string::npos)
        return util::fail(util::ErrorKind::Unsupported, 0, "",
                          "version " + v + " has a Debian revision; mkdsc makes native packages");
    std::string pkg = debian_name(m) + "-dkms";
    std::string top = pkg + "-" + v;
    if (auto r = staging.put_tree(top, "", in.source_dir); !r) return std::unexpected(r.error());
    std::string control = "Source: " + pkg +
                          "\nSection: kernel\nPriority: optional\nMaintainer: " + in.maintainer +
                          "\nBuild-Depends: debhelper-compat (= 13), dh-sequence-dkms\n"
                          "Standards-Version: 4.6.2\nRules-Requires-Root: no\n\n"
                          "Package: " +
                          pkg +
                          "\nArchitecture: all\nDepends: ${misc:Depends}\n"
                          "Description: " +
                          m + " driver in DKMS format\n" +
                          deb_wrap("The source of the " + m + " " + v +
                                   " kernel modules, registered with DKMS when installed, so that "
                                   "DKMS builds them for each kernel. Made by modkit dkms mkdsc.");
    // The module's own Makefile is for kbuild: the package build only copies the source.
    std::string rules = "#!/usr/bin/make -f\n"
                        "%:\n\tdh $@\n\n"
                        "override_dh_auto_configure override_dh_auto_build "
                        "override_dh_auto_test override_dh_auto_clean:\n\n"
                        "override_dh_auto_install:\n"
                        "\tmkdir -p debian/" +
                        pkg + "/usr/src/" + m + "-" + v +
                        "\n"
                        "\tfind . -mindepth 1 -maxdepth 1 ! -name debian ! -name .pc "
                        "-exec cp -R {} debian/" +
                        pkg + "/usr/src/" + m + "-" + v +
                        "/ \\;\n\n"
                        "override_dh_dkms:\n\tdh_dkms -V " +
                        v + "\n";
    std::string changelog = pkg + " (" + v + ") unstable; urgency=medium\n\n  * The source of " +
                            m + " " + v + " for DKMS.\n\n -- " + in.maintainer + "  " +
                            rfc2822_date(in.epoch) + "\n";
    std::vector<std::pair<std::string, std::string>> files = {
        {"/debian/control", control},
        {"/debian/rules", rules},
        {"/debian/changelog", changelog},
        {"/debian/copyright", copyright_text(m, v, source_license(in.source_dir))},
        {"/debian/source/format", "3.0 (native)\n"}};
    for (const auto& [path, text] : files)
        if (auto r = staging.put_text(top, path, text, path == "/debian/rules" ? 0755 : 0644); !r)
            return std::unexpected(r.error());
    if (auto r = staging.set_times(top, in.epoch); !r) return std::unexpected(r.error());
    std::string log = staging.dir() + "/dpkg-source.log";
    int rc = run_tool({"dpkg-source", "-b", top}, log,
                      {{"SOURCE_DATE_EPOCH", std::to_string(in.epoch)}}, staging.dir());
    if (rc != 0) return std::unexpected(tool_failed("dpkg-source -b " + pkg, log).error());
    return std::vector<std::string>{pkg + "_" + v + ".dsc", pkg + "_" + v + ".tar.xz"};
}

} // namespace modkit::dkms::package
