// Carrying out a load list (resolve/load_list.hpp), the way systemd-modules-load handles each
// entry (module_load_and_warn: built in, already loaded, or probed with the blacklist applied),
// on up to `jobs` threads. An entry waits for an earlier entry only where their plans share a
// module, and only until that entry is done with it, so every entry sees what it would have seen
// one by one. Results are returned per entry, in entry order, whatever the threads did.
#pragma once

#include "exec/system.hpp"
#include "resolve/load_list.hpp"
#include "util/diag.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace modkit::exec {

enum class LoadResult {
    BuiltIn,       // "Module '%s' is built in"
    AlreadyLoaded, // live before this entry touched it (logged at debug level only)
    Inserted,      // "Inserted module '%s'"
    Blacklisted,   // "Module '%s' is deny-listed"
    Failed,        // "Failed to insert module '%s': %m"
};

struct TargetOutcome {
    LoadResult result = LoadResult::Failed;
    int err = 0; // -errno for Failed
    // What libkmod logs at error level while probing (install commands that fail, modules
    // that cannot be found), in order, before the outcome line.
    std::vector<std::pair<util::LogLevel, std::string>> log;
};

struct ItemOutcome {
    std::vector<TargetOutcome> targets; // one per LoadItem::targets
};

struct LoadListOptions {
    unsigned jobs = 1; // 1: one entry after another, on the calling thread
    // Runs an install command with MODPROBE_MODULE=module and returns system()'s status; it
    // must be safe to call from several threads. Empty: spawn_shell_command.
    std::function<int(const std::string& command, const std::string& module)> run_command;
};

// /bin/sh -c COMMAND with MODPROBE_MODULE=module in its environment, without changing this
// process's environment (so threads can run commands at once); the wait status, -1 if it
// could not be started.
int spawn_shell_command(const std::string& command, const std::string& module);

std::vector<ItemOutcome> run_load_list(const std::vector<resolve::LoadItem>& items, System& sys,
                                       const LoadListOptions& options);

} // namespace modkit::exec
