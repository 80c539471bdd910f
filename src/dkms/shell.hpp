// Running bash for DKMS: dkms.conf files, MAKE commands and package scripts are bash, and
// DKMS evaluates them inside its own bash process, so modkit hands them to a bash child with
// the same variables set. Also the optional private mount namespace that gives each parallel
// build its own view of <dkms_tree>/<m>/<v>/build.
#pragma once
#include "util/error.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modkit::dkms {

// 'text' quoted for bash: a single-quoted word with embedded quotes escaped.
std::string shell_quote(std::string_view text);

// A bash child: `bash --noprofile --norc -c SCRIPT bash ARGS...`.
struct ShellCommand {
    std::string script;
    std::vector<std::string> args; // $1, $2, ...
    std::string cwd;               // "" = the caller's
    // Redirections: -1 leaves the descriptor as the caller's; stdin is /dev/null unless
    // inherit_stdin is set.
    int stdout_fd = -1;
    int stderr_fd = -1;
    bool inherit_stdin = false;
    std::vector<std::pair<std::string, std::string>> set_env;
    // When both are set, the child runs in a private mount namespace in which `bind_source`
    // is bind-mounted over `bind_target` (used to give concurrent builds the same path).
    std::string bind_source;
    std::string bind_target;
    // Called every `tick_seconds` while the command runs (DKMS's progress dots).
    std::function<void()> tick;
    int tick_seconds = 3;
};

// Runs it and waits. The result is the shell's status as bash reports it ($?): the exit
// code, or 128 + signal number.
util::Expected<int> run_shell(const ShellCommand& cmd);

// Like run_shell, capturing stdout (stderr passes through unless redirected).
struct Captured {
    int status = 0;
    std::string out;
};
util::Expected<Captured> capture_shell(const ShellCommand& cmd);

// Whether this process may create mount namespaces (root with CAP_SYS_ADMIN, not inside a
// restricted container). Probed once with a throwaway child.
bool private_mounts_available();

// The environment DKMS gives everything it runs: umask 022, /usr/lib/dkms appended to PATH,
// CC CXX CFLAGS CXXFLAGS LDFLAGS removed. Call once at start-up.
void prepare_dkms_environment();

} // namespace modkit::dkms
