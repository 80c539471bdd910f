// The action table (dkms.in's final `case "$action"`): for each action, the checks DKMS makes
// before it runs (module/version given, not broken, added, root or a writable tree, one kernel,
// no --all) and the action itself. The CLI parses, calls run_command and prints.
#pragma once
#include "dkms/command_line.hpp"
#include "dkms/context.hpp"
#include "dkms/outcome.hpp"
#include "dkms/report.hpp"

namespace modkit::dkms {

// Runs `cmd.action` (which must satisfy is_action) with the targets setup_kernels_arches gives.
Outcome run_command(Context& ctx, const CommandLine& cmd, Report& report);

} // namespace modkit::dkms
