// modprobe: options (with $MODPROBE_OPTIONS prepended, as kmod does), the context (config,
// indexes, kernel command line) and the choice of action. The actions are in
// modprobe_actions.cpp and explain.cpp; the logic they call is in src/resolve and src/exec.
#include "cli/modprobe.hpp"

#include "cli/tools.hpp"
#include "config/config_files.hpp"
#include "util/diag.hpp"
#include "util/output.hpp"
#include "util/strings.hpp"

#include <cstdlib>
#include <cstring>
#include <getopt.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace modkit::cli {

namespace {

using modprobe::Options;

enum LongOnly {
    k_force_vermagic = 1,
    k_force_modversion = 2,
    k_first_time = 3,
    k_show_modversions = 4,
    k_remove_holders = 5,
    k_show_exports = 6,
    k_explain = 7,
    k_json = 8,
};

// kmod's prepend_options_from_env(): $MODPROBE_OPTIONS split on spaces, a quoted word keeps
// its spaces (quotes around a whole word are dropped; inside a word both quotes go).
std::vector<std::string> options_from_env() {
    std::vector<std::string> out;
    const char* env = std::getenv("MODPROBE_OPTIONS");
    if (env == nullptr) return out;
    std::string s = env;
    std::string word;
    bool in_word = false;
    char quote = 0;
    size_t quote_at = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (quote == 0) {
            if (c == ' ') {
                out.push_back(word); // kmod keeps empty words between double spaces
                word.clear();
                in_word = false;
                continue;
            }
            if (c == '"' || c == '\'') {
                quote = c;
                quote_at = word.size();
            }
            word += c;
            in_word = true;
        } else {
            if (c == quote) {
                if (quote_at == 0) {
                    // The whole word was quoted: it ends here, without its quotes.
                    out.push_back(word.substr(1));
                    word.clear();
                    in_word = false;
                    // kmod then starts the next word right after the closing quote.
                } else {
                    word.erase(quote_at, 1); // both quotes vanish inside a word
                }
                quote = 0;
                continue;
            }
            word += c;
        }
    }
    if (in_word && !word.empty()) out.push_back(word);
    return out;
}

void env_append(const std::string& value) {
    const char* old = std::getenv("MODPROBE_OPTIONS");
    std::string v = old == nullptr ? value : std::string(old) + " " + value;
    setenv("MODPROBE_OPTIONS", v.c_str(), 1);
}

void help(const std::string& p) {
    util::Output::write(
        "Usage:\n"
        "\t" +
        p +
        " [options] [-i] [-b] modulename\n"
        "\t" +
        p +
        " [options] -a [-i] [-b] modulename [modulename...]\n"
        "\t" +
        p +
        " [options] -r [-i] modulename\n"
        "\t" +
        p +
        " [options] -r -a [-i] modulename [modulename...]\n"
        "\t" +
        p +
        " [options] -c\n"
        "\t" +
        p +
        " [options] --dump-modversions filename\n"
        "Management Options:\n"
        "\t-a, --all                   Consider every non-argument to\n"
        "\t                            be a module name to be inserted\n"
        "\t                            or removed (-r)\n"
        "\t-r, --remove                Remove modules instead of inserting\n"
        "\t    --remove-dependencies   Deprecated: use --remove-holders\n"
        "\t    --remove-holders        Also remove module holders (use together with -r)\n"
        "\t-w, --wait <MSEC>           When removing a module, wait up to MSEC for\n"
        "\t                            module's refcount to become 0 so it can be\n"
        "\t                            removed (use together with -r)\n"
        "\t    --first-time            Fail if module already inserted or removed\n"
        "\t-i, --ignore-install        Ignore install commands\n"
        "\t-i, --ignore-remove         Ignore remove commands\n"
        "\t-b, --use-blacklist         Apply blacklist to resolved alias.\n"
        "\t-f, --force                 Force module insertion or removal.\n"
        "\t                            implies --force-modversions and\n"
        "\t                            --force-vermagic\n"
        "\t    --force-modversion      Ignore module's version\n"
        "\t    --force-vermagic        Ignore module's version magic\n"
        "\n"
        "Query Options:\n"
        "\t-R, --resolve-alias         Only lookup and print alias and exit\n"
        "\t-D, --show-depends          Only print module dependencies and exit\n"
        "\t-c, --showconfig            Print out known configuration and exit\n"
        "\t-c, --show-config           Same as --showconfig\n"
        "\t    --show-modversions      Dump module symbol version and exit\n"
        "\t    --dump-modversions      Same as --show-modversions\n"
        "\t    --show-exports          Only print module exported symbol versions and exit\n"
        "\t    --explain               Explain how each module would be resolved and loaded\n"
        "\t    --json                  With --explain: print the plan as JSON\n"
        "\n"
        "General Options:\n"
        "\t-n, --dry-run               Do not execute operations, just print out\n"
        "\t-n, --show                  Same as --dry-run\n"
        "\t-C, --config=FILE           Use FILE instead of default search paths\n"
        "\t-d, --dirname=DIR           Use DIR as filesystem root for /lib/modules\n"
        "\t-S, --set-version=VERSION   Use VERSION instead of `uname -r`\n"
        "\t-s, --syslog                print to syslog, not stderr\n"
        "\t-q, --quiet                 disable messages\n"
        "\t-v, --verbose               enables more messages\n"
        "\t-V, --version               show version\n"
        "\t-h, --help                  show this help\n");
}

