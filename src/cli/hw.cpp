// `modkit hw`: this machine's devices and the modules that drive them (resolve/hardware.hpp),
// for the running kernel or another installed one (--kernel), as a table, a module list
// (--modules, for a minimal initramfs or localmodconfig-style trimming) or JSON.
#include "cli/tools.hpp"

#include "cli/option_table.hpp"

#include "abi/target_files.hpp"
#include "config/config_files.hpp"
#include "config/modprobe_config.hpp"
#include "exec/system.hpp"
#include "index/module_dir.hpp"
#include "resolve/hardware.hpp"
#include "util/atomic_file.hpp"
#include "util/diag.hpp"
#include "util/json.hpp"
#include "util/output.hpp"
#include "util/strings.hpp"

#include "util/fs.hpp"

namespace modkit::cli {
namespace {

void help() {
    util::Output::write(
        "Usage: modkit hw [options]\n"
        "Every device of this machine with a modalias (PCI, USB, virtio, platform, ACPI,\n"
        "input...), the driver bound to it and the modules that match it, as udev would load\n"
        "them (modules.alias, built-in aliases, modprobe.d aliases and blacklists).\n"
        "Options:\n"
        "  -k, --kernel KVER    answer for installed kernel KVER instead of the running one\n"
        "  -m, --modules        print only the modules this hardware needs, one per line\n"
        "  -b, --basedir ROOT   read /sys, /proc, /lib/modules and modprobe.d under ROOT\n"
        "      --json           print JSON (docs/json.md)\n"
        "  -h, --help           show this help\n");
}

std::string pad(std::string s, size_t n) {
    if (s.size() < n) s.append(n - s.size(), ' ');
    return s + " ";
}

std::string matches_text(const resolve::DeviceReport& r) {
    std::string out;
    for (const auto& m : r.matches) {
        out += (out.empty() ? "" : ", ") + m.name;
        if (m.builtin)
            out += " (built-in)";
        else if (m.blacklisted)
            out += " (blacklisted)";
        else if (m.loaded)
            out += " (loaded)";
    }
    return out.empty() ? "-" : out;
}

enum { k_json = 256 };
constexpr OptionSpec k_options[] = {
    {'k', "kernel", 'k', ValueKind::KernelVersion,
     "answer for installed kernel KVER, not the running one"},
    {'m', "modules", 'm', ValueKind::None,
     "print only the modules this hardware needs, one per line"},
    {'b', "basedir", 'b', ValueKind::Directory,
     "read /sys, /proc, /lib/modules and modprobe.d under ROOT"},
    {k_json, "json", 0, ValueKind::None, "print JSON (docs/json.md)"},
    {'h', "help", 'h', ValueKind::None, "show this help"},
};

} // namespace

std::span<const OptionSpec> hw_options() {
    return k_options;
}

int hw_main(int argc, char** argv) {
    std::string root = "/", kernel;
    bool list_modules = false, as_json = false;
    optind = 0;
    OptionParser parser(k_options);
    for (int c; (c = parser.next(argc, argv)) != -1;) {
        switch (c) {
        case 'k':
            kernel = parser.value();
            break;
        case 'm':
            list_modules = true;
            break;
        case 'b':
            root = parser.value();
            break;
        case k_json:
            as_json = true;
            break;
        case 'h':
            help();
            return 0;
        default:
            util::Diag::raw("Try 'modkit hw --help'.\n");
            return 2;
        }
    }
    if (optind < argc) {
        util::Diag::error("unexpected argument '" + std::string(argv[optind]) + "'");
        return 2;
    }
    resolve::SysView sys;
    if (root == "/") {
        exec::System& s = exec::real_system();
        sys.read_file = [&s](const std::string& p) { return s.read_file(p); };
        sys.list_dir = [&s](const std::string& p) { return s.list_dir(p); };
    } else {
        sys = resolve::directory_view(root);
    }
    auto release = sys.read_file("/proc/sys/kernel/osrelease");
    std::string running = release ? std::string(util::trim(*release)) : "";
    const bool other = !kernel.empty() && kernel != running;
    if (kernel.empty()) kernel = running;
    std::string moddir = abi::module_dir_for(root, kernel);
    if (!util::is_directory(moddir)) {
        util::Diag::error("no module directory " + moddir);
        return 2;
    }
    auto dirs = config::default_config_dirs(config::ConfigKind::Modprobe, root == "/" ? "" : root);
    config::ListOptions lo;
    auto cmdline =
        other ? util::Expected<std::string>(std::string()) : sys.read_file("/proc/cmdline");
    config::ModprobeConfig cfg = config::ModprobeConfig::load(
        config::list_config_files(dirs, lo),
        cmdline ? std::optional<std::string_view>(*cmdline) : std::nullopt);
    auto devices = resolve::list_devices(sys);
    if (other)
        for (auto& d : devices)
            d.driver_module.clear(); // the running kernel's, not KVER's
    index::ModuleDirectory dir(moddir);
    auto loaded = other ? std::set<std::string>() : resolve::loaded_modules(sys);
    auto reports = resolve::match_devices(devices, dir, &cfg, loaded);
    if (!reports) {
        util::Diag::error(reports.error().describe());
        return 2;
    }
    std::vector<std::string> needed = resolve::needed_modules(*reports);
    if (as_json) {
        util::JsonWriter w;
        w.begin_object().field("kernel", kernel).field("running", running);
        w.key("devices").begin_array();
        for (const auto& r : *reports) {
            w.begin_object();
            w.field("bus", r.device.bus)
                .field("id", r.device.id)
                .field("modalias", r.device.modalias);
            w.field("driver", r.device.driver).field("driver_module", r.device.driver_module);
            w.field("status", resolve::device_status_name(r.status));
            w.key("matches").begin_array();
            for (const auto& m : r.matches)
                w.begin_object()
                    .field("module", m.name)
                    .field("builtin", m.builtin)
                    .field("blacklisted", m.blacklisted)
                    .field("loaded", m.loaded)
                    .field("origin", m.origin)
                    .end_object();
            w.end_array();
            w.end_object();
        }
        w.end_array();
        w.string_array("modules", needed);
        w.end_object();
        util::Output::write(w.take());
        return 0;
    }
    if (list_modules) {
        for (const auto& m : needed)
            util::Output::write(m + "\n");
        return 0;
    }
    std::string out = pad("BUS", 9) + pad("DEVICE", 16) + pad("STATE", 11) + pad("DRIVER", 16) +
                      (other ? "MODULES (" + kernel + ")" : "MODULES") + "\n";
    for (const auto& r : *reports) {
        std::string driver = r.device.driver.empty() ? "-" : r.device.driver;
        std::string state(resolve::device_status_name(r.status));
        if (other && !r.device.driver.empty() && r.matches.empty()) state = "LOST";
        out += pad(r.device.bus, 9) + pad(r.device.id, 16) + pad(state, 11) + pad(driver, 16) +
               matches_text(r) + "\n";
    }
    util::Output::write(out);
    return 0;
}

} // namespace modkit::cli
