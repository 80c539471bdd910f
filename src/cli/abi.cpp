// `modkit abi check|diff`: the command line of the ABI checks. `check` predicts, for each
// module, what loading it into another kernel would do; `diff` is in abi_diff.cpp.
#include "cli/abi_render.hpp"
#include "cli/option_table.hpp"
#include "cli/tools.hpp"

#include "abi/kernel_target.hpp"
#include "abi/predict.hpp"
#include "abi/target_files.hpp"
#include "exec/system.hpp"
#include "module/module_file.hpp"
#include "util/atomic_file.hpp"
#include "util/diag.hpp"
#include "util/output.hpp"
#include "util/parallel.hpp"

#include "module/names.hpp"
#include "util/fs.hpp"
#include <algorithm>
#include <dirent.h>
#include <string>
#include <vector>

namespace modkit::cli {

int abi_diff_main(int argc, char** argv);

namespace {

void check_help() {
    util::Output::write(
        "Usage: modkit abi check [options] MODULE... -k KVER\n"
        "Predicts what loading each MODULE into kernel KVER would do, with the checks of that\n"
        "kernel's module loader: signature, architecture, module_layout, vermagic, taints,\n"
        "every symbol (exported? GPL-only? CRC? namespace?). MODULE is a file, a directory\n"
        "(every module under it) or a module name of the running kernel.\n"
        "Options:\n"
        "  -k, --kernel KVER     the target kernel (default: --tree's name)\n"
        "  -b, --basedir ROOT    look for the target's files under ROOT\n"
        "      --tree DIR        the target's module directory (default ROOT/lib/modules/KVER)\n"
        "      --boot DIR        where vmlinuz-KVER and config-KVER are (default ROOT/boot)\n"
        "      --symvers FILE    the target's Module.symvers (plain or .gz)\n"
        "      --cert FILE       trust this certificate too (an enrolled MOK); repeatable\n"
        "  -j, --jobs N          threads (default: all CPUs)\n"
        "      --json            print JSON (docs/json.md)\n"
        "      --all             one finding per symbol (many failures of one kind are\n"
        "                        otherwise folded into one)\n"
        "  -q, --quiet           one line per module\n"
        "  -v, --verbose         notes and the kernel's own messages too\n"
        "  -h, --help            show this help\n"
        "Exit status: 0 all load, 3 one taints the kernel, 1 one is refused, 2 error.\n");
}

int usage_error(const std::string& msg) {
    util::Diag::error(msg);
    util::Diag::raw("Try 'modkit abi check --help'.\n");
    return 2;
}

void collect_dir(const std::string& dir, std::vector<std::string>& out, int depth) {
    if (depth > 32) return;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return;
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d))
        if (std::string_view(e->d_name) != "." && std::string_view(e->d_name) != "..")
            names.emplace_back(e->d_name);
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
        std::string path = dir + "/" + n;
        if (depth == 0 && (n == "build" || n == "source")) continue;
        if (util::is_directory(path))
            collect_dir(path, out, depth + 1);
        else if (module::has_module_extension(n))
            out.push_back(path);
    }
}

// Files, directories and names of the running kernel's modules, as paths.
util::Expected<std::vector<std::string>> module_paths(const std::vector<std::string>& args,
                                                      const std::string& root) {
    std::vector<std::string> out;
    std::optional<abi::TreeListing> running;
    std::string running_dir;
    for (const auto& a : args) {
        if (util::is_directory(a)) {
            collect_dir(a, out, 0);
        } else if (util::path_exists(a) || a.find('/') != std::string::npos ||
                   module::has_module_extension(a)) {
            out.push_back(a);
        } else {
            if (!running) {
                running_dir = abi::module_dir_for(root, exec::real_system().kernel_release());
                running = abi::list_tree(running_dir);
            }
            auto it = running->modules.find(abi::normalize_module_name(a));
            if (it == running->modules.end())
                return util::fail(util::ErrorKind::NotFound, ENOENT, "",
                                  "module " + a + " not found in " + running_dir);
            out.push_back(running_dir + "/" + it->second);
        }
    }
    return out;
}

