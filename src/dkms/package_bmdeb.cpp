// mkbmdeb: one binary-only .deb per kernel, <m>-modules-<K>_<v>_<arch>.deb (DKMS 2.8's
// names). It owns the modules where DKMS installs them (/lib/modules/<K>/updates/dkms), the
// built copy and the kernel-<K>-<A> link in /var/lib/dkms (so `dkms status` on the target
// says "installed"), depends on linux-image-<K>, and runs depmod for <K> when it comes and
// goes. The version's source/ directory, shared by the packages of several kernels, is made
// by postinst and taken away by the last package of that version.
#include "dkms/package_deb.hpp"

#include "util/fs.hpp"
#include "util/mapped_file.hpp"
#include "util/strings.hpp"

namespace modkit::dkms::package {

namespace {

// The maintainer scripts. One function library, then each script's own case.
std::string script_head(const std::string& m, const std::string& v, const KernelArch& t,
                        const std::string& pkg) {
    return "#!/bin/sh\n"
           "# " +
           pkg +
           ": made by modkit dkms mkbmdeb.\n"
           "set -e\n"
           "m=" +
           shell_word(m) + " v=" + shell_word(v) + " k=" + shell_word(t.kernel) +
           " a=" + shell_word(t.arch) + " pkg=" + shell_word(pkg) +
           "\n"
           "tree=/var/lib/dkms\n"
           "# The version's source/ entry, made here; DKMS counts a version as added by it.\n"
           "register() {\n"
           "    [ -e \"$tree/$m/$v/source\" ] && return 0\n"
           "    mkdir -p \"$tree/$m/$v/source\"\n"
           "    cp \"/usr/share/$pkg/dkms.conf\" \"$tree/$m/$v/source/dkms.conf\"\n"
           "    echo \"$pkg\" >\"$tree/$m/$v/source/binary-package\"\n"
           "}\n"
           "# Takes version $1's source/ away when it is ours and only kernel $k is left in it.\n"
           "unregister() {\n"
           "    d=$tree/$m/$1\n"
           "    [ -f \"$d/source/binary-package\" ] || return 0\n"
           "    for e in \"$d\"/* \"$d\"/.[!.]*; do\n"
           "        [ -e \"$e\" ] || [ -L \"$e\" ] || continue\n"
           "        case \"${e##*/}\" in source|\"$k\") ;; *) return 0 ;; esac\n"
           "    done\n"
           "    rm -rf \"$d/source\"\n"
           "}\n"
           "index() {\n"
           "    if [ -e \"/lib/modules/$k/modules.order\" ]; then depmod -a \"$k\"; fi\n"
           "}\n";
}

std::string bm_postinst(const std::string& head) {
    return head + "case \"$1\" in\n"
                  "configure|abort-upgrade|abort-remove|abort-deconfigure)\n"
                  "    register\n"
                  "    index\n"
                  "    ;;\n"
                  "esac\n"
                  "exit 0\n";
}

std::string bm_preinst(const std::string& head) {
    return head + "case \"$1\" in\n"
                  "upgrade)\n"
                  "    if [ -n \"$2\" ] && [ \"$2\" != \"$v\" ]; then unregister \"$2\"; fi\n"
                  "    ;;\n"
                  "esac\n"
                  "exit 0\n";
}

std::string bm_prerm(const std::string& head) {
    return head + "case \"$1\" in\n"
                  "remove|deconfigure)\n"
                  "    unregister \"$v\"\n"
                  "    ;;\n"
                  "esac\n"
                  "exit 0\n";
}

std::string bm_postrm(const std::string& head) {
    return head + "case \"$1\" in\n"
                  "remove|abort-install|disappear)\n"
                  "    rmdir \"$tree/$m\" 2>/dev/null || true\n"
                  "    index\n"
                  "    ;;\n"
                  "esac\n"
                  "exit 0\n";
}

std::string module_names(const KernelModules& km) {
    std::string out;
    for (const auto& f : km.files)
        out += (out.empty() ? "" : ", ") + std::string(util::basename(f.installed));
    return out;
}

} // namespace

util::Expected<std::string> make_bmdeb(const DebInput& in, const KernelModules& km,
                                       Staging& staging, Report& report) {
    const std::string& m = in.module;
    const std::string& v = in.version;
    const KernelArch& t = km.target;
    std::string arch = debian_arch(t.arch);
    if (arch.empty())
        return util::fail(util::ErrorKind::Unsupported, 0, "",
                          "no Debian architecture for " + t.arch);
    std::string pkg = debian_name(m) + "-modules-" + t.kernel;
    std::string root = "root-" + t.kernel + "-" + t.arch;
    std::string tree_dir = "/var/lib/dkms/" + m + "/" + v + "/" + t.kernel + "/" + t.arch;

    for (const auto& f : km.files) {
        if (auto r = staging.put_file(root, f.installed, f.built, 0644); !r) return fail(r.error());
        std::string name(util::basename(f.built));
        if (auto r = staging.put_file(root, tree_dir + "/module/" + name, f.built, 0644); !r)
            return fail(r.error());
    }
    if (auto r =
            staging.put_symlink(root, "/var/lib/dkms/" + m + "/kernel-" + t.kernel + "-" + t.arch,
                                v + "/" + t.kernel + "/" + t.arch);
        !r)
        return fail(r.error());
    // The dkms.conf DKMS finds in source/, with AUTOINSTALL off: a new kernel needs a new
    // package, not a build from a source this package does not carry.
    std::string conf = in.conf_text;
    if (!conf.empty() && conf.back() != '\n') conf += '\n';
    conf += "# modkit dkms mkbmdeb: binary modules only, nothing to build on a new kernel.\n"
            "AUTOINSTALL=\"\"\n";
    if (auto r = staging.put_text(root, "/usr/share/" + pkg + "/dkms.conf", conf, 0644); !r)
        return fail(r.error());
    std::string summary = m + " " + v + " modules (" + module_names(km) + ") built by DKMS for " +
                          "Linux " + t.kernel + ".";
    if (auto r = put_docs(staging, root, pkg, v, in, summary, km.license); !r)
        return fail(r.error());

    std::string head = script_head(m, v, t, pkg);
    for (auto [name, text] : {std::pair{"postinst", bm_postinst(head)},
                              {"preinst", bm_preinst(head)},
                              {"prerm", bm_prerm(head)},
                              {"postrm", bm_postrm(head)}})
        if (auto r = staging.put_text(root, std::string("/DEBIAN/") + name, text, 0755); !r)
            return fail(r.error());

    ControlFields c;
    c.package = pkg;
    c.version = v;
    c.architecture = arch;
    c.section = "kernel";
    c.depends = "linux-image-" + t.kernel;
    c.provides = debian_name(m) + "-modules";
    c.synopsis = m + " kernel modules for Linux " + t.kernel;
    c.description = "The " + m + " " + v + " kernel modules (" + module_names(km) +
                    ") built by DKMS for the " + t.kernel +
                    " kernel, ready to load: the system needs no compiler, no kernel headers "
                    "and no module source. Made by modkit dkms mkbmdeb.";
    std::string file = pkg + "_" + v + "_" + arch + ".deb";
    if (auto r = build_deb(staging, root, c, in.epoch, file, report); !r) return fail(r.error());
    return file;
}

} // namespace modkit::dkms::package
