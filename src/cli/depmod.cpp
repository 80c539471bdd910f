// depmod: kmod 34's options (plus kmod 30's deprecated -u/-q/-r, accepted and ignored, and
// modkit's -j/--jobs and --no-cache), parsed here; the work is depmod::run_depmod().
#include "cli/option_table.hpp"
#include "cli/tools.hpp"

#include "depmod/depmod.hpp"
#include "util/diag.hpp"
#include "util/fs.hpp"
#include "util/output.hpp"
#include "util/prefault.hpp"
#include "util/progress.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <unistd.h>

namespace modkit::cli {

namespace {

void help(const char* prog) {
    std::string p(util::basename(prog));
    util::Output::write(
        "Usage:\n"
        "\t" +
        p +
        " -[aA] [options] [forced_version]\n"
        "\n"
        "If no arguments (except options) are given, \"depmod -a\" is assumed\n"
        "\n"
        "depmod will output a dependency list suitable for the modprobe utility.\n"
        "\n"
        "Options:\n"
        "\t-a, --all            Probe all modules\n"
        "\t-A, --quick          Only does the work if there's a new module\n"
        "\t-e, --errsyms        Report not supplied symbols\n"
        "\t-n, --show           Write the dependency file on stdout only\n"
        "\t-P, --symbol-prefix  Architecture symbol prefix\n"
        "\t-C, --config=PATH    Read configuration from PATH\n"
        "\t-v, --verbose        Enable verbose mode\n"
        "\t-w, --warn           Warn on duplicates\n"
        "\t-j, --jobs=N         Read modules on N threads (default: all CPUs)\n"
        "\t    --no-cache       Neither read nor write the incremental cache\n"
        "\t-V, --version        show version\n"
        "\t-h, --help           show this help\n"
        "\n"
        "The following options are useful for people managing distributions:\n"
        "\t-b, --basedir=DIR    Use an image of a module tree.\n"
        "\t-m, --moduledir=DIR  Use DIR as the module directory (default /lib/modules).\n"
        "\t-o, --outdir=DIR     Output directory for generated files.\n"
        "\t-F, --filesyms=FILE  Use the file instead of the\n"
        "\t                     current kernel symbols.\n"
        "\t-E, --symvers=FILE   Use Module.symvers file to check\n"
        "\t                     symbol versions.\n");
}

bool is_version_number(const char* s) {
    unsigned a, b;
    return std::sscanf(s, "%u.%u", &a, &b) == 2;
}

} // namespace

namespace {

enum LongOnly { k_opt_no_cache_id = 256 };

constexpr OptionSpec k_options[] = {
    {'a', "all", 'a', ValueKind::None, "Probe all modules"},
    {'A', "quick", 'A', ValueKind::None, "Only does the work if there's a new module"},
    {'e', "errsyms", 'e', ValueKind::None, "Report not supplied symbols"},
    {'n', "show", 'n', ValueKind::None, "Write the dependency file on stdout only"},
    {'n', "dry-run", 'n', ValueKind::None, {}}, // kmod's help does not list it
    {'P', "symbol-prefix", 'P', ValueKind::Word, "Architecture symbol prefix"},
    {'C', "config", 'C', ValueKind::File, "Use PATH as configuration file or directory"},
    {'v', "verbose", 'v', ValueKind::None, "Enable verbose mode"},
    {'w', "warn", 'w', ValueKind::None, "Warn on duplicates"},
    {'j', "jobs", 'j', ValueKind::Number, "Read modules on N threads (modkit)"},
    {k_opt_no_cache_id, "no-cache", 0, ValueKind::None, "Read every module again (modkit)"},
    {'V', "version", 'V', ValueKind::None, "show version"},
    {'h', "help", 'h', ValueKind::None, "show this help"},
    {'b', "basedir", 'b', ValueKind::Directory, "Use an image of a module tree"},
    {'m', "moduledir", 'm', ValueKind::Directory, "Use a different module directory"},
    {'o', "outdir", 'o', ValueKind::Directory, "Output directory for generated files"},
    {'F', "filesyms", 'F', ValueKind::File, "Use the file instead of the current kernel symbols"},
    {'E', "symvers", 'E', ValueKind::File, "Use Module.symvers file to check symbol versions"},
    {'u', "unresolved-error", 'u'}, // deprecated (kmod 30)
    {'q', "quiet", 'q'},            // deprecated (kmod 30)
    {'r', "root", 'r'},             // deprecated (kmod 30)
};

// The command line into `opt`; the exit status when it ends the run (-h, -V, bad input).
std::optional<int> parse_depmod_options(int argc, char** argv, depmod::DepmodOptions& opt) {
    int verbose = 0;
    optind = 0;
    OptionParser parser(k_options);
    for (int c; (c = parser.next(argc, argv)) != -1;) {
        switch (c) {
        case 'a':
            break; // the default
        case 'A':
            opt.quick = true;
            break;
        case 'b':
            opt.basedir = util::absolute_path(parser.value());
            break;
        case 'm':
            opt.moduledir = parser.value();
            break;
        case 'o':
            opt.outdir = util::absolute_path(parser.value());
            break;
        case 'C':
            opt.config_paths.emplace_back(parser.value());
            break;
        case 'E':
            opt.graph.symvers_path = parser.value();
            opt.graph.check_symvers = true;
            break;
        case 'F':
            opt.graph.system_map_path = parser.value();
            break;
        case 'e':
            opt.graph.print_unknown = true;
            break;
        case 'v':
            ++verbose;
            break;
        case 'n':
            opt.dry_run = true;
            break;
        case 'P': {
            std::string_view prefix = parser.value();
            if (prefix.size() != 1) {
                util::Diag::log(util::LogLevel::Fatal, "-P only takes a single char");
                return EXIT_FAILURE;
            }
            opt.graph.symbol_prefix = prefix[0];
            break;
        }
        case 'w':
            opt.warn_dups = true;
            break;
        case 'j': {
            char* end = nullptr;
            long n = std::strtol(parser.value(), &end, 10);
            if (*end != '\0' || n < 1 || n > 1024) {
                util::Diag::error(std::string("invalid --jobs value: ") + parser.value());
                return EXIT_FAILURE;
            }
            opt.jobs = static_cast<unsigned>(n);
            break;
        }
        case k_opt_no_cache_id:
            opt.use_cache = false;
            break;
        case 'u':
        case 'q':
        case 'r':
            util::Diag::warning("Ignored deprecated option " + parser.typed());
            break;
        case 'h':
            help(argv[0]);
            return EXIT_SUCCESS;
        case 'V':
            return print_kmod_version();
        default:
            return EXIT_FAILURE;
        }
    }
    util::Diag::set_level(
        static_cast<util::LogLevel>(std::min(static_cast<int>(util::LogLevel::Warning) + verbose,
                                             static_cast<int>(util::LogLevel::Debug))));
    opt.graph.verbose = verbose > 0;
    return std::nullopt;
}

// The kernel version (the first argument if it looks like one, else `uname -r`) and the
// module paths after it.
std::optional<int> parse_depmod_arguments(int argc, char** argv, depmod::DepmodOptions& opt) {
    if (optind < argc) {
        if (!is_version_number(argv[optind])) {
            util::Diag::error(std::string("Bad version passed ") + argv[optind]);
            return EXIT_FAILURE;
        }
        opt.kernel_version = argv[optind++];
    } else {
        opt.kernel_version = exec::real_system().kernel_release();
        if (opt.kernel_version.empty()) {
            util::Diag::log(util::LogLevel::Fatal,
                            std::string("uname() failed: ") + std::strerror(errno));
            return EXIT_FAILURE;
        }
    }
    for (int i = optind; i < argc; ++i)
        opt.module_paths.emplace_back(argv[i]);
    if (opt.graph.print_unknown && opt.graph.symvers_path.empty() &&
        opt.graph.system_map_path.empty()) {
        util::Diag::warning("-e needs -E or -F");
        opt.graph.print_unknown = false;
    }
    return std::nullopt;
}

} // namespace

std::span<const OptionSpec> depmod_options() {
    return k_options;
}

int depmod_main(int argc, char** argv) {
    depmod::DepmodOptions opt;
    if (auto done = parse_depmod_options(argc, argv, opt)) return *done;
    if (auto done = parse_depmod_arguments(argc, argv, opt)) return *done;
    depmod::DepmodSink sink;
    // On a terminal, a long run shows how far reading the modules has got (nowhere else); a
    // message first erases the line, so it is never written into it.
    util::ProgressLine progress;
    sink.message = [&progress](const config::Diagnostic& d) {
        progress.clear();
        util::Diag::log(d.level, d.message);
    };
    sink.out = [](std::string_view text) { util::Output::write(text); };
    if (progress.enabled())
        sink.progress = [&progress](size_t done, size_t total) {
            if (done == total)
                progress.finish();
            else
                progress.update("depmod: reading modules " + std::to_string(done) + "/" +
                                std::to_string(total));
        };
    // A run over a distribution tree touches some 30 MiB of heap; populating it in one step
    // took a warm incremental run from ~205 to ~150 ms on a 2-vCPU VM (util/prefault.hpp).
    util::reserve_heap(size_t{32} << 20);
    return depmod::run_depmod(opt, sink);
}

} // namespace modkit::cli
