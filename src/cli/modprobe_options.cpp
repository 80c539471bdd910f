// modprobe's command line: the option table, $MODPROBE_OPTIONS (prepended, as kmod does, and
// extended with -C/-q/-v/-s for the commands modprobe runs), the help text and the usage rules
// about which options go together.
#include "cli/modprobe.hpp"

#include "cli/option_table.hpp"
#include "cli/tools.hpp"
#include "util/diag.hpp"
#include "util/output.hpp"
#include "util/strings.hpp"

#include <cstdlib>
#include <cstring>
#include <getopt.h>

namespace modkit::cli::modprobe {

namespace {
enum LongOnly {
    k_force_vermagic = 256,
    k_force_modversion,
    k_first_time,
    k_show_modversions,
    k_remove_holders,
    k_show_exports,
    k_explain,
    k_json,
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
        "\t    --json                  With --explain, -c, -D, -R, --show-modversions or\n"
        "\t                            --show-exports: print the answer as JSON\n"
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

constexpr OptionSpec k_options[] = {
    {'a', "all", 'a', ValueKind::None, "Consider every non-argument a module to load or remove"},
    {'r', "remove", 'r', ValueKind::None, "Remove modules instead of inserting"},
    {k_remove_holders, "remove-dependencies", 0, ValueKind::None, {}}, // deprecated
    {k_remove_holders, "remove-holders", 0, ValueKind::None, "Also remove module holders"},
    {'w', "wait", 'w', ValueKind::Number, "Wait up to N milliseconds for the refcount to drop"},
    {k_first_time, "first-time", 0, ValueKind::None, "Fail if already inserted or removed"},
    {'i', "ignore-install", 'i', ValueKind::None, "Ignore install commands"},
    {'i', "ignore-remove", 'i', ValueKind::None, "Ignore remove commands"},
    {'b', "use-blacklist", 'b', ValueKind::None, "Apply blacklist to resolved alias"},
    {'f', "force", 'f', ValueKind::None, "Force module insertion or removal"},
    {k_force_modversion, "force-modversion", 0, ValueKind::None, "Ignore module's version"},
    {k_force_vermagic, "force-vermagic", 0, ValueKind::None, "Ignore module's version magic"},
    {'R', "resolve-alias", 'R', ValueKind::None, "Only lookup and print alias and exit"},
    {'D', "show-depends", 'D', ValueKind::None, "Only print module dependencies and exit"},
    {'c', "showconfig", 'c', ValueKind::None, "Print out known configuration and exit"},
    {'c', "show-config", 'c', ValueKind::None, "Same as --showconfig"},
    {k_show_modversions, "show-modversions", 0, ValueKind::None, "Dump symbol versions"},
    {k_show_modversions, "dump-modversions", 0, ValueKind::None, "Same as --show-modversions"},
    {k_show_exports, "show-exports", 0, ValueKind::None, "Print exported symbol versions"},
    {k_explain, "explain", 0, ValueKind::None, "Explain how each module would be resolved"},
    {k_json, "json", 0, ValueKind::None, "Print --explain, -c, -D, -R or --show-* as JSON"},
    {'n', "dry-run", 'n', ValueKind::None, "Do not execute operations, just print out"},
    {'n', "show", 'n', ValueKind::None, "Same as --dry-run"},
    {'C', "config", 'C', ValueKind::File, "Use FILE instead of default search paths"},
    {'d', "dirname", 'd', ValueKind::Directory, "Use DIR as filesystem root for /lib/modules"},
    {'S', "set-version", 'S', ValueKind::KernelVersion, "Use VERSION instead of `uname -r`"},
    {'s', "syslog", 's', ValueKind::None, "print to syslog, not stderr"},
    {'q', "quiet", 'q', ValueKind::None, "disable messages"},
    {'v', "verbose", 'v', ValueKind::None, "enables more messages"},
    {'V', "version", 'V', ValueKind::None, "show version"},
    {'h', "help", 'h', ValueKind::None, "show this help"},
};

// The option just parsed, into `opt`; the exit status when it ends the run.
std::optional<int> apply_option(int c, const char* value, const char* prog, Options& opt) {
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
        unsigned long long v = std::strtoull(value, &end, 0);
        if (*value == '\0' || *end != '\0') {
            util::Diag::error(std::string("unexpected wait value '") + value + "'.");
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
        opt.config_paths.emplace_back(value);
        env_append("-C");
        env_append(value);
        break;
    case 'd':
        opt.root = value;
        break;
    case 'S':
        opt.kversion = value;
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
        help(std::string(util::basename(prog)));
        return EXIT_SUCCESS;
    default:
        return EXIT_FAILURE;
    }
    return std::nullopt;
}

// getopt over the words; returns the exit status when the command line ends the run (-h, -V,
// a bad option).
std::optional<int> parse_words(int ac, char** av, Options& opt) {
    optind = 0;
    OptionParser parser(k_options);
    for (int c; (c = parser.next(ac, av)) != -1;)
        if (auto done = apply_option(c, parser.value(), av[0], opt)) return done;
    return std::nullopt;
}

} // namespace

} // namespace modkit::cli::modprobe

namespace modkit::cli {

std::span<const OptionSpec> modprobe_options() {
    return modprobe::k_options;
}

} // namespace modkit::cli

namespace modkit::cli::modprobe {

std::optional<int> parse_command_line(int argc, char** argv, CommandLine& cl) {
    // $MODPROBE_OPTIONS goes first, as if typed before the real arguments. argv itself is not
    // copied: modprobe -a can get tens of thousands of names.
    cl.env_words = options_from_env();
    cl.words.reserve(static_cast<size_t>(argc) + cl.env_words.size() + 1);
    static char default_name[] = "modprobe";
    cl.words.push_back(argc > 0 ? argv[0] : default_name);
    for (auto& w : cl.env_words)
        cl.words.push_back(w.data());
    for (int i = 1; i < argc; ++i)
        cl.words.push_back(argv[i]);
    cl.words.push_back(nullptr);
    int ac = static_cast<int>(cl.words.size() - 1);
    if (auto done = parse_words(ac, cl.words.data(), cl.opt)) return done;
    cl.args.reserve(static_cast<size_t>(ac - optind));
    for (int i = optind; i < ac; ++i)
        cl.args.emplace_back(cl.words[static_cast<size_t>(i)]);
    return check_usage(cl);
}

std::optional<int> check_usage(const CommandLine& cl) {
    const Options& o = cl.opt;
    if (!o.show_config && cl.args.empty()) {
        util::Diag::error("missing parameters. See -h.");
        return EXIT_FAILURE;
    }
    // modkit's own options: refused where they do not apply, never silently ignored.
    // --json answers questions; loading and removing print nothing a program should parse.
    const bool json_query = o.explain || ((o.show_depends || o.lookup_only) && !o.remove) ||
                            o.show_modversions || o.show_exports || o.show_config;
    if (o.json && !json_query) {
        util::Diag::error("--json applies only to --explain, -c, -D, -R, --show-modversions and "
                          "--show-exports. See -h.");
        return EXIT_FAILURE;
    }
    if (o.explain && (o.show_config || o.show_modversions || o.show_exports || o.lookup_only ||
                      o.show_depends)) {
        util::Diag::error("--explain cannot be combined with -c, -D, -R, --show-modversions or "
                          "--show-exports. See -h.");
        return EXIT_FAILURE;
    }
    return std::nullopt;
}

} // namespace modkit::cli::modprobe
