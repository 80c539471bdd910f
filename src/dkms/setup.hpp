// What DKMS settles before an action runs, in dkms.in's order: the defaults it takes from the
// environment and the running system (uname through exec/, the distribution from os-release),
// the sanity checks after the option loop, and setup_kernels_arches (the kernel/arch pairs an
// action works on: -k/-a, --all, or the running kernel).
#pragma once
#include "dkms/command_line.hpp"
#include "dkms/context.hpp"
#include "dkms/outcome.hpp"
#include "dkms/tree.hpp"

#include <expected>
#include <vector>

namespace modkit::dkms {

// The framework variables DKMS lets the environment set, TMPDIR, the running kernel and
// machine, and the distribution. Fails (exit 4) without /etc/os-release and
// /usr/lib/os-release, as DKMS does for every action.
Outcome load_environment(Context& ctx);

// dkms.in's "Sanity checking": --binaries-only with --source-only (8), -a/-k counts (1), -k or
// -a with --all (2, 3); then the parallel_jobs default (the number of CPUs; "0" means bare -j)
// and, for the kernel_* hooks, exactly one -k (4) and no --all (5).
Outcome check_command_line(Context& ctx, const CommandLine& cmd);

// setup_kernels_arches: the pairs to work on. --all (not for status) takes every kernel the
// module is built for, in `sort -V` order of DKMS's status records; without -k the running
// kernel (not for status); without -a the machine, repeated for every kernel. An empty kernel
// or arch fails with 16.
std::expected<std::vector<KernelArch>, Failure> targets_for(const Context& ctx,
                                                            const CommandLine& cmd);

// GNU `sort -V` order (version sort): digit runs compare as numbers, other characters with
// letters before everything else and '~' first. True when a sorts before b.
bool version_sort_less(std::string_view a, std::string_view b);

} // namespace modkit::dkms
