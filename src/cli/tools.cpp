// The dispatch table and the multi-call entry point.
#include "cli/tools.hpp"

#include "util/diag.hpp"
#include "util/output.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <string>

namespace modkit::cli {

namespace {

constexpr Tool k_tools[] = {
    {"abi", abi_main, "will a module load into another kernel (check); what changed (diff)"},
    {"daemon", daemon_main, "load drivers as devices appear, unload idle ones (modkitd)"},
    {"depmod", depmod_main, "generate modules.dep and the module index files"},
    {"dkms", dkms_main, "build and install out-of-tree modules (DKMS)"},
    {"explain", explain_main, "why and how modprobe would load a module (modprobe --explain)"},
    {"hw", hw_main, "this machine's devices and the modules that drive them"},
    {"insmod", insmod_main, "insert a module file into the kernel"},
    {"kmod", kmod_main, "kmod's own commands: help, list, static-nodes"},
    {"lsmod", lsmod_main, "list the loaded modules"},
    {"modinfo", modinfo_main, "show information about a kernel module"},
    {"modprobe", modprobe_main, "add or remove modules, with their dependencies"},
    {"modules-load", modules_load_main,
     "load the modules modules-load.d lists (systemd-modules-load)"},
    {"params", params_main, "the parameters a loaded module runs with, and where each comes from"},
    {"preflight", preflight_main, "what the next boot into an installed kernel would lose"},
    {"rmmod", rmmod_main, "remove modules from the kernel"},
    {"weak-modules", weak_modules_main, "link compatible out-of-tree modules into other kernels"},
};

int usage(int rc) {
    std::string text = "Usage: modkit TOOL [options...]\n"
                       "       modkit --version | --help\n\n"
                       "modkit manages Linux kernel modules, compatibly with kmod and DKMS.\n"
                       "Tools (also available as symlinks with these names):\n";
    for (const Tool& t : k_tools) {
        text += "  ";
        text += t.name;
        text.append(t.name.size() < 14 ? 14 - t.name.size() : 1, ' ');
        text += t.help;
        text += '\n';
    }
    util::Output::write(text);
    util::Output::flush();
    return rc;
}

// Edit distance for "did you mean".
size_t distance(std::string_view a, std::string_view b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

int unknown_tool(std::string_view name) {
    std::string msg = "modkit: unknown tool '" + std::string(name) + "'";
    const Tool* best = nullptr;
    size_t best_d = 3;
    for (const Tool& t : k_tools) {
        size_t d = distance(name, t.name);
        if (d < best_d) {
            best_d = d;
            best = &t;
        }
    }
    if (best != nullptr) msg += "; did you mean '" + std::string(best->name) + "'?";
    msg += "\n";
    util::Diag::raw(msg);
    return 1;
}

int run_tool(const Tool& tool, int argc, char** argv) {
    util::Diag::set_program(std::string(tool.name));
    int rc = tool.main(argc, argv);
    util::Output::flush();
    return rc;
}

} // namespace

std::span<const Tool> tools() {
    return k_tools;
}

const Tool* find_tool(std::string_view name) {
    for (const Tool& t : k_tools)
        if (t.name == name) return &t;
    return nullptr;
}

int print_kmod_version() {
    std::string text = "kmod version ";
    text += k_kmod_compat_version;
    text += '\n';
    text += k_features;
    text += '\n';
    util::Output::write(text);
    return 0;
}

int run(int argc, char** argv) {
    std::string_view self = argc > 0 ? util::basename(argv[0]) : "modkit";
    if (const Tool* t = find_tool(self)) return run_tool(*t, argc, argv);
    if (self != "modkit") return unknown_tool(self);
    if (argc < 2) return usage(1);
    std::string_view first = argv[1];
    if (first == "-h" || first == "--help" || first == "help") return usage(0);
    if (first == "-V" || first == "--version") {
        util::Output::write("modkit " MODKIT_VERSION "\n");
        util::Output::flush();
        return 0;
    }
    const Tool* t = find_tool(first);
    if (t == nullptr) return unknown_tool(first);
    // The tool sees itself as argv[0], as it would through a symlink.
    return run_tool(*t, argc - 1, argv + 1);
}

} // namespace modkit::cli
