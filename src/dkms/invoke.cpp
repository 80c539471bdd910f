// invoke(): the announcement, the progress dots and the outcome line of dkms.in's
// invoke_command.
#include "dkms/invoke.hpp"

#include <cstdio>

namespace modkit::dkms {

int invoke(const Invocation& what, bool verbose, Report& report,
           const std::function<int(const Tick& tick)>& run) {
    report.out(verbose ? what.command + "\n" : what.description + "...");
    Tick tick;
    if (!verbose) tick = [&report] { report.out("."); };
    int status = run(tick);
    if (status > 0) {
        report.out("(bad exit status: " + std::to_string(status) + ")");
        if (!verbose) report.out("\nFailed command:\n" + what.command + "\n");
    } else {
        report.out(" done.\n");
    }
    return status;
}

std::string log_block_head(const Invocation& what) {
    return "\n" + what.description + "\n# command: " + what.command + "\n";
}

std::string log_block_tail(int status, std::chrono::steady_clock::duration elapsed) {
    long s = static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count());
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    return "\n# exit code: " + std::to_string(status) + "\n# elapsed time: " + buf + "\n" +
           std::string(64, '-') + "\n";
}

} // namespace modkit::dkms
