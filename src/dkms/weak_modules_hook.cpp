// The weak-modules step of install and uninstall: plan, links, depmod of the changed kernels.
#include "dkms/weak_modules_hook.hpp"

#include "abi/weak_modules.hpp"
#include "depmod/depmod.hpp"
#include "exec/weak_updates.hpp"
#include "util/strings.hpp"

namespace modkit::dkms {

bool distribution_uses_weak_modules(const Context& ctx) {
    const std::string& d = ctx.running_distribution;
    for (std::string_view family :
         {"rhel", "centos", "rocky", "almalinux", "ol", "suse", "sles", "opensuse"})
        if (util::starts_with(d, family)) return true;
    return false;
}

void run_weak_modules(const Context& ctx, bool no_weak_modules,
                      const std::vector<std::string>& modules, WeakAction action, Report& report) {
    if (no_weak_modules || modules.empty() || !distribution_uses_weak_modules(ctx)) return;
    // The system root the install tree belongs to: /lib/modules -> /, X/lib/modules -> X.
    std::string root = ctx.install_tree;
    for (std::string_view tail : {"/usr/lib/modules", "/lib/modules"})
        if (root.ends_with(tail)) {
            root.resize(root.size() - tail.size());
            break;
        }
    if (root.empty()) root = "/";
    abi::WeakOptions o;
    o.root = root;
    if (action == WeakAction::Remove) o.excluded_modules.insert(modules.begin(), modules.end());
    abi::WeakPlan plan = abi::plan_weak_updates(abi::installed_kernels(root), o);
    std::vector<std::pair<std::string, std::string>> add;
    for (const auto& l : plan.add)
        add.emplace_back(l.target, l.link);
    auto done = exec::apply_weak_links(add, plan.remove, {});
    if (!done) {
        report.err("Warning: weak-modules: " + done.error().describe() + "\n");
        return;
    }
    for (const auto& k : plan.kernels) {
        depmod::DepmodOptions opt;
        opt.basedir = root == "/" ? "" : root;
        opt.kernel_version = k;
        depmod::DepmodSink sink;
        sink.message = [&](const config::Diagnostic& d) {
            if (d.level <= util::LogLevel::Warning) report.err("depmod: " + d.message + "\n");
        };
        sink.out = [](std::string_view) {};
        depmod::run_depmod(opt, sink);
    }
}

} // namespace modkit::dkms