std::string absolute(const std::string& path) {
    if (path.starts_with('/')) return path;
    char buf[4096];
    if (getcwd(buf, sizeof buf) == nullptr) return path;
    return std::string(buf) + "/" + path;
}

} // namespace

int modprobe_main(int argc, char** argv) {
    return modprobe_run(argc, argv, kernel::real_system());
}

int modprobe_run(int argc, char** argv, kernel::System& sys) {
    static const option longopts[] = {
        {"all", no_argument, nullptr, 'a'},
        {"remove", no_argument, nullptr, 'r'},
        {"remove-dependencies", no_argument, nullptr, k_remove_holders},
        {"remove-holders", no_argument, nullptr, k_remove_holders},
        {"wait", required_argument, nullptr, 'w'},
        {"resolve-alias", no_argument, nullptr, 'R'},
        {"first-time", no_argument, nullptr, k_first_time},
        {"ignore-install", no_argument, nullptr, 'i'},
        {"ignore-remove", no_argument, nullptr, 'i'},
        {"use-blacklist", no_argument, nullptr, 'b'},
        {"force", no_argument, nullptr, 'f'},
        {"force-modversion", no_argument, nullptr, k_force_modversion},
        {"force-vermagic", no_argument, nullptr, k_force_vermagic},
        {"show-depends", no_argument, nullptr, 'D'},
        {"showconfig", no_argument, nullptr, 'c'},
        {"show-config", no_argument, nullptr, 'c'},
        {"show-modversions", no_argument, nullptr, k_show_modversions},
        {"dump-modversions", no_argument, nullptr, k_show_modversions},
        {"show-exports", no_argument, nullptr, k_show_exports},
        {"explain", no_argument, nullptr, k_explain},
        {"json", no_argument, nullptr, k_json},
        {"dry-run", no_argument, nullptr, 'n'},
        {"show", no_argument, nullptr, 'n'},
        {"config", required_argument, nullptr, 'C'},
        {"dirname", required_argument, nullptr, 'd'},
        {"set-version", required_argument, nullptr, 'S'},
        {"syslog", no_argument, nullptr, 's'},
        {"quiet", no_argument, nullptr, 'q'},
        {"verbose", no_argument, nullptr, 'v'},
        {"version", no_argument, nullptr, 'V'},
        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };

    // $MODPROBE_OPTIONS goes first, as if typed before the real arguments. argv itself is not
    // copied: modprobe -a can get tens of thousands of names.
    std::vector<std::string> env_words = options_from_env();
    std::vector<char*> av;
    av.reserve(static_cast<size_t>(argc) + env_words.size() + 1);
    static char default_name[] = "modprobe";
    av.push_back(argc > 0 ? argv[0] : default_name);
    for (auto& w : env_words)
        av.push_back(w.data());
    for (int i = 1; i < argc; ++i)
        av.push_back(argv[i]);
    av.push_back(nullptr);
    int ac = static_cast<int>(av.size() - 1);

    Options opt;
    optind = 0;
    for (;;) {
        int c = getopt_long(ac, av.data(), "arw:RibfDcnC:d:S:sqvVh", longopts, nullptr);
        if (c == -1) break;
        switch (c) {
        case 'a':
            opt.all = true;
            break;
        case 'r':
            opt.remove = true;
            break;
        case k_remove_holders:
            opt.remove_holders = true;
            break;
        case 'w': {
            char* end = nullptr;
            unsigned long long v = std::strtoull(optarg, &end, 0);
            if (*optarg == '\0' || *end != '\0') {
                util::Diag::error(std::string("unexpected wait value '") + optarg + "'.");
                return EXIT_FAILURE;
            }
            opt.wait_msec = v;
            break;
        }
        case k_first_time:
            opt.first_time = true;
            break;
        case 'i':
            opt.ignore_commands = true;
            break;
        case 'b':
            opt.use_blacklist = true;
            break;
        case 'f':
            opt.force = true;
            break;
        case k_force_modversion:
            opt.force_modversion = true;
            break;
        case k_force_vermagic:
            opt.force_vermagic = true;
            break;
        case 'D':
            opt.show_depends = true;
            break;
        case 'R':
            opt.lookup_only = true;
            break;
        case 'c':
            opt.show_config = true;
            break;
        case k_show_modversions:
            opt.show_modversions = true;
            break;
        case k_show_exports:
            opt.show_exports = true;
            break;
        case k_explain:
            opt.explain = true;
            break;
        case k_json:
            opt.json = true;
            break;
        case 'n':
            opt.dry_run = true;
            break;
        case 'C':
            opt.config_paths.emplace_back(optarg);
            env_append("-C");
            env_append(optarg);
            break;
        case 'd':
            opt.root = optarg;
            break;
        case 'S':
            opt.kversion = optarg;
            break;
        case 's':
            env_append("-s");
            break; // modkit writes messages to stderr
        case 'q':
            env_append("-q");
            opt.quiet = true;
            opt.verbose = 0;
            break;
        case 'v':
            env_append("-v");
            ++opt.verbose;
            break;
        case 'V':
            return print_kmod_version();
        case 'h':
            help(std::string(util::basename(av[0])));
            return EXIT_SUCCESS;
        default:
            return EXIT_FAILURE;
        }
    }
    std::vector<std::string_view> args;
    args.reserve(static_cast<size_t>(ac - optind));
    for (int i = optind; i < ac; ++i)
        args.emplace_back(av[i]);

    if (!opt.show_config && args.empty()) {
        util::Diag::error("missing parameters. See -h.");
        return EXIT_FAILURE;
    }

    // The module directory: -d/-S, else /lib/modules/`uname -r`; libkmod makes it absolute.
    std::string dirname;
    {
        std::string kver = opt.kversion ? *opt.kversion : sys.kernel_release();
        dirname = absolute(opt.root.value_or("") + "/lib/modules/" + kver);
    }

    // Configuration: the -C paths or the default directories, modules.softdep and
    // modules.weakdep from the module directory, then the kernel command line.
    std::vector<std::string> paths = opt.config_paths;
    if (paths.empty()) paths = config::default_config_dirs(config::ConfigKind::Modprobe);
    auto files = config::list_config_files(paths, {config::ConfigKind::Modprobe, dirname});
    auto cmdline = sys.read_file("/proc/cmdline");
    std::optional<std::string_view> kcmdline;
    if (cmdline) kcmdline = *cmdline;
    auto cfg = config::ModprobeConfig::load(files, kcmdline);
    // These are logged by libkmod before modprobe sets up its own logging: its prefix, and
    // only errors (unless $KMOD_LOG says otherwise).
    for (const auto& d : cfg.diagnostics()) {
        if (d.level > util::LogLevel::Error) continue;
        std::string line = "libkmod: ERROR: ";
        if (!d.source.empty()) line += d.source + ": ";
        line += d.message;
        line += '\n';
        util::Diag::raw(line);
    }
    if (!cmdline && cmdline.error().kind != util::ErrorKind::NotFound)
        util::Diag::raw("libkmod: ERROR: kmod_config_parse_kcmdline: could not read from "
                        "'/proc/cmdline': " +
                        std::string(std::strerror(cmdline.error().sys_errno)) + "\n");

    util::Diag::set_level(static_cast<util::LogLevel>(std::min(opt.verbose, 7)));
    modprobe::Context ctx(std::move(opt), dirname, std::move(cfg), sys);
    if (ctx.opt.all) ctx.log_level = util::LogLevel::Warning;

    int err;
    if (ctx.opt.explain)
        err = modprobe::explain(ctx, args);
    else if (ctx.opt.show_config)
        err = modprobe::show_config(ctx);
    else if (ctx.opt.show_modversions)
        err = modprobe::show_modversions(ctx, std::string(args[0]));
    else if (ctx.opt.show_exports)
        err = modprobe::show_exports(ctx, std::string(args[0]));
    else if (ctx.opt.remove)
        err = modprobe::remove_all(ctx, args);
    else if (ctx.opt.all)
        err = modprobe::insert_all(ctx, args);
    else {
        // The first argument names the module; the others are its options, joined with
        // spaces, a value holding a space quoted ("name=value with space" -> name="...").
        std::string opts;
        bool have_opts = args.size() > 1;
        for (size_t i = 1; i < args.size(); ++i) {
            std::string a(args[i]);
            if (!opts.empty()) opts += ' '; // kmod adds a separator only after something
            auto eq = a.find('=');
            std::string_view value =
                eq == std::string::npos ? std::string_view() : std::string_view(a).substr(eq + 1);
            if (eq != std::string::npos && !value.starts_with('"') && !value.starts_with('\'') &&
                value.find(' ') != std::string_view::npos) {
                opts += a.substr(0, eq + 1);
                opts += '"';
                opts += value;
                opts += '"';
            } else {
                opts += a;
            }
        }
        err = modprobe::insert_one(ctx, std::string(args[0]), have_opts ? &opts : nullptr);
    }
    util::Output::flush();
    return err >= 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

} // namespace modkit::cli
