// What every action shares: running under the tree lock (after rolling back what a killed
// command left), and printing a failure where it happens when the action goes on to the next
// kernel or module (DKMS dies inside a subshell there; the exit status is the last one's).
#pragma once
#include "dkms/context.hpp"
#include "dkms/outcome.hpp"
#include "dkms/report.hpp"
#include "dkms/transaction.hpp"

namespace modkit::dkms {

template <class Fn>
Outcome locked(const Context& ctx, Report& report, MissingTree missing, Fn&& fn) {
    auto lock = TreeLock::acquire(ctx, report, missing);
    if (!lock) return die(exit_code::k_generic, {lock.error().describe()});
    if (auto r = recover(ctx, report); !r) return die(exit_code::k_generic, {r.error().describe()});
    return fn();
}

// Prints `o`'s lines now (DKMS's "Error!" or "Warning:") and keeps only its exit code.
inline Outcome reported(Outcome o, Report& report) {
    if (o || o.error().lines.empty()) return o;
    if (o.error().warning)
        report.warning(o.error().lines);
    else
        report.error(o.error().lines);
    return die(o.error().code, {});
}

} // namespace modkit::dkms
