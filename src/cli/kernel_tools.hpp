// The tools that talk to the running kernel - insmod, rmmod, lsmod and kmod's own commands
// (list, static-nodes) - as functions of a kernel::System, so unit tests drive the real
// command-line code against a fake kernel. Each tool's *_main calls these with real_system().
#pragma once

#include "exec/system.hpp"
#include "util/diag.hpp"

#include <string>

namespace modkit::cli {

struct KernelToolEnv {
    exec::System& sys;
    // MODULE_DIRECTORY: <root>/<uname -r> holds modules.builtin.bin and modules.devname.
    std::string module_root = "/lib/modules";
    // Set by `kmod CMD`: the command's getopt carries on from where kmod's stopped, in
    // kmod's "+" (stop at the first non-option) mode, exactly as kmod's tools behave.
    bool continue_getopt = false;
};

int insmod_run(int argc, char** argv, KernelToolEnv& env);
int rmmod_run(int argc, char** argv, KernelToolEnv& env);
int lsmod_run(int argc, char** argv, KernelToolEnv& env);
int static_nodes_run(int argc, char** argv, KernelToolEnv& env);
// `kmod [-h|-V] COMMAND ...`: help, list, static-nodes.
int kmod_run(int argc, char** argv, KernelToolEnv& env);

// kmod's tools start logging at LOG_ERR and each -v adds one level.
inline util::LogLevel verbosity_level(int verbose) {
    int level = static_cast<int>(util::LogLevel::Error) + verbose;
    if (level > static_cast<int>(util::LogLevel::Debug))
        level = static_cast<int>(util::LogLevel::Debug);
    return static_cast<util::LogLevel>(level);
}

} // namespace modkit::cli
