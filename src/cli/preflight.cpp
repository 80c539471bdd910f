// `modkit preflight KVER`: before booting an installed kernel, what the boot would lose. The
// facts come from cli/preflight_facts.cpp, the judgement from abi/preflight.hpp; this prints it
// and decides the exit status (0 nothing lost, 1 something lost, 2 error).
#include "cli/option_table.hpp"
#include "cli/preflight_facts.hpp"
#include "cli/tools.hpp"

#include "abi/kernel_target.hpp"
#include "abi/preflight.hpp"
#include "exec/system.hpp"
#include "util/atomic_file.hpp"
#include "util/diag.hpp"
#include "util/json.hpp"
#include "util/output.hpp"

#include "util/fs.hpp"

namespace modkit::cli {
namespace {

void help() {
    util::Output::write(
        "Usage: modkit preflight [options] KVER\n"
        "What the next boot into installed kernel KVER would change: loaded modules KVER lacks,\n"
        "out-of-tree and DKMS modules without a build that loads, an initramfs without the\n"
        "root file system's modules, configuration naming modules KVER does not have.\n"
        "Options:\n"
        "  -b, --basedir ROOT   judge the system under ROOT (its /proc and /sys included)\n"
        "      --json           print JSON (docs/json.md)\n"
        "  -q, --quiet          print only what would be lost\n"
        "  -h, --help           show this help\n"
        "Exit status: 0 nothing would be lost, 1 something would, 2 error.\n");
}

std::string_view severity_name(abi::Severity s) {
    switch (s) {
    case abi::Severity::Info:
        return "info";
    case abi::Severity::Warning:
        return "warning";
    case abi::Severity::Loss:
        return "loss";
    }
    return "?";
}

std::string text(const abi::PreflightReport& r, bool quiet) {
    std::string out = "preflight " + r.kernel + " (running " + r.running + ")\n";
    out += "  loaded modules: " + std::to_string(r.loaded_present) + " present, " +
           std::to_string(r.loaded_builtin) + " built in, " + std::to_string(r.loaded_renamed) +
           " renamed, " + std::to_string(r.loaded_gone) + " gone\n";
    for (const auto& i : r.items) {
        if (quiet && i.severity != abi::Severity::Loss) continue;
        std::string mark = i.severity == abi::Severity::Loss      ? "LOST "
                           : i.severity == abi::Severity::Warning ? "warn "
                                                                  : "ok   ";
        std::string msg = i.message;
        for (size_t p = 0; (p = msg.find('\n', p)) != std::string::npos; p += 7)
            msg.replace(p, 1, "\n      ");
        out += "  " + mark + i.section + (i.subject.empty() ? "" : " " + i.subject) + ": " + msg +
               "\n";
    }
    out += r.loses_something() ? "the next boot into " + r.kernel + " would lose something\n"
                               : "nothing would be lost booting " + r.kernel + "\n";
    return out;
}

std::string json(const abi::PreflightReport& r) {
    util::JsonWriter w;
    w.begin_object();
    w.field("kernel", r.kernel).field("running", r.running);
    w.key("loaded").begin_object();
    w.field("present", r.loaded_present).field("builtin", r.loaded_builtin);
    w.field("renamed", r.loaded_renamed).field("gone", r.loaded_gone);
    w.end_object();
    w.key("items").begin_array();
    for (const auto& i : r.items)
        w.begin_object()
            .field("section", i.section)
            .field("subject", i.subject)
            .field("severity", severity_name(i.severity))
            .field("message", i.message)
            .end_object();
    w.end_array();
    w.field("loses_something", r.loses_something());
    w.end_object();
    return w.take();
}

enum { k_json = 256 };
constexpr OptionSpec k_options[] = {
    {'b', "basedir", 'b', ValueKind::Directory, "judge the system under ROOT"},
    {k_json, "json", 0, ValueKind::None, "print JSON (docs/json.md)"},
    {'q', "quiet", 'q', ValueKind::None, "print only what would be lost"},
    {'h', "help", 'h', ValueKind::None, "show this help"},
};

} // namespace

std::span<const OptionSpec> preflight_options() {
    return k_options;
}

int preflight_main(int argc, char** argv) {
    std::string root = "/";
    bool as_json = false, quiet = false;
    optind = 0;
    OptionParser parser(k_options);
    for (int c; (c = parser.next(argc, argv)) != -1;) {
        switch (c) {
        case 'b':
            root = parser.value();
            break;
        case k_json:
            as_json = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            help();
            return 0;
        default:
            util::Diag::raw("Try 'modkit preflight --help'.\n");
            return 2;
        }
    }
    if (argc - optind != 1) {
        util::Diag::error("give the kernel to check: modkit preflight KVER");
        return 2;
    }
    abi::TargetOptions to;
    to.root = root;
    to.release = argv[optind];
    auto target = abi::KernelTarget::load(to);
    if (!target) {
        util::Diag::error(target.error().describe());
        return 2;
    }
    if (!util::is_directory(target->module_dir())) {
        util::Diag::error("kernel " + to.release + " is not installed (no " + target->module_dir() +
                          ")");
        return 2;
    }
    PreflightContext ctx;
    ctx.root = root;
    ctx.kernel = to.release;
    ctx.target = &*target;
    if (root == "/") {
        exec::System& sys = exec::real_system();
        ctx.sys.read_file = [&sys](const std::string& p) { return sys.read_file(p); };
        ctx.sys.list_dir = [&sys](const std::string& p) { return sys.list_dir(p); };
    } else {
        ctx.sys = resolve::directory_view(root);
    }
    abi::PreflightReport report = abi::preflight(*target, gather_preflight(ctx));
    util::Output::write(as_json ? json(report) : text(report, quiet));
    return report.loses_something() ? 1 : 0;
}

} // namespace modkit::cli
