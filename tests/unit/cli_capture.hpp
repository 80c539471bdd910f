// Runs a tool's entry function the way the command line would and captures what it prints:
// stdout (util::Output) and stderr (util::Diag) are redirected at the descriptor level, so the
// bytes are exactly what a user would see. Diag's global state is restored afterwards.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace modkit::test {

struct CliResult {
    int rc = -1;
    std::string out;
    std::string err;
};

// Calls `entry(argc, argv)` with argv = args (args[0] is the program as typed) and the
// diagnostics program name `program`.
CliResult run_cli(const std::string& program, std::vector<std::string> args,
                  const std::function<int(int, char**)>& entry);

} // namespace modkit::test
