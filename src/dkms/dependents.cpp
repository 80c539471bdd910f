// check_and_rebuild_dependent_modules and check_dependencies_updated, over the tree.
#include "dkms/dependents.hpp"

#include "dkms/action_support.hpp"
#include "dkms/build.hpp"
#include "dkms/install.hpp"
#include "dkms/setup.hpp"
#include "util/atomic_file.hpp"
#include "util/mapped_file.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace modkit::dkms {

namespace {

struct Dependent {
    std::string module, version;
    std::vector<std::string> depends;
};

std::optional<DkmsConf> quiet_conf(const Context& ctx, const Tree& tree, const std::string& m,
                                   const std::string& v, const KernelArch& t, Report& report) {
    ConfRequest cr{m, v, tree.source_link(m, v) + "/dkms.conf", make_target(ctx, t.kernel, t.arch),
                   false};
    auto conf = read_conf(ctx, cr, report);
    if (!conf) return std::nullopt;
    return std::move(*conf);
}

// check_dependencies_updated: a dependency built now whose version differs from the recorded
// one, or has no record.
bool dependencies_updated(const Tree& tree, const Dependent& d, const KernelArch& t) {
    std::string dir = tree.built_dir(d.module, d.version, t.kernel, t.arch);
    for (const auto& dep : d.depends) {
        std::string now = newest_built_version(tree, dep, t);
        if (now.empty()) continue;
        auto recorded = util::read_file(dir + "/.dep_" + dep);
        if (!recorded || std::string(util::trim(*recorded)) != now) return true;
    }
    return false;
}

} // namespace

std::string newest_built_version(const Tree& tree, const std::string& dependency,
                                 const KernelArch& target) {
    std::vector<std::string> versions;
    for (const auto& v : tree.versions(dependency))
        if (tree.is_added(dependency, v) &&
            tree.is_built(dependency, v, target.kernel, target.arch))
            versions.push_back(v);
    std::sort(versions.begin(), versions.end(),
              [](const std::string& a, const std::string& b) { return version_sort_less(a, b); });
    return versions.empty() ? std::string() : versions.back();
}

void record_dependency_versions(const Context& ctx, const DkmsConf& conf,
                                const std::string& built_dir, const KernelArch& target) {
    if (!conf.build_depends_rebuild || ctx.force) return;
    Tree tree{ctx};
    for (const auto& dep : conf.build_depends) {
        std::string v = newest_built_version(tree, dep, target);
        if (!v.empty()) (void)util::write_file_atomic(built_dir + "/.dep_" + dep, v + "\n");
    }
}

void rebuild_dependents(const Context& ctx, const KernelArch& t, Report& report) {
    if (ctx.force) return;
    Tree tree{ctx};
    std::vector<Dependent> todo;
    for (const auto& m : tree.modules())
        for (const auto& v : tree.versions(m)) {
            if (!tree.is_added(m, v) || !tree.is_built(m, v, t.kernel, t.arch)) continue;
            auto conf = quiet_conf(ctx, tree, m, v, t, report);
            if (!conf || conf->build_depends.empty() || !conf->build_depends_rebuild) continue;
            Dependent d{m, v, conf->build_depends};
            if (dependencies_updated(tree, d, t)) todo.push_back(std::move(d));
        }
    // DKMS rebuilds a package when one of its dependencies is *not* among those rebuilt so far,
    // which on the first pass is every package (dkms.in's test is inverted).
    std::vector<std::string> rebuilt;
    for (bool progress = true; progress && !todo.empty();) {
        progress = false;
        std::vector<Dependent> next;
        for (auto& d : todo) {
            bool all_rebuilt = std::all_of(d.depends.begin(), d.depends.end(), [&](auto& dep) {
                return std::find(rebuilt.begin(), rebuilt.end(), dep) != rebuilt.end();
            });
            if (all_rebuilt) {
                next.push_back(std::move(d));
                continue;
            }
            report.out("\nRebuilding module " + d.module + "/" + d.version +
                       " due to updated dependencies\n\n");
            (void)reported(uninstall_one(ctx, d.module, d.version, t, report, Depmod::Now), report);
            unbuild_one(ctx, d.module, d.version, t);
            if (reported(build_one(ctx, {d.module, d.version, t}, report), report)) {
                (void)reported(install_built(ctx, d.module, d.version, t, report), report);
                rebuilt.push_back(d.module);
                progress = true;
            }
        }
        todo = std::move(next);
    }
    if (!todo.empty()) {
        report.out(
            "Warning: The following modules could not be rebuilt due to dependency cycles:\n");
        for (const auto& d : todo)
            report.out("  " + d.module + "/" + d.version + "\n");
    }
}

} // namespace modkit::dkms
