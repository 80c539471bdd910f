// DKMS's invoke_command, the way every long step is shown (patches, package build scripts,
// make, depmod, post_transaction). Without --verbose: "<description>...", a dot every three
// seconds while the command runs, then " done." or "(bad exit status: N)" followed by
// "Failed command:" and the command. With --verbose: the command instead of the description,
// no dots. The text is written as it happens, not when the step ends.
#pragma once
#include "dkms/report.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace modkit::dkms {

struct Invocation {
    std::string command;     // shown with --verbose and after "Failed command:"
    std::string description; // "Building module(s)"
};

// Called by the step while it waits, every three seconds.
using Tick = std::function<void()>;

// Announces `what`, runs `run` (which returns the step's exit status), reports the outcome
// and returns the status.
int invoke(const Invocation& what, bool verbose, Report& report,
           const std::function<int(const Tick& tick)>& run);

// The block invoke_command writes around a command's output in a log (make.log,
// post_transaction.log): a blank line, the description and "# command: ..." before;
// "# exit code: N", "# elapsed time: HH:MM:SS" and a rule after.
std::string log_block_head(const Invocation& what);
std::string log_block_tail(int status, std::chrono::steady_clock::duration elapsed);

} // namespace modkit::dkms
