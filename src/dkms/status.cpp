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
#include "util/json.hpp"
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

// The flags of a built line, in DKMS's order; flag_text() gives each one's words.
std::vector<StatusFlag> built_flags(const Tree& tree, const std::string& m, const std::string& v,
                                    const std::string& k, const std::string& a, bool installed) {
    std::vector<StatusFlag> flags;
    if (is_directory(tree.original_dir(m, k, a))) flags.push_back(StatusFlag::OriginalModules);
    std::string module_dir = tree.built_dir(m, v, k, a) + "/module";
    std::vector<std::string> mods;
    for (auto& f : Tree::list(module_dir))
        if (is_module_file(f)) mods.push_back(f);
    if (mods.empty()) {
        if (!names_no_module(tree, m, v, k, a)) flags.push_back(StatusFlag::BuiltMissing);
        return flags;
    }
    if (installed) {
        std::string dest = tree.ctx.install_tree + "/" + k + distro_dest_location(tree.ctx, "");
        for (const auto& f : mods)
            if (!same_contents(module_dir + "/" + f, dest + "/" + f)) {
                flags.push_back(StatusFlag::Differs);
                break;
            }
    }
    return flags;
}

} // namespace

std::string_view flag_text(StatusFlag flag) {
    switch (flag) {
    case StatusFlag::OriginalModules:
        return "Original modules exist";
    case StatusFlag::BuiltMissing:
        return "Built modules are missing in the kernel modules folder";
    case StatusFlag::Differs:
        return "Differences between built and installed modules";
    }
    return {};
}

std::string_view flag_name(StatusFlag flag) {
    switch (flag) {
    case StatusFlag::OriginalModules:
        return "original-modules-exist";
    case StatusFlag::BuiltMissing:
        return "built-modules-missing";
    case StatusFlag::Differs:
        return "built-and-installed-differ";
    }
    return {};
}

std::string status_json(const std::vector<StatusLine>& lines) {
    util::JsonWriter w;
    w.begin_object().field("version", 1).key("modules").begin_array();
    for (const StatusLine& l : lines) {
        w.begin_object().field("module", l.module).field("version", l.version);
        bool has_kernel =
            l.state == StatusLine::State::Built || l.state == StatusLine::State::Installed;
        if (has_kernel)
            w.field("kernel", l.kernel).field("arch", l.arch);
        else
            w.field_null("kernel").field_null("arch");
        const char* state = l.state == StatusLine::State::Added    ? "added"
                            : l.state == StatusLine::State::Broken ? "broken"
                            : l.state == StatusLine::State::Built  ? "built"
                                                                   : "installed";
        w.field("state", state).key("flags").begin_array();
        for (StatusFlag f : l.flags)
            w.value(flag_name(f));
        w.end_array().end_object();
    }
    w.end_array().end_object();
    return w.take();
}

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
                line.flags = built_flags(tree, m, v, k, a, installed);
                line.text =
                    m + "/" + v + ", " + k + ", " + a + ": " + (installed ? "installed" : "built");
                for (StatusFlag f : line.flags)
                    line.text += " (" + std::string(flag_text(f)) + ")";
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
