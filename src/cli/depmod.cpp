// depmod: kmod 34's options (plus kmod 30's deprecated -u/-q/-r, accepted and ignored, and
// modkit's -j/--jobs and --no-cache), parsed here; the work is depmod::run_depmod().
#include "cli/tools.hpp"

#include "depmod/depmod.hpp"
#include "util/diag.hpp"
#include "util/output.hpp"
#include "util/prefault.hpp"
#include "util/strings.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <getopt.h>
#include <string>
#include <sys/utsname.h>
#include <unistd.h>

namespace modkit::cli {

namespace {

enum LongOnly { k_opt_no_cache = 1000 };

std::string absolute(const char* path) {
    if (path[0] == '/') return path;
    char buf[4096];
    if (getcwd(buf, sizeof buf) == nullptr) return path;
    return std::string(buf) + "/" + path;
}

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

int depmod_main(int argc, char** argv) {
    static const option longopts[] = {
        {"all", no_argument, nullptr, 'a'},
        {"quick", no_argument, nullptr, 'A'},
        {"basedir", required_argument, nullptr, 'b'},
        {"moduledir", required_argument, nullptr, 'm'},
        {"outdir", required_argument, nullptr, 'o'},
        {"config", required_argument, nullptr, 'C'},
        {"symvers", required_argument, nullptr, 'E'},
        {"filesyms", required_argument, nullptr, 'F'},
        {"errsyms", no_argument, nullptr, 'e'},
        {"unresolved-error", no_argument, nullptr, 'u'}, // deprecated (kmod 30)
        {"quiet", no_argument, nullptr, 'q'},            // deprecated (kmod 30)
        {"root", no_argument, nullptr, 'r'},             // deprecated (kmod 30)
        {"verbose", no_argument, nullptr, 'v'},
        {"show", no_argument, nullptr, 'n'},
        {"dry-run", no_argument, nullptr, 'n'},
        {"symbol-prefix", required_argument, nullptr, 'P'},
        {"warn", no_argument, nullptr, 'w'},
        {"jobs", required_argument, nullptr, 'j'},
        {"no-cache", no_argument, nullptr, k_opt_no_cache},
        {"version", no_argument, nullptr, 'V'},
        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    depmod::DepmodOptions opt;
    int verbose = 0;
    optind = 0;
    for (;;) {
        int idx = -1;
        int c = getopt_long(argc, argv, "aAb:m:o:C:E:F:euqrvnP:wj:Vh", longopts, &idx);
        if (c == -1) break;
        switch (c) {
        case 'a':
            break; // the default
        case 'A':
            opt.quick = true;
            break;
        case 'b':
            opt.basedir = absolute(optarg);
            break;
        case 'm':
            opt.moduledir = optarg;
            break;
        case 'o':
            opt.outdir = absolute(optarg);
            break;
        case 'C':
            opt.config_paths.emplace_back(optarg);
            break;
        case 'E':
            opt.graph.symvers_path = optarg;
            opt.graph.check_symvers = true;
            break;
        case 'F':
            opt.graph.system_map_path = optarg;
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
        case 'P':
            if (optarg[0] == '\0' || optarg[1] != '\0') {
                util::Diag::log(util::LogLevel::Fatal, "-P only takes a single char");
                return EXIT_FAILURE;
            }
            opt.graph.symbol_prefix = optarg[0];
            break;
        case 'w':
            opt.warn_dups = true;
            break;
        case 'j': {
            char* end = nullptr;
            long n = std::strtol(optarg, &end, 10);
            if (*end != '\0' || n < 1 || n > 1024) {
                util::Diag::error(std::string("invalid --jobs value: ") + optarg);
                return EXIT_FAILURE;
            }
            opt.jobs = static_cast<unsigned>(n);
            break;
        }
        case k_opt_no_cache:
            opt.use_cache = false;
            break;
        case 'u':
        case 'q':
        case 'r':
            if (idx >= 0)
                util::Diag::warning(std::string("Ignored deprecated option --") +
                                    longopts[idx].name);
            else
                util::Diag::warning(std::string("Ignored deprecated option -") +
                                    static_cast<char>(c));
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

    if (optind < argc) {
        if (!is_version_number(argv[optind])) {
            util::Diag::error(std::string("Bad version passed ") + argv[optind]);
            return EXIT_FAILURE;
        }
        opt.kernel_version = argv[optind++];
    } else {
        utsname u;
        if (uname(&u) < 0) {
            util::Diag::log(util::LogLevel::Fatal,
                            std::string("uname() failed: ") + std::strerror(errno));
            return EXIT_FAILURE;
        }
        opt.kernel_version = u.release;
    }
    for (int i = optind; i < argc; ++i)
        opt.module_paths.emplace_back(argv[i]);

    if (opt.graph.print_unknown && opt.graph.symvers_path.empty() &&
        opt.graph.system_map_path.empty()) {
        util::Diag::warning("-e needs -E or -F");
        opt.graph.print_unknown = false;
    }

    depmod::DepmodSink sink;
    sink.message = [](const config::Diagnostic& d) { util::Diag::log(d.level, d.message); };
    sink.out = [](std::string_view text) { util::Output::write(text); };
    // A run over a distribution tree touches some 30 MiB of heap; populating it in one step
    // took a warm incremental run from ~205 to ~150 ms on a 2-vCPU VM (util/prefault.hpp).
    util::reserve_heap(size_t{32} << 20);
    int rc = depmod::run_depmod(opt, sink);
    return rc;
}

} // namespace modkit::cli
