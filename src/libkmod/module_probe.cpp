// Loading and unloading: kmod_module_insert_module and _remove_module carry out one syscall
// through the executor; kmod_module_probe_insert_module asks src/resolve for the probe plan
// (dependencies, soft dependencies, options, install commands, blacklist) and has src/exec carry
// it out, with the caller's print_action and run_install callbacks in place of modprobe's text
// and shell.
#include "exec/kernel_state.hpp"
#include "exec/load.hpp"
#include "exec/probe_exec.hpp"
#include "libkmod/internal.hpp"
#include "libkmod/libkmod.h"
#include "resolve/probe.hpp"

#include <cstring>

namespace modkit::libkmod {

namespace {

util::LogFn sink(kmod_ctx* ctx, const char* fn) {
    return [ctx, fn](util::LogLevel level, const std::string& msg) {
        log_message(ctx, priority_of(level), __FILE_NAME__, __LINE__, fn, msg + "\n");
    };
}

module::ForceFlags force_flags(unsigned flags) {
    module::ForceFlags force;
    force.vermagic = (flags & KMOD_INSERT_FORCE_VERMAGIC) != 0;
    force.modversion = (flags & KMOD_INSERT_FORCE_MODVERSION) != 0;
    return force;
}

int insert(kmod_module* mod, unsigned flags, const char* options) {
    const char* path = kmod_module_get_path(mod);
    if (path == nullptr) {
        KMOD_ERR(mod->ctx, "could not find module by name='" + mod->name + "'\n");
        return -ENOENT;
    }
    int err = exec::insert_module(exec::real_system(), path, options == nullptr ? "" : options,
                                  force_flags(flags), sink(mod->ctx, "kmod_module_insert_module"));
    if (err < 0)
        KMOD_INFO(mod->ctx, std::string("Failed to insert module '") + path +
                                "': " + std::strerror(-err) + "\n");
    return err;
}

int blacklist_code(resolve::BlacklistRule rule) {
    switch (rule) {
    case resolve::BlacklistRule::Alias:
        return KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY;
    case resolve::BlacklistRule::All:
        return KMOD_PROBE_APPLY_BLACKLIST_ALL;
    case resolve::BlacklistRule::Target:
        return KMOD_PROBE_APPLY_BLACKLIST;
    case resolve::BlacklistRule::None:
        break;
    }
    return 0;
}

using RunInstall = int (*)(kmod_module*, const char*, void*);
using PrintAction = void (*)(kmod_module*, bool, const char*);

int probe(kmod_module* mod, unsigned flags, const char* extra_options, RunInstall run_install,
          const void* data, PrintAction print_action) {
    kmod_ctx* ctx = mod->ctx;
    resolve::ProbeFlags pf;
    pf.ignore_commands = (flags & KMOD_PROBE_IGNORE_COMMAND) != 0;
    pf.apply_blacklist = (flags & KMOD_PROBE_APPLY_BLACKLIST) != 0;
    pf.blacklist_aliases = (flags & KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY) != 0;
    pf.blacklist_all = (flags & KMOD_PROBE_APPLY_BLACKLIST_ALL) != 0;
    pf.ignore_loaded = (flags & KMOD_PROBE_IGNORE_LOADED) != 0;
    std::string extra = extra_options == nullptr ? std::string() : extra_options;
    auto plan = resolve::plan_probe(ctx->resolver, mod->id, extra_options ? &extra : nullptr, pf);
    if (!plan) {
        settle(ctx, "kmod_module_probe_insert_module");
        return neg_errno(plan.error());
    }
    // The probe list holds a reference on every module in it while the probe runs.
    std::vector<kmod_module*> held;
    held.reserve(plan->steps.size());
    for (const resolve::ProbeStep& s : plan->steps)
        held.push_back(handle_for(ctx, s.mod));

    exec::ProbeRunOptions opt;
    opt.dry_run = (flags & KMOD_PROBE_DRY_RUN) != 0;
    opt.ignore_loaded = pf.ignore_loaded;
    opt.first_time = (flags & KMOD_PROBE_FAIL_ON_LOADED) != 0;
    opt.force_vermagic = (flags & KMOD_PROBE_FORCE_VERMAGIC) != 0;
    opt.force_modversion = (flags & KMOD_PROBE_FORCE_MODVERSION) != 0;
    opt.blacklisted_result = blacklist_code(plan->blacklist_rule);
    auto handle = [&](const resolve::ProbeStep& s) { return ctx->handles[s.mod]; };
    exec::Effects fx{exec::real_system(), exec::run_shell_command, [](std::string_view) {},
                     sink(ctx, "kmod_module_probe_insert_module")};
    if (print_action != nullptr)
        fx.print_action = [&](const resolve::ProbeStep& s, bool install) {
            print_action(handle(s), install, s.options.c_str());
        };
    if (run_install != nullptr)
        fx.run_install = [&](const resolve::ProbeStep& s, const std::string& cmdline) {
            return run_install(handle(s), cmdline.c_str(), const_cast<void*>(data));
        };
    int err = exec::run_probe(ctx->resolver, *plan, opt, fx);
    // Handles take their dependency references before the probe list lets go of its own.
    settle(ctx, "kmod_module_probe_insert_module");
    for (kmod_module* h : held)
        module_unref(h);
    return err;
}

} // namespace

} // namespace modkit::libkmod

using namespace modkit;
using namespace modkit::libkmod;

extern "C" {

int kmod_module_insert_module(kmod_module* mod, unsigned int flags, const char* options) {
    if (mod == nullptr) return -ENOENT;
    return guard(-ENOMEM, [&] { return insert(mod, flags, options); });
}

int kmod_module_remove_module(kmod_module* mod, unsigned int flags) {
    if (mod == nullptr) return -ENOENT;
    return guard(-ENOMEM, [&] {
        unsigned kflags = 0;
        if (flags & KMOD_REMOVE_FORCE) kflags |= exec::k_remove_force;
        if (flags & KMOD_REMOVE_NOLOG) kflags |= exec::k_remove_nolog;
        return exec::remove_module(exec::real_system(), mod->name, kflags,
                                   sink(mod->ctx, "kmod_module_remove_module"));
    });
}

int kmod_module_probe_insert_module(
    kmod_module* mod, unsigned int flags, const char* extra_options,
    int (*run_install)(kmod_module* m, const char* cmdline, void* data), const void* data,
    void (*print_action)(kmod_module* m, bool install, const char* options)) {
    if (mod == nullptr) return -ENOENT;
    return guard(-ENOMEM,
                 [&] { return probe(mod, flags, extra_options, run_install, data, print_action); });
}

} // extern "C"