enum { k_tree = 256, k_boot, k_symvers, k_cert, k_json, k_all };
constexpr OptionSpec k_check_options[] = {
    {'k', "kernel", 'k', ValueKind::KernelVersion, "the target kernel (default: --tree's name)"},
    {'b', "basedir", 'b', ValueKind::Directory, "look for the target's files under ROOT"},
    {k_tree, "tree", 0, ValueKind::Directory, "the target's module directory"},
    {k_boot, "boot", 0, ValueKind::Directory, "where vmlinuz-KVER and config-KVER are"},
    {k_symvers, "symvers", 0, ValueKind::File, "the target's Module.symvers (plain or .gz)"},
    {k_cert, "cert", 0, ValueKind::File, "trust this certificate too (an enrolled MOK)"},
    {'j', "jobs", 'j', ValueKind::Number, "threads (default: all CPUs)"},
    {k_json, "json", 0, ValueKind::None, "print JSON (docs/json.md)"},
    {k_all, "all", 0, ValueKind::None, "one finding per symbol, never folded"},
    {'q', "quiet", 'q', ValueKind::None, "one line per module"},
    {'v', "verbose", 'v', ValueKind::None, "notes and the kernel's own messages too"},
    {'h', "help", 'h', ValueKind::None, "show this help"},
};

int abi_check_main(int argc, char** argv) {
    abi::TargetOptions target;
    bool json = false;
    abi::Fold fold = abi::Fold::Yes;
    abi_render::Detail detail = abi_render::Detail::Reasons;
    optind = 0;
    OptionParser parser(k_check_options);
    for (int c; (c = parser.next(argc, argv)) != -1;) {
        switch (c) {
        case 'k':
            target.release = parser.value();
            break;
        case 'b':
            target.root = parser.value();
            break;
        case k_tree:
            target.tree = parser.value();
            break;
        case k_boot:
            target.boot = parser.value();
            break;
        case k_symvers:
            target.symvers = parser.value();
            break;
        case k_cert:
            target.certs.push_back(parser.value());
            break;
        case 'j': {
            char* end = nullptr;
            long n = std::strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || n < 1 || n > 1024)
                return usage_error(std::string("invalid number of jobs: ") + optarg);
            target.jobs = static_cast<unsigned>(n);
            break;
        }
        case k_json:
            json = true;
            break;
        case k_all:
            fold = abi::Fold::No;
            break;
        case 'q':
            detail = abi_render::Detail::Quiet;
            break;
        case 'v':
            detail = abi_render::Detail::Verbose;
            break;
        case 'h':
            check_help();
            return 0;
        default:
            return usage_error("invalid option");
        }
    }
    if (optind >= argc) return usage_error("no module given");
    if (target.release.empty() && target.tree.empty())
        return usage_error("no target kernel: give -k KVER (or --tree DIR)");
    std::vector<std::string> args(argv + optind, argv + argc);
    auto paths = module_paths(args, target.root);
    if (!paths) {
        util::Diag::error(paths.error().describe());
        return 2;
    }
    if (paths->empty()) {
        util::Diag::error("no module files under the given directories");
        return 2;
    }
    auto loaded = abi::KernelTarget::load(target);
    if (!loaded) {
        util::Diag::error(loaded.error().describe());
        return 2;
    }
    const abi::KernelTarget& kt = *loaded;
    unsigned jobs = target.jobs ? target.jobs : util::default_jobs();
    auto predictions = abi::predict_files(kt, *paths, jobs, fold);
    std::vector<abi_render::Item> items;
    items.reserve(paths->size());
    for (size_t i = 0; i < paths->size(); ++i)
        items.push_back({(*paths)[i], std::move(predictions[i])});
    if (json) {
        util::Output::write(abi_render::json(kt, items));
    } else {
        for (const auto& note : kt.notes())
            util::Diag::warning(note);
        util::Output::write(abi_render::text(kt, items, detail));
    }
    return abi_render::exit_status(items);
}

void abi_help() {
    util::Output::write(
        "Usage: modkit abi check [options] MODULE... -k KVER\n"
        "       modkit abi diff [options] OLD NEW\n"
        "Kernel ABI checks; see `modkit abi check --help`, `modkit abi diff --help`.\n");
}

} // namespace

std::span<const OptionSpec> abi_check_options() {
    return k_check_options;
}

int abi_main(int argc, char** argv) {
    if (argc < 2) {
        abi_help();
        return 2;
    }
    std::string_view sub = argv[1];
    if (sub == "-h" || sub == "--help" || sub == "help") {
        abi_help();
        return 0;
    }
    if (sub == "check") {
        util::Diag::set_program("abi check");
        return abi_check_main(argc - 1, argv + 1);
    }
    if (sub == "diff") {
        util::Diag::set_program("abi diff");
        return abi_diff_main(argc - 1, argv + 1);
    }
    util::Diag::error("unknown command '" + std::string(sub) + "' (check or diff)");
    return 2;
}

} // namespace modkit::cli
