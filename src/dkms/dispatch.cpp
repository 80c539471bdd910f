// One entry per action: its checks, in dkms.in's order, then the action from actions.hpp.
#include "dkms/dispatch.hpp"

#include "dkms/actions.hpp"
#include "dkms/add.hpp"
#include "dkms/depmod_step.hpp"
#include "dkms/package.hpp"
#include "dkms/setup.hpp"

#include <unistd.h>

namespace modkit::dkms {

namespace {

using Check = Outcome;

Check root(const std::string& why = "") {
    if (geteuid() == 0) return {};
    return die(exit_code::k_generic, {"You must be root to use this command" + why + "."});
}

Check writable_tree(const Context& ctx) {
    if (make_tree_writable(ctx)) return {};
    return die(exit_code::k_generic, {"No write access to DKMS tree at " + ctx.dkms_tree});
}

Check no_all(const Context& ctx, const std::string& action) {
    if (!ctx.all) return {};
    return die(exit_code::k_banned,
               {"The action " + action + " does not support the --all parameter."});
}

// have_one_kernel: no --all, exactly one kernel.
Check one_kernel(const Context& ctx, const std::string& action, const Selection& sel) {
    if (auto r = no_all(ctx, action); !r) return r;
    if (sel.targets.size() == 1) return {};
    return die(exit_code::k_one_kernel, {"The action " + action +
                                         " does not support multiple kernel version parameters "
                                         "on the command line."});
}

// module_is_broken_and_die.
Check not_broken(const Context& ctx, const Selection& sel) {
    if (!Tree{ctx}.is_broken(sel.module, sel.version)) return {};
    return die(exit_code::k_broken, {sel.module + "/" + sel.version + " is broken!",
                                     "Missing the source directory or the symbolic link "
                                     "pointing to it.",
                                     "Manual intervention is required!"});
}

Check added(const Context& ctx, const Selection& sel) {
    if (Tree{ctx}.is_added(sel.module, sel.version)) return {};
    return die(exit_code::k_exists, {"The module/version combo: " + sel.module + "/" + sel.version +
                                     " is not located in the DKMS tree."});
}

// remove, unbuild, uninstall.
Outcome take_away(Context& ctx, const std::string& action, const Selection& sel, Report& report) {
    if (auto r = check_module_args(action, sel.module, sel.version); !r) return r;
    if (auto r = not_broken(ctx, sel); !r) return r;
    if (auto r = added(ctx, sel); !r) return r;
    if (auto r = action == "uninstall" ? root() : writable_tree(ctx); !r) return r;
    Outcome o = action == "remove"    ? remove_action(ctx, sel, report)
                : action == "unbuild" ? unbuild_action(ctx, sel, report)
                                      : uninstall_action(ctx, sel, report);
    if (o) run_post_transaction(ctx, sel.targets.empty() ? "" : sel.targets[0].kernel, report);
    return o;
}

// add, build, install.
Outcome bring_in(Context& ctx, const std::string& action, Selection& sel, Report& report) {
    if (auto r = no_all(ctx, action); !r) return r;
    if (action != "add")
        if (auto r = not_broken(ctx, sel); !r) return r;
    if (auto r = action == "install" ? root() : writable_tree(ctx); !r) return r;
    if (action == "build") return build_action(ctx, sel, report);
    if (action == "install") {
        Outcome o = install_action(ctx, sel, report);
        if (o) run_post_transaction(ctx, sel.targets[0].kernel, report);
        return o;
    }
    if (!ctx.archive_location.empty() && sel.module.empty() && sel.version.empty())
        return ldtarball_action(ctx, sel, report);
    AddRequest req{sel.module, sel.version, sel.targets[0].kernel, sel.targets[0].arch,
                   sel.source_path};
    return add_module(ctx, req, report);
}

Outcome kernel_hook(Context& ctx, const std::string& action, const Selection& sel, Report& report) {
    if (action == "autoinstall")
        if (auto r = one_kernel(ctx, action, sel); !r) return r;
    if (auto r = root(); !r) return r;
    if (action == "autoinstall") return autoinstall_action(ctx, sel.targets, report);
    if (action == "kernel_postinst") return kernel_postinst_action(ctx, sel.targets[0], report);
    if (action == "kernel_preinst") return kernel_preinst_action(ctx, sel.targets[0], report);
    return kernel_prerm_action(ctx, sel.targets[0], report);
}

} // namespace

Outcome run_command(Context& ctx, const CommandLine& cmd, Report& report) {
    auto targets = targets_for(ctx, cmd);
    if (!targets) return std::unexpected(targets.error());
    Selection sel{cmd.module, cmd.version, std::move(*targets), cmd.source_path};
    const std::string& action = cmd.action;
    if (ctx.json && action != "status")
        return die(exit_code::k_usage,
                   {"--json is for status only: " + action + " acts and has nothing to answer."});
    if (action == "remove" || action == "unbuild" || action == "uninstall")
        return take_away(ctx, action, sel, report);
    if (action == "add" || action == "build" || action == "install")
        return bring_in(ctx, action, sel, report);
    if (action == "autoinstall" || action == "kernel_postinst" || action == "kernel_preinst" ||
        action == "kernel_prerm")
        return kernel_hook(ctx, action, sel, report);
    if (action == "match") {
        if (auto r = root(); !r) return r;
        if (auto r = one_kernel(ctx, action, sel); !r) return r;
        return match_action(ctx, sel, report);
    }
    if (action == "mktarball") {
        if (auto r = check_module_args(action, sel.module, sel.version); !r) return r;
        if (auto r = not_broken(ctx, sel); !r) return r;
        if (auto r = added(ctx, sel); !r) return r;
        return mktarball_action(ctx, sel, report);
    }
    if (action == "ldtarball") {
        if (ctx.force)
            if (auto r = root(" with the --force option"); !r) return r;
        return ldtarball_action(ctx, sel, report);
    }
    if (action == "generate_mok") return generate_mok_action(ctx, report);
    if (auto kind = package_kind(action)) { // mkbmdeb, mkdeb, mkdsc, mkrpm (DKMS 2.8's)
        if (auto r = check_module_args(action, sel.module, sel.version); !r) return r;
        if (auto r = added(ctx, sel); !r) return r;
        if (auto r = writable_tree(ctx); !r) return r;
        return package_action(ctx, *kind, sel, report);
    }
    StatusFilter filter{sel.module, sel.version, "", ""};
    status_action(ctx, filter, sel.targets, report);
    return {};
}

} // namespace modkit::dkms
