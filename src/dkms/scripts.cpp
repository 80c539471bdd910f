// run_build_script, as in dkms.in: the first word must be executable, else a warning.
#include "dkms/scripts.hpp"

#include "dkms/shell.hpp"

#include <unistd.h>

namespace modkit::dkms {

const char* script_name(ScriptKind kind) {
    switch (kind) {
    case ScriptKind::PostAdd:
        return "post_add";
    case ScriptKind::PreBuild:
        return "pre_build";
    case ScriptKind::PostBuild:
        return "post_build";
    case ScriptKind::PreInstall:
        return "pre_install";
    case ScriptKind::PostInstall:
        return "post_install";
    case ScriptKind::PostRemove:
        return "post_remove";
    }
    return "script";
}

int run_package_script(const Tree& tree, const ScriptRun& run, Report& report) {
    if (run.command.empty()) return 0;
    bool in_build = run.kind == ScriptKind::PreBuild || run.kind == ScriptKind::PostBuild;
    std::string dir = in_build ? tree.build_dir(run.module, run.version)
                               : tree.source_link(run.module, run.version);
    std::string path = dir + "/" + run.command;
    std::string first = path.substr(0, path.find(' '));
    const char* name = script_name(run.kind);
    // The executable check sees what the script will see: with a private build view, the
    // file lives under bind_source.
    std::string check = first;
    if (in_build && !run.bind_source.empty()) check = run.bind_source + first.substr(dir.size());
    if (access(check.c_str(), X_OK) != 0) {
        report.out("\n");
        report.warning({std::string("The ") + name + " script is not executable."});
        return 0;
    }
    if (run.output_fd < 0) report.out(std::string("\nRunning the ") + name + " script:\n");
    ShellCommand cmd;
    cmd.script = "cd \"$1\" || exit 15\nexec $2";
    cmd.args = {dir, path};
    cmd.stdout_fd = run.output_fd;
    cmd.stderr_fd = run.output_fd;
    if (in_build && !run.bind_source.empty()) {
        cmd.bind_source = run.bind_source;
        cmd.bind_target = dir;
    }
    auto status = run_shell(cmd);
    return status ? *status : 126;
}

} // namespace modkit::dkms
