// depmod through the library (no child process), and post_transaction through bash.
#include "dkms/depmod_step.hpp"

#include "depmod/depmod.hpp"
#include "dkms/shell.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::dkms {

bool run_depmod_step(const Context& ctx, const std::string& kernelver, Transaction& tx,
                     Report& report) {
    if (ctx.no_depmod) return true;
    std::string dir = ctx.install_tree + "/" + kernelver;
    struct stat st;
    if (stat((dir + "/modules.dep").c_str(), &st) != 0) {
        if (ctx.verbose)
            report.out("Skipping depmod because '" + dir + "/modules.dep' is missing.\n");
        return true;
    }
    if (auto r = tx.snapshot_indexes(dir); !r) {
        report.err(r.error().describe() + "\n");
        return false;
    }
    report.out("Running depmod...");
    depmod::DepmodOptions opt;
    opt.moduledir = ctx.install_tree;
    opt.kernel_version = kernelver;
    std::string system_map = "/boot/System.map-" + kernelver;
    if (stat(system_map.c_str(), &st) == 0) opt.graph.system_map_path = system_map;
    depmod::DepmodSink sink;
    std::string messages;
    sink.message = [&](const config::Diagnostic& d) {
        if (d.level <= util::LogLevel::Warning) messages += "depmod: " + d.message + "\n";
    };
    sink.out = [&](std::string_view) {};
    int rc = depmod::run_depmod(opt, sink);
    report.out(rc == 0 ? " done.\n" : "(bad exit status: " + std::to_string(rc) + ")\n");
    if (!messages.empty()) report.err(messages);
    return rc == 0;
}

void run_post_transaction(const Context& ctx, const std::string& kernelver) {
    if (ctx.post_transaction.empty()) return;
    std::string log = ctx.dkms_tree + "/post_transaction.log";
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    ShellCommand cmd;
    cmd.script = "kernelver=\"$2\"\neval \"$1\"";
    cmd.args = {ctx.post_transaction, kernelver};
    cmd.stdout_fd = fd;
    cmd.stderr_fd = fd;
    (void)run_shell(cmd);
    if (fd >= 0) close(fd);
}

} // namespace modkit::dkms
