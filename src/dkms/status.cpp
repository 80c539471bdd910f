// Status lines. The extras follow DKMS 3.4: "(Original modules exist)" when an original is
// archived for the kernel, then "(Built modules are missing in the kernel modules folder)"
// when the tree's module/ directory holds no module although dkms.conf names one for the
// kernel (the conf is read only then), or "(Differences between built and installed
// modules)" when an installed copy is missing or differs from the tree's.
#include "dkms/status.hpp"
#include "dkms/conf.hpp"
#include "dkms/report.hpp"
#include "module/names.hpp"
#include "util/atomic_file.hpp"

#include "util/fs.hpp"
#include "util/mapped_file.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <sys/stat.h>

namespace modkit::dkms {

namespace {

using util::is_directory;

bool is_module_file(std::string_view name) {
    return module::has_module_extension(name);
}

bool same_contents(const std::string& a, const std::string& b) {
    struct stat sa, sb;
    if (stat(a.c_str(), &sa) != 0 || stat(b.c_str(), &sb) != 0) return false;
    if (sa.st_size != sb.st_size) return false;
    if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino) return true;
    auto da = util::read_file(a);
    auto db = util::read_file(b);
    return da && db && *da == *db;
}

// A package whose dkms.conf builds no module for this kernel (none listed, or every one
// excluded by BUILD_EXCLUSIVE) misses nothing. An unreadable conf counts as naming some.
bool names_no_module(const Tree& tree, const std::string& m, const std::string& v,
                     const std::string& k, const std::string& a) {
    BufferedReport quiet;
    ConfRequest req{m, v, tree.source_link(m, v) + "/dkms.conf", make_target(tree.ctx, k, a)};
    auto conf = read_conf(tree.ctx, req, quiet);
    if (!conf) return false;
    return std::ranges::all_of(conf->modules, [](const ModuleEntry& e) { return e.excluded; });
}

std::string built_extras(const Tree& tree, const std::string& m, const std::string& v,
                         const std::string& k, const std::string& a, bool installed) {
    std::string extras;
    if (is_directory(tree.original_dir(m, k, a))) extras += " (Original modules exist)";
    std::string module_dir = tree.built_dir(m, v, k, a) + "/module";
    std::vector<std::string> mods;
    for (auto& f : Tree::list(module_dir))
        if (is_module_file(f)) mods.push_back(f);
    if (mods.empty()) {
        if (names_no_module(tree, m, v, k, a)) return extras;
        return extras + " (Built modules are missing in the kernel modules folder)";
    }
    if (installed) {
        std::string dest = tree.ctx.install_tree + "/" + k + distro_dest_location(tree.ctx, "");
        for (const auto& f : mods)
            if (!same_contents(module_dir + "/" + f, dest + "/" + f))
                return extras + " (Differences between built and installed modules)";
    }
    return extras;
}

} // namespace

std::string broken_message(const std::string& module, const std::string& version) {
    return "\nError! " + module + "/" + version +
           ": Missing the module source directory or the symbolic link pointing to it.\n"
           "Manual intervention is required!\n";
}

std::vector<StatusLine> collect_status(const Tree& tree, const StatusFilter& filter) {
    std::vector<StatusLine> lines;
    std::vector<std::string> modules =
        filter.module.empty() ? tree.modules() : std::vector<std::string>{filter.module};
    for (const auto& m : modules) {
        std::vector<std::string> versions =
            filter.version.empty() ? tree.versions(m) : std::vector<std::string>{filter.version};
        for (const auto& v : versions) {
            StatusLine base;
            base.module = m;
            base.version = v;
            if (!tree.is_added(m, v)) {
                if (tree.is_broken(m, v)) {
                    base.state = StatusLine::State::Broken;
                    base.broken = true;
                    base.text = m + "/" + v + ": broken";
                    lines.push_back(base);
                }
                continue;
            }
            bool any = false;
            for (const auto& [k, a] : tree.built_for(m, v, filter.kernel, filter.arch)) {
                if (!tree.is_built(m, v, k, a)) continue;
                any = true;
                StatusLine line = base;
                line.kernel = k;
                line.arch = a;
                bool installed = tree.is_installed(m, v, k, a);
                line.state = installed ? StatusLine::State::Installed : StatusLine::State::Built;
                line.text = m + "/" + v + ", " + k + ", " + a + ": " +
                            (installed ? "installed" : "built") +
                            built_extras(tree, m, v, k, a, installed);
                lines.push_back(std::move(line));
            }
            if (!any) {
                base.text = m + "/" + v + ": added";
                lines.push_back(std::move(base));
            }
        }
    }
    return lines;
}

} // namespace modkit::dkms
