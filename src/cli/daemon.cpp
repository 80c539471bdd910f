// modkitd and `modkit daemon`: the on-demand loading daemon's command line (run it, in the
// foreground, as an initramfs or a service does) and `modkit daemon status`, which shows what
// the running daemon loaded, why, what is idle and what it unloaded.
#include "cli/option_table.hpp"
#include "cli/tools.hpp"

#include "daemon/daemon.hpp"
#include "util/diag.hpp"
#include "util/mapped_file.hpp"
#include "util/output.hpp"
#include "util/strings.hpp"

#include <algorithm>

#include <cstdlib>
#include <string>

namespace modkit::cli {

namespace {

enum : int { k_root = 256, k_once, k_no_coldplug, k_coldplug, k_syslog, k_json, k_version };

constexpr OptionSpec k_daemon_options[] = {
    {'c', "config", 'c', ValueKind::File, "read this configuration (/etc/modkit/modkitd.conf)"},
    {k_root, "root", 0, ValueKind::Directory, "modprobe.d and /lib/modules under this directory"},
    {k_once, "once", 0, ValueKind::None, "coldplug, wait until the loads settle, exit"},
    {k_coldplug, "coldplug", 0, ValueKind::None, "load drivers of present devices at start"},
    {k_no_coldplug, "no-coldplug", 0, ValueKind::None, "only handle new events"},
    {k_syslog, "syslog", 's', ValueKind::None, "log to syslog instead of stderr"},
    {'v', "verbose", 'v', ValueKind::None, "also log debug messages"},
    {'q', "quiet", 'q', ValueKind::None, "log only warnings and errors"},
    {k_json, "json", 0, ValueKind::None, "status: the JSON document"},
    {'h', "help", 'h', ValueKind::None, "show this help"},
    {k_version, "version", 'V', ValueKind::None, "show the version"},
};

void help(const std::string& prog) {
    std::string text =
        "Usage: " + prog +
        " [options]          run the daemon (in the foreground)\n"
        "       modkit daemon status [--json] [-c FILE]\n\n"
        "Loads the driver of every device the kernel announces (uevents) and of "
        "the devices present\nat start, as udev's kmod builtin does; optionally "
        "unloads idle on-demand modules when\nmemory is short. See modkit-daemon(8) and "
        "modkitd.conf(5).\n\nOptions:\n";
    for (const OptionSpec& o : k_daemon_options) {
        std::string left = "  ";
        left += o.short_name != 0 ? std::string("-") + o.short_name + ", " : "    ";
        left += "--" + std::string(o.long_name);
        if (o.value != ValueKind::None) left += "=ARG";
        left.resize(std::max<size_t>(left.size() + 1, 26), ' ');
        text += left + std::string(o.help) + "\n";
    }
    util::Output::write(text);
}

int status(const std::string& config_path, bool json) {
    auto cfg = daemon::load_daemon_config(config_path);
    if (!cfg) {
        util::Diag::error(cfg.error().describe());
        return 1;
    }
    auto text = util::read_file(cfg->status_file);
    if (!text) {
        util::Diag::error("no status: " + text.error().describe() + " (is modkitd running?)");
        return 3;
    }
    (void)json; // the status file is the JSON document; --json names the format explicitly
    util::Output::write(*text);
    return 0;
}

int daemon_run(int argc, char** argv, bool status_allowed) {
    daemon::DaemonOptions opt;
    bool json = false;
    std::string prog(util::basename(argv[0]));
    if (prog == "daemon") prog = "modkit daemon";
    optind = 0;
    OptionParser parser(k_daemon_options);
    for (int c; (c = parser.next(argc, argv)) != -1;) {
        switch (c) {
        case 'c':
            opt.config_path = parser.value();
            break;
        case k_root:
            opt.root = parser.value();
            break;
        case k_once:
            opt.once = true;
            break;
        case k_coldplug:
            opt.coldplug_override = true;
            opt.coldplug = true;
            break;
        case k_no_coldplug:
            opt.coldplug_override = true;
            opt.coldplug = false;
            break;
        case k_syslog:
            util::Diag::set_syslog(true);
            break;
        case 'v':
            util::Diag::set_level(util::LogLevel::Debug);
            break;
        case 'q':
            util::Diag::set_level(util::LogLevel::Warning);
            break;
        case k_json:
            json = true;
            break;
        case 'h':
            help(prog);
            return 0;
        case k_version:
            util::Output::write("modkit " MODKIT_VERSION "\n");
            return 0;
        default:
            return 1;
        }
    }
    bool want_status = false;
    if (status_allowed && optind < argc) {
        std::string_view sub = argv[optind];
        if (sub == "status" || sub == "run") {
            want_status = sub == "status";
            ++optind;
        }
    }
    if (optind < argc) {
        util::Diag::error("unexpected argument '" + std::string(argv[optind]) + "'");
        return 1;
    }
    if (want_status) return status(opt.config_path, json);
    return daemon::run_daemon(exec::real_system(), opt);
}

} // namespace

std::span<const OptionSpec> daemon_options() {
    return k_daemon_options;
}

int daemon_main(int argc, char** argv) {
    util::Diag::set_program("modkitd");
    if (util::Diag::level() < util::LogLevel::Info) util::Diag::set_level(util::LogLevel::Info);
    return daemon_run(argc, argv, true);
}

} // namespace modkit::cli
