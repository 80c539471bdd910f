// Package scripts (POST_ADD, PRE_BUILD, POST_BUILD, PRE_INSTALL, POST_INSTALL, POST_REMOVE), as
// dkms.in's run_build_script runs them: a command line whose first word is a path relative to
// the package's build/ (PRE_BUILD, POST_BUILD) or source/ directory, or to /etc/dkms/<module>/
// when an executable of that name is there (DKMS 3.4.0); a first word that is not executable is
// only warned about. Build scripts are eval'd (shell quoting applies) with their output in
// make.log, announced like make ("Running the pre_build script... done."); the others are
// word-split and run with their output on the terminal after "Running the X script:".
#pragma once
#include "dkms/context.hpp"
#include "dkms/report.hpp"
#include "dkms/tree.hpp"

#include <string>

namespace modkit::dkms {

enum class ScriptKind { PostAdd, PreBuild, PostBuild, PreInstall, PostInstall, PostRemove };

struct ScriptRun {
    ScriptKind kind;
    std::string command; // the directive's value; "" = nothing to run
    std::string module, version;
    int log_fd = -1;         // build scripts: make.log, where the output goes
    std::string log_path;    // build scripts: make.log as the user sees it
    std::string bind_source; // a private view of build/ (see shell.hpp)
};

// DKMS's name for the script ("post_add", "pre_build"...).
const char* script_name(ScriptKind kind);

// Runs it. Returns its exit status (0 when there is nothing to run, or when it is not
// executable). A failed build script has printed "Consult <make.log> for more information.";
// DKMS then exits with its status.
int run_package_script(const Context& ctx, const ScriptRun& run, Report& report);

} // namespace modkit::dkms
