// `dkms`: parses the command line with dkms/command_line.hpp, runs the action through
// dkms/dispatch.hpp and prints what DKMS prints (usage, version, "Error!" lines), exiting with
// DKMS's code. Everything it decides is in src/dkms; docs/compat.md lists the differences.
#include "cli/tools.hpp"
#include "dkms/command_line.hpp"
#include "dkms/dispatch.hpp"
#include "dkms/live_report.hpp"
#include "dkms/setup.hpp"
#include "dkms/shell.hpp"
#include "dkms/version.hpp"
#include "util/diag.hpp"
#include "util/output.hpp"

#include <fcntl.h>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

namespace modkit::cli {

namespace {

// DKMS 3.4.3's show_usage, word for word.
std::string usage_text(const std::string& prog) {
    return "Usage: " + prog +
           " [action] [options]\n"
           "  [action]  = { add | remove | build | unbuild | install | uninstall | match |\n"
           "               autoinstall | mktarball | ldtarball | status | generate_mok |\n"
           "               kernel_preinst | kernel_postinst | kernel_prerm }\n"
           "  [options] = [-m module] [-v module-version] [-k kernel-version] [-a arch]\n"
           "              [-c dkms.conf-location] [-q] [--force] [--force-version-override] "
           "[--all]\n"
           "              [--templatekernel=kernel] [--directive='cli-directive=cli-value']\n"
           "              [--config=kernel-include/config/auto.conf-location] "
           "[--archive=tarball-location]\n"
           "              [--kernelsourcedir=source-location] [--rpm_safe_upgrade]\n"
           "              [--dkmstree path] [--sourcetree path] [--installtree path]\n"
           "              [--binaries-only] [--source-only] [--verbose]\n"
           "              [--no-depmod] [--modprobe-on-install] [-j number] [--version] "
           "[--help]\n";
}

// modkit's own options, shown by --help only (error paths print DKMS's usage unchanged).
constexpr const char* k_modkit_options =
    "  modkit:     [--jobs=concurrent-builds] [--skip-abi-check] [--json (status)]\n";

// DKMS's error(): a blank line, then "Error! " and the lines.
void print_error(const std::vector<std::string>& lines) {
    std::string text = "\nError! ";
    for (const auto& l : lines)
        text += l + "\n";
    util::Diag::raw(text);
}

int fail(const dkms::Failure& f) {
    util::Output::flush();
    if (f.lines.empty()) return f.code;
    if (f.warning) {
        std::string text = "Warning: ";
        for (const auto& l : f.lines)
            text += l + "\n";
        util::Diag::raw(text);
    } else {
        print_error(f.lines);
    }
    return f.code;
}

int finish(const dkms::Outcome& o) {
    util::Output::flush();
    return o ? 0 : fail(o.error());
}

// `-q`: DKMS's `exec >/dev/null 2>&1` at that point of the command line.
void silence() {
    int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null_fd < 0) return;
    util::Output::flush();
    dup2(null_fd, 1);
    dup2(null_fd, 2);
    close(null_fd);
}

void replay(const std::vector<dkms::ParseEvent>& events) {
    for (const auto& e : events) {
        switch (e.kind) {
        case dkms::ParseEvent::Kind::Deprecated:
            util::Output::flush();
            util::Diag::raw("Deprecated feature: " + e.arg + "\n");
            break;
        case dkms::ParseEvent::Kind::Quiet:
            silence();
            break;
        case dkms::ParseEvent::Kind::CannotHandle:
            util::Output::flush();
            util::Diag::raw("Warning: I do not know how to handle " + e.arg + ".\n");
            break;
        }
    }
}

// Prints what ended the parse early and returns the exit code.
int stopped(const dkms::ParseResult& parsed, const std::string& prog) {
    switch (parsed.stop) {
    case dkms::ParseStop::Version:
        util::Output::write(dkms::version_string() + "\n");
        break;
    case dkms::ParseStop::Help:
        util::Output::write(usage_text(prog) + k_modkit_options);
        break;
    case dkms::ParseStop::UnknownOption:
        print_error({"Unknown option: " + parsed.stop_arg});
        util::Output::write(usage_text(prog));
        util::Output::flush();
        return dkms::exit_code::k_usage;
    case dkms::ParseStop::SecondAction:
        return fail({dkms::exit_code::k_one_kernel, {"Cannot specify more than one action."}});
    case dkms::ParseStop::None:
        break;
    }
    util::Output::flush();
    return 0;
}

} // namespace

int dkms_main(int argc, char** argv) {
    dkms::prepare_dkms_environment();
    dkms::Context ctx;
    if (auto r = dkms::load_environment(ctx); !r) return fail(r.error());
    if (auto r = dkms::read_framework(ctx, dkms::framework_names()); !r)
        util::Diag::raw("Warning: " + r.error().describe() + "\n");
    std::vector<std::string> args(argv + 1, argv + argc);
    dkms::ParseResult parsed = dkms::parse_command_line(args, ctx);
    replay(parsed.events);
    if (parsed.stop != dkms::ParseStop::None) return stopped(parsed, argv[0]);
    if (auto r = dkms::check_command_line(ctx, parsed.command); !r) return fail(r.error());
    if (!dkms::is_action(parsed.command.action)) {
        // DKMS prints its usage after the error and exits 0 (3.0.10 and 3.4.3 alike).
        print_error({"Unknown action specified: \"" + parsed.command.action + "\""});
        util::Output::write(usage_text(argv[0]));
        util::Output::flush();
        return 0;
    }
    dkms::ConsoleReport console;
    // On a terminal, status lines for the builds in progress under the same transcript.
    std::optional<dkms::LiveReport> live;
    if (dkms::LiveReport::wanted()) live.emplace(console);
    dkms::Report& report = live ? static_cast<dkms::Report&>(*live) : console;
    return finish(dkms::run_command(ctx, parsed.command, report));
}

} // namespace modkit::cli
