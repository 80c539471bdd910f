// run_probe(): the execution half of kmod_module_probe_insert_module.
#include "exec/probe_exec.hpp"

#include "exec/kernel_state.hpp"
#include "exec/load.hpp"

#include <cstdlib>
#include <cstring>
#include <sys/wait.h>

namespace modkit::exec {

using resolve::ModId;
using resolve::StepKind;

bool in_kernel(resolve::Resolver& r, ModId id, System& sys, const util::LogFn& log) {
    auto builtin = r.is_builtin(id);
    if (builtin && *builtin) return true;
    auto state = exec::initstate(sys, r.get(id).name, log);
    return state && *state == InitState::Live;
}

std::string substitute_cmdline_opts(const std::string& command, const std::string& options) {
    static constexpr std::string_view k_var = "$CMDLINE_OPTS";
    std::string out = command;
    // kmod searches again from the start after each replacement (a replacement can complete a
    // new occurrence with the text after it). When the options hold the variable themselves
    // that never ends, so then each occurrence is replaced once, left to right.
    const bool rescan = options.find(k_var) == std::string::npos;
    for (size_t at = out.find(k_var); at != std::string::npos;
         at = out.find(k_var, rescan ? 0 : at + options.size()))
        out.replace(at, k_var.size(), options);
    return out;
}

int run_shell_command(const std::string& command, const std::string& module) {
    setenv("MODPROBE_MODULE", module.c_str(), 1);
    int status = std::system(command.c_str());
    unsetenv("MODPROBE_MODULE");
    return status;
}

namespace {

// libkmod's module_do_install_commands + command_do.
int run_install(const resolve::ProbeStep& s, Effects& fx) {
    std::string cmd = substitute_cmdline_opts(s.install->command, s.options);
    if (fx.run_install) return fx.run_install(s, cmd);
    int status = fx.run_command(cmd, s.name);
    if (status == -1) {
        fx.log(util::LogLevel::Error, "Could not run install command '" + cmd + "' for module " +
                                          s.name + ": " + std::strerror(errno));
        return -EINVAL;
    }
    if (WEXITSTATUS(status) != 0) {
        fx.log(util::LogLevel::Error, "Error running install command '" + cmd + "' for module " +
                                          s.name + ": retcode " +
                                          std::to_string(WEXITSTATUS(status)));
        return -EINVAL;
    }
    return 0;
}

void print_action(const resolve::ProbeStep& s, Effects& fx) {
    switch (s.kind) {
    case StepKind::Install:
        fx.out("install " + s.install->command + " " + s.options + "\n");
        break;
    case StepKind::Insmod:
        fx.out("insmod " + s.path + " " + s.options + "\n");
        break;
    case StepKind::Builtin:
        fx.out("builtin " + s.name + "\n");
        break;
    case StepKind::Missing:
        break; // an alias with nothing behind it: kmod prints nothing
    }
}

} // namespace

int run_probe(resolve::Resolver& r, const resolve::ProbePlan& plan, const ProbeRunOptions& opt,
              Effects& fx) {
    if (!opt.ignore_loaded && in_kernel(r, plan.target, fx.system, fx.log))
        return opt.first_time ? -EEXIST : 0;
    if (plan.blacklisted) return opt.blacklisted_result; // skipped on purpose

    int err = 0;
    for (const resolve::ProbeStep& s : plan.steps) {
        if (!opt.ignore_loaded && in_kernel(r, s.mod, fx.system, fx.log)) {
            err = -EEXIST;
        } else {
            if (fx.print_action)
                fx.print_action(s, s.kind == StepKind::Install);
            else if (opt.show)
                print_action(s, fx);
            if (!opt.dry_run) {
                if (s.kind == StepKind::Install) {
                    err = run_install(s, fx);
                } else if (s.kind == StepKind::Insmod) {
                    module::ForceFlags force{opt.force_vermagic, opt.force_modversion};
                    err = insert_module(fx.system, s.path, s.options, force, fx.log);
                    if (err < 0)
                        fx.log(util::LogLevel::Info,
                               "Failed to insert module '" + s.path + "': " + std::strerror(-err));
                } else {
                    fx.log(util::LogLevel::Error, "could not find module by name='" + s.name + "'");
                    err = -ENOENT;
                }
            }
        }
        // "Already loaded" is not an error, unless the target itself and --first-time; errors
        // of modules that are only soft dependencies are ignored.
        if (err == -EEXIST && s.is_target && opt.first_time) break;
        if (err == -EEXIST || !s.required)
            err = 0;
        else if (err < 0)
            break;
    }
    return err;
}

} // namespace modkit::exec
