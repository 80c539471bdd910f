// run_build_script: where the script is, whether it may run, and the two ways DKMS runs it.
#include "dkms/scripts.hpp"

#include "dkms/invoke.hpp"
#include "dkms/shell.hpp"
#include "util/diag.hpp"

#include <chrono>
#include <unistd.h>

namespace modkit::dkms {

namespace {

bool is_build_script(ScriptKind kind) {
    return kind == ScriptKind::PreBuild || kind == ScriptKind::PostBuild;
}

// A logged build script: invoke_command "cd $run_dir/ && $run" in make.log.
int run_logged(const ScriptRun& run, const std::string& dir, const std::string& path, bool verbose,
               Report& report) {
    Invocation what{"cd " + dir + "/ && " + path,
                    std::string("Running the ") + script_name(run.kind) + " script"};
    int rc = invoke(what, verbose, report, [&](const Tick& tick) {
        util::write_all(run.log_fd, log_block_head(what));
        auto start = std::chrono::steady_clock::now();
        ShellCommand cmd;
        cmd.script = "eval \"$1\"";
        cmd.args = {what.command};
        cmd.stdout_fd = run.log_fd;
        cmd.stderr_fd = run.log_fd;
        cmd.tick = tick;
        if (!run.bind_source.empty()) {
            cmd.bind_source = run.bind_source;
            cmd.bind_target = dir;
        }
        auto status = run_shell(cmd);
        int code = status ? *status : 126;
        util::write_all(run.log_fd, log_block_tail(code, std::chrono::steady_clock::now() - start));
        return code;
    });
    if (rc != 0) report.out("Consult " + run.log_path + " for more information.\n");
    return rc;
}

} // namespace

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

int run_package_script(const Context& ctx, const ScriptRun& run, Report& report) {
    if (run.command.empty()) return 0;
    Tree tree{ctx};
    bool build = is_build_script(run.kind);
    std::string dir =
        build ? tree.build_dir(run.module, run.version) : tree.source_link(run.module, run.version);
    std::string first_word = run.command.substr(0, run.command.find(' '));
    std::string override_dir = ctx.framework_dir + "/" + run.module;
    if (access((override_dir + "/" + first_word).c_str(), X_OK) == 0) dir = override_dir;
    bool in_build_view = build && dir != override_dir && !run.bind_source.empty();
    std::string path = dir + "/" + run.command;
    std::string check = dir + "/" + first_word;
    // The executable check sees what the script will see: with a private build view, the
    // file lives under bind_source.
    if (in_build_view) check = run.bind_source + "/" + first_word;
    const char* name = script_name(run.kind);
    if (access(check.c_str(), X_OK) != 0) {
        report.out("\n");
        report.warning({std::string("The ") + name + " script is not executable."});
        return 0;
    }
    if (run.log_fd >= 0) {
        ScriptRun logged = run;
        if (!in_build_view) logged.bind_source.clear();
        return run_logged(logged, dir, path, ctx.verbose, report);
    }
    report.out(std::string("Running the ") + name + " script:\n");
    ShellCommand cmd;
    cmd.script = "cd \"$1/\" || exit 15\nexec $2";
    cmd.args = {dir, path};
    report.hand_terminal_to_child(true);
    auto status = run_shell(cmd);
    report.hand_terminal_to_child(false);
    return status ? *status : 126;
}

} // namespace modkit::dkms
