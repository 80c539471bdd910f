// Carrying out a probe plan: the loop of kmod_module_probe_insert_module, with its checks of
// the running kernel, its printing of actions (-v, -n, -D) and its error rules. This and
// exec/remove_exec are the only places modprobe changes the system; all of it goes through
// the System and a command runner, so tests can substitute both.
#pragma once

#include "exec/system.hpp"
#include "resolve/probe.hpp"
#include "util/diag.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace modkit::exec {

struct ProbeRunOptions {
    bool dry_run = false;          // -n, -D
    bool show = false;             // print "insmod/install/builtin" lines (-v, -D)
    bool ignore_loaded = false;    // -D
    bool first_time = false;       // --first-time
    bool force_vermagic = false;   // --force-vermagic / -f
    bool force_modversion = false; // --force-modversion / -f
    int blacklisted_result = 1;    // what a blacklisted target returns (libkmod: the rule's flag)
};

// What executing needs from the outside world.
struct Effects {
    System& system;
    // Runs a shell command with MODPROBE_MODULE=module; returns system()'s status.
    std::function<int(const std::string& command, const std::string& module)> run_command;
    std::function<void(std::string_view)> out; // stdout
    util::LogFn log;                           // libkmod-level messages
    // True once the caller wants nothing more done (modprobe after a FATAL message, where
    // kmod's modprobe exits); empty: never. Checked after every step.
    std::function<bool()> halted = {};
    // libkmod's callbacks. print_action, when set, is told of every action (dry run or not)
    // instead of the tools' text; run_install, when set, runs install commands instead of
    // run_command and its result is the step's result.
    std::function<void(const resolve::ProbeStep&, bool install)> print_action = {};
    std::function<int(const resolve::ProbeStep&, const std::string& cmdline)> run_install = {};

    bool stop() const { return halted && halted(); }
};

// Returns 0 on success, > 0 when the target was skipped on purpose (blacklisted), -errno on
// failure, exactly as libkmod does.
int run_probe(resolve::Resolver& r, const resolve::ProbePlan& plan, const ProbeRunOptions& opt,
              Effects& fx);

// Whether a module counts as in the kernel (live or built in), as modprobe decides it.
bool in_kernel(resolve::Resolver& r, resolve::ModId id, System& sys, const util::LogFn& log = {});

// Runs `command` through /bin/sh -c with MODPROBE_MODULE set: the default command runner.
int run_shell_command(const std::string& command, const std::string& module);

// $CMDLINE_OPTS replaced by `options`, everywhere in `command`.
std::string substitute_cmdline_opts(const std::string& command, const std::string& options);

} // namespace modkit::exec
