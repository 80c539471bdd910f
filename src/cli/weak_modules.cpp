// weak-modules (RHEL's and SUSE's command, on any distribution): keeps weak-updates/ of every
// installed kernel linked to the out-of-tree modules of other kernels it would load. The
// decision is abi/weak_modules.hpp's (the load prediction), the links are made by exec/, depmod
// runs in-process, the initramfs is rebuilt with the system's own tool.
#include "cli/option_table.hpp"
#include "cli/tools.hpp"

#include "abi/weak_modules.hpp"
#include "depmod/depmod.hpp"
#include "exec/system.hpp"
#include "exec/weak_updates.hpp"
#include "util/diag.hpp"
#include "util/json.hpp"
#include "util/output.hpp"
#include "util/strings.hpp"

#include <iostream>
#include <string>
#include <vector>

namespace modkit::cli {
namespace {

void help() {
    util::Output::write(
        "Usage: weak-modules [options] {--add-modules|--remove-modules} [MODULE...]\n"
        "       weak-modules [options] {--add-kernel|--remove-kernel} [KERNEL]\n"
        "Links out-of-tree modules (extra/, updates/) of one installed kernel into\n"
        "weak-updates/ of every other installed kernel that would load them, as `modkit abi\n"
        "check` predicts. MODULEs are read from standard input when none is given; KERNEL\n"
        "defaults to the running kernel.\n"
        "Options:\n"
        "      --add-modules      modules were installed: link them where they load\n"
        "      --remove-modules   modules are being removed: drop their links (and link\n"
        "                         another compatible build where there is one)\n"
        "      --add-kernel       a kernel was installed: link other kernels' modules into it\n"
        "      --remove-kernel    a kernel is being removed: drop its links and links to it\n"
        "  -n, --dry-run          print what would be done, change nothing\n"
        "  -v, --verbose          print each module's verdict for each kernel\n"
        "      --no-initramfs     do not rebuild the initramfs of changed kernels\n"
        "  -b, --basedir ROOT     work on the system under ROOT (no initramfs is rebuilt)\n"
        "      --json             print the plan as JSON (docs/json.md)\n"
        "  -h, --help             show this help\n");
}

enum class Action { None, AddModules, RemoveModules, AddKernel, RemoveKernel };

std::vector<std::string> read_stdin_lines() {
    std::vector<std::string> out;
    for (std::string line; std::getline(std::cin, line);) {
        std::string_view t = util::trim(line);
        if (!t.empty()) out.emplace_back(t);
    }
    return out;
}

std::string plan_json(const abi::WeakPlan& plan) {
    util::JsonWriter w;
    w.begin_object();
    w.string_array("kernels_changed", plan.kernels);
    w.key("add").begin_array();
    for (const auto& l : plan.add)
        w.begin_object()
            .field("kernel", l.kernel)
            .field("link", l.link)
            .field("target", l.target)
            .end_object();
    w.end_array();
    w.string_array("remove", plan.remove);
    w.key("decisions").begin_array();
    for (const auto& d : plan.decisions)
        w.begin_object()
            .field("kernel", d.kernel)
            .field("module", d.module)
            .field("compatible", d.compatible)
            .field("reason", d.reason)
            .end_object();
    w.end_array();
    w.string_array("notes", plan.notes);
    w.end_object();
    return w.take();
}

int run_depmod_for(const std::string& root, const std::string& kernel) {
    depmod::DepmodOptions opt;
    opt.basedir = root == "/" ? "" : root;
    opt.kernel_version = kernel;
    depmod::DepmodSink sink;
    sink.message = [](const config::Diagnostic& d) { util::Diag::log(d.level, d.message); };
    sink.out = [](std::string_view text) { util::Output::write(text); };
    return depmod::run_depmod(opt, sink);
}

enum {
    k_add_modules = 256,
    k_remove_modules,
    k_add_kernel,
    k_remove_kernel,
    k_no_initramfs,
    k_json
};
constexpr OptionSpec k_options[] = {
    {k_add_modules, "add-modules", 0, ValueKind::None,
     "modules were installed: link them where they load"},
    {k_remove_modules, "remove-modules", 0, ValueKind::None,
     "modules are being removed: drop their links"},
    {k_remove_modules, "delete-modules", 0, ValueKind::None, {}}, // RHEL's older name
    {k_add_kernel, "add-kernel", 0, ValueKind::None,
     "a kernel was installed: link other kernels' modules into it"},
    {k_remove_kernel, "remove-kernel", 0, ValueKind::None,
     "a kernel is being removed: drop its links and links to it"},
    {'n', "dry-run", 'n', ValueKind::None, "print what would be done, change nothing"},
    {'v', "verbose", 'v', ValueKind::None, "print each module's verdict for each kernel"},
    {k_no_initramfs, "no-initramfs", 0, ValueKind::None,
     "do not rebuild the initramfs of changed kernels"},
    {'b', "basedir", 'b', ValueKind::Directory, "work on the system under ROOT"},
    {k_json, "json", 0, ValueKind::None, "print the plan as JSON (docs/json.md)"},
    {'h', "help", 'h', ValueKind::None, "show this help"},
};

} // namespace

std::span<const OptionSpec> weak_modules_options() {
    return k_options;
}

int weak_modules_main(int argc, char** argv) {
    Action action = Action::None;
    bool dry_run = false, verbose = false, initramfs = true, json = false;
    std::string root = "/";
    optind = 0;
    auto set_action = [&](Action a) {
        if (action != Action::None && action != a) return false;
        action = a;
        return true;
    };
    OptionParser parser(k_options);
    for (int c; (c = parser.next(argc, argv)) != -1;) {
        bool ok = true;
        switch (c) {
        case k_add_modules:
            ok = set_action(Action::AddModules);
            break;
        case k_remove_modules:
            ok = set_action(Action::RemoveModules);
            break;
        case k_add_kernel:
            ok = set_action(Action::AddKernel);
            break;
        case k_remove_kernel:
            ok = set_action(Action::RemoveKernel);
            break;
        case 'n':
            dry_run = true;
            break;
        case 'v':
            verbose = true;
            break;
        case k_no_initramfs:
            initramfs = false;
            break;
        case 'b':
            root = parser.value();
            break;
        case k_json:
            json = true;
            break;
        case 'h':
            help();
            return 0;
        default:
            util::Diag::raw("Try 'weak-modules --help'.\n");
            return 2;
        }
        if (!ok) {
            util::Diag::error("give one action");
            return 2;
        }
    }
    if (action == Action::None) {
        util::Diag::error(
            "no action (--add-modules, --remove-modules, --add-kernel, --remove-kernel)");
        return 2;
    }
    std::vector<std::string> args(argv + optind, argv + argc);
    abi::WeakOptions opt;
    opt.root = root;
    std::vector<std::string> targets = abi::installed_kernels(root);
    if (action == Action::AddModules || action == Action::RemoveModules) {
        if (args.empty()) args = read_stdin_lines();
        for (const auto& m : args) {
            if (!abi::locate_external_module(root, m)) {
                util::Diag::error(m + " is not under extra/ or updates/ of an installed kernel");
                return 2;
            }
            if (action == Action::RemoveModules) opt.excluded_modules.insert(m);
        }
    } else {
        if (args.size() > 1) {
            util::Diag::error("give one kernel");
            return 2;
        }
        std::string kernel = args.empty() ? exec::real_system().kernel_release() : args[0];
        if (action == Action::AddKernel) {
            if (std::find(targets.begin(), targets.end(), kernel) == targets.end()) {
                util::Diag::error("kernel " + kernel + " is not installed");
                return 2;
            }
            targets = {kernel};
        } else {
            opt.excluded_kernel = kernel;
        }
    }
    abi::WeakPlan plan = abi::plan_weak_updates(targets, opt);
    for (const auto& n : plan.notes)
        util::Diag::warning(n);
    if (json) {
        util::Output::write(plan_json(plan));
    } else if (verbose) {
        for (const auto& d : plan.decisions)
            util::Output::write(d.kernel + ": " + d.module + ": " +
                                (d.compatible ? "compatible (" : "incompatible (") + d.reason +
                                ")\n");
    }
    std::vector<std::pair<std::string, std::string>> add;
    for (const auto& l : plan.add)
        add.emplace_back(l.target, l.link);
    auto say = [&](const std::string& line) {
        if ((dry_run || verbose) && !json) util::Output::write(line + "\n");
    };
    if (dry_run) {
        for (const auto& l : plan.remove)
            say("rm " + l);
        for (const auto& [t, l] : add)
            say("ln -s " + t + " " + l);
        for (const auto& k : plan.kernels)
            say("depmod " + k);
        return 0;
    }
    if (auto done = exec::apply_weak_links(add, plan.remove, say); !done) {
        util::Diag::error(done.error().describe());
        return 1;
    }
    int rc = 0;
    for (const auto& k : plan.kernels) {
        say("depmod " + k);
        if (run_depmod_for(root, k) != 0) rc = 1;
        if (!initramfs || root != "/") continue;
        if (auto r = exec::rebuild_initramfs(k); !r) {
            util::Diag::warning(r.error().describe());
        }
    }
    return rc;
}

} // namespace modkit::cli
