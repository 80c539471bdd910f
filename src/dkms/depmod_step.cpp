// depmod through the library (no child process), and post_transaction through bash.
#include "dkms/depmod_step.hpp"

#include "depmod/depmod.hpp"
#include "dkms/invoke.hpp"
#include "dkms/shell.hpp"
#include "util/atomic_file.hpp"
#include "util/diag.hpp"

#include <chrono>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::dkms {

namespace {

int depmod_now(const Context& ctx, const std::string& kernelver, Transaction& tx, Report& report) {
    if (ctx.no_depmod) return 0;
    std::string dir = ctx.install_tree + "/" + kernelver;
    if (!util::path_exists(dir + "/modules.dep")) {
        if (ctx.verbose)
            report.out("Skipping depmod because '" + dir + "/modules.dep' is missing.\n");
        return 0;
    }
    if (auto r = tx.snapshot_indexes(dir); !r) {
        if (ctx.verbose) report.err(r.error().describe() + "\n");
        return 1;
    }
    depmod::DepmodOptions opt;
    opt.moduledir = ctx.install_tree;
    opt.kernel_version = kernelver;
    std::string system_map = "/boot/System.map-" + kernelver;
    if (util::path_exists(system_map)) opt.graph.system_map_path = system_map;
    depmod::DepmodSink sink;
    sink.message = [&](const config::Diagnostic& d) {
        if (ctx.verbose && d.level <= util::LogLevel::Warning)
            report.err("depmod: " + d.message + "\n");
    };
    sink.out = [](std::string_view) {};
    return depmod::run_depmod(opt, sink);
}

} // namespace

bool run_depmod_step(const Context& ctx, const std::string& kernelver, Transaction& tx,
                     Report& report) {
    Invocation what{"do_depmod " + kernelver, "Running depmod"};
    int rc = invoke(what, ctx.verbose, report,
                    [&](const Tick&) { return depmod_now(ctx, kernelver, tx, report); });
    return rc == 0;
}

void run_post_transaction(const Context& base, const std::string& kernelver, Report& report) {
    if (base.post_transaction.empty()) return;
    // DKMS reads post_transaction when it runs it, with $kernelver of that moment in scope.
    Context ctx = base;
    if (auto r = read_framework(ctx, {"post_transaction"}, {{"kernelver", kernelver}}); !r)
        report.warning({r.error().describe()});
    if (ctx.post_transaction.empty()) return;
    std::string log = ctx.dkms_tree + "/post_transaction.log";
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    auto write_log = [&](const std::string& text) {
        if (fd >= 0) util::write_all(fd, text);
    };
    Invocation what{ctx.post_transaction, "Executing post-transaction command"};
    invoke(what, ctx.verbose, report, [&](const Tick& tick) {
        write_log(log_block_head(what));
        auto start = std::chrono::steady_clock::now();
        ShellCommand cmd;
        cmd.script = "kernelver=\"$2\"\neval \"$1\"";
        cmd.args = {ctx.post_transaction, kernelver};
        cmd.stdout_fd = fd;
        cmd.stderr_fd = fd;
        cmd.tick = tick;
        auto status = run_shell(cmd);
        int rc = status ? *status : 126;
        write_log(log_block_tail(rc, std::chrono::steady_clock::now() - start));
        return rc;
    });
    if (fd >= 0) close(fd);
}

} // namespace modkit::dkms
