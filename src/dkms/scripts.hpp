// Package scripts (POST_ADD, PRE_BUILD, POST_BUILD, PRE_INSTALL, POST_INSTALL, POST_REMOVE):
// a command line whose first word is a path relative to the package's source/ or build/
// directory, run from there with `exec $run` as DKMS does.
#pragma once
#include "dkms/report.hpp"
#include "dkms/tree.hpp"

#include <string>

namespace modkit::dkms {

enum class ScriptKind { PostAdd, PreBuild, PostBuild, PreInstall, PostInstall, PostRemove };

struct ScriptRun {
    ScriptKind kind;
    std::string command; // the directive's value; "" = nothing to run
    std::string module, version;
    int output_fd = -1;      // build scripts write to make.log; -1 = the terminal
    std::string bind_source; // a private view of build/ (see shell.hpp)
};

// DKMS's name for the script ("post_add", "pre_build"...).
const char* script_name(ScriptKind kind);

// Runs it. Returns its exit status (0 when there is nothing to run, or when it is not
// executable: DKMS then only warns).
int run_package_script(const Tree& tree, const ScriptRun& run, Report& report);

} // namespace modkit::dkms
