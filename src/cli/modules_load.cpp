// modules-load: a drop-in for systemd-modules-load (systemd 252, Debian 12). Reads the kernel
// command line and the modules-load.d files (or the files named on the command line), plans every
// entry through the resolver, loads them through exec/ (independent entries in parallel unless
// --sequential), and prints systemd's log lines in the order systemd would, with its exit status.
#include "cli/option_table.hpp"
#include "cli/tools.hpp"

#include "config/config_files.hpp"
#include "config/modules_load.hpp"
#include "exec/load_list.hpp"
#include "exec/system.hpp"
#include "index/module_dir.hpp"
#include "resolve/load_list.hpp"
#include "util/diag.hpp"
#include "util/output.hpp"
#include "util/parallel.hpp"
#include "util/strings.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace modkit::cli {

namespace {

using util::LogLevel;

// systemd's log: a maximum level (info unless $SYSTEMD_LOG_LEVEL says otherwise), whole lines
// to stderr, with a "<N>" priority prefix when stderr is the journal so that journald files each
// line at its level, as it does for systemd-modules-load's own journal messages.
class Log {
public:
    Log() {
        m_prefixed = stderr_is_journal();
        if (const char* e = std::getenv("SYSTEMD_LOG_LEVEL")) {
            if (auto level = parse_level(e))
                m_max = *level;
            else
                line(LogLevel::Warning,
                     std::string("Failed to parse log level '") + e + "'. Ignoring.");
        }
    }

    bool enabled(LogLevel level) const { return static_cast<int>(level) <= m_max; }

    void line(LogLevel level, std::string_view msg) {
        if (!enabled(level)) return;
        std::string text;
        if (m_prefixed) text = "<" + std::to_string(static_cast<int>(level)) + ">";
        text += msg;
        text += '\n';
        util::Diag::raw(text);
    }

private:
    static std::optional<int> parse_level(std::string_view s) {
        static constexpr const char* k_names[] = {"emerg",   "alert",  "crit", "err",
                                                  "warning", "notice", "info", "debug"};
        for (int i = 0; i < 8; ++i)
            if (s == k_names[i]) return i;
        if (s.size() == 1 && s[0] >= '0' && s[0] <= '7') return s[0] - '0';
        return std::nullopt;
    }

    // $JOURNAL_STREAM is "device:inode" of the stream systemd connected to stderr.
    static bool stderr_is_journal() {
        const char* e = std::getenv("JOURNAL_STREAM");
        if (e == nullptr) return false;
        unsigned long long dev = 0, ino = 0;
        char tail = 0;
        if (std::sscanf(e, "%llu:%llu%c", &dev, &ino, &tail) != 2) return false;
        struct stat st {};
        if (::fstat(STDERR_FILENO, &st) < 0) return false;
        return st.st_dev == dev && st.st_ino == ino;
    }

    int m_max = static_cast<int>(LogLevel::Info);
    bool m_prefixed = false;
};

struct Options {
    unsigned jobs = 0; // 0: all CPUs
    bool dry_run = false;
    std::string root; // modkit's own: configuration and modules under this directory
    std::vector<std::string> files;
};

// The run as systemd would log it: file-level messages and entries, in order.
struct Record {
    std::optional<std::pair<LogLevel, std::string>> message;
    bool counts = false; // the message makes the exit status a failure
    size_t entry = 0;    // when there is no message
};

void help(const std::string& prog) {
    util::Output::write(
        prog + " [OPTIONS...] [CONFIGURATION FILE...]\n\n"
               "Loads statically configured kernel modules.\n\n"
               "  -h --help             Show this help\n"
               "     --version          Show package version\n"
               "  -j --jobs=N           Load up to N modules at once (default: one per CPU)\n"
               "     --sequential       Load one module at a time, in order (-j 1)\n"
               "  -n --dry-run          Print each entry, where it comes from and its plan;\n"
               "                        load nothing\n"
               "     --root=DIR         Read the configuration and modules under DIR\n"
               "\nSee the modules-load.d(5) man page for the configuration.\n");
}

bool in_initrd(const std::string& root) {
    if (const char* e = std::getenv("SYSTEMD_IN_INITRD")) {
        std::string_view v = e;
        if (v == "1" || v == "yes" || v == "y" || v == "true" || v == "t" || v == "on") return true;
        if (v == "0" || v == "no" || v == "n" || v == "false" || v == "f" || v == "off")
            return false;
    }
    return ::access((root + "/etc/initrd-release").c_str(), F_OK) == 0;
}

std::string errno_text(int err) {
    return std::strerror(err < 0 ? -err : err);
}

// A file named on the command line: an absolute path, or a name searched for in the
// modules-load.d directories (the first that opens).
util::Expected<config::ParsedLoadFile> open_named(const std::string& name,
                                                  const std::vector<std::string>& dirs) {
    if (name.starts_with('/')) return config::read_modules_load_file(name);
    for (const std::string& dir : dirs) {
        auto parsed = config::read_modules_load_file(dir + "/" + name);
        if (parsed || parsed.error().sys_errno != ENOENT) return parsed;
    }
    return util::fail(util::ErrorKind::NotFound, ENOENT, name, "not found");
}

void print_plan(const config::LoadEntry& e, const resolve::LoadItem& item) {
    std::string out = e.origin.describe() + ": " + e.name + "\n";
    if (item.lookup_error) out += "  lookup failed: " + item.lookup_error->describe() + "\n";
    if (!item.lookup_error && item.targets.empty()) out += "  not found\n";
    for (const resolve::LoadTarget& t : item.targets) {
        if (t.builtin) {
            out += "  builtin " + t.name + "\n";
            continue;
        }
        if (t.plan.blacklisted) {
            out += "  blacklisted " + t.name + "\n";
            continue;
        }
        for (const resolve::ProbeStep& s : t.plan.steps) {
            switch (s.kind) {
            case resolve::StepKind::Insmod:
                out += "  insmod " + s.path + " " + s.options + "\n";
                break;
            case resolve::StepKind::Install:
                out += "  install " + s.install->command + " " + s.options + "\n";
                break;
            case resolve::StepKind::Builtin:
                out += "  builtin " + s.name + "\n";
                break;
            case resolve::StepKind::Missing:
                out += "  missing " + s.name + "\n";
                break;
            }
        }
    }
    util::Output::write(out);
}

// One entry's lines, as module_load_and_warn logs them; false when it counts as a failure.
bool report(Log& log, const resolve::LoadItem& item, const exec::ItemOutcome& outcome) {
    const std::string& name = item.entry.name;
    log.line(LogLevel::Debug, "Loading module: " + name);
    if (item.lookup_error) {
        log.line(LogLevel::Error, "Failed to look up module alias '" + name +
                                      "': " + errno_text(item.lookup_error->sys_errno));
        return false;
    }
    if (item.targets.empty()) {
        log.line(LogLevel::Error, "Failed to find module '" + name + "'");
        return true; // systemd does not count a missing module as a failure
    }
    for (const std::string& m : item.messages)
        log.line(LogLevel::Error, m);
    bool ok = true;
    for (size_t i = 0; i < item.targets.size(); ++i) {
        const std::string& mod = item.targets[i].name;
        const exec::TargetOutcome& o = outcome.targets[i];
        for (const auto& [level, msg] : o.log)
            log.line(level, msg);
        switch (o.result) {
        case exec::LoadResult::BuiltIn:
            log.line(LogLevel::Info, "Module '" + mod + "' is built in");
            break;
        case exec::LoadResult::AlreadyLoaded:
            log.line(LogLevel::Debug, "Module '" + mod + "' is already loaded");
            break;
        case exec::LoadResult::Inserted:
            log.line(LogLevel::Info, "Inserted module '" + mod + "'");
            break;
        case exec::LoadResult::Blacklisted:
            log.line(LogLevel::Info, "Module '" + mod + "' is deny-listed");
            break;
        case exec::LoadResult::Failed: {
            LogLevel level = o.err == -ENODEV   ? LogLevel::Notice
                             : o.err == -ENOENT ? LogLevel::Warning
                                                : LogLevel::Error;
            log.line(level, "Failed to insert module '" + mod + "': " + errno_text(o.err));
            if (o.err != -ENODEV && o.err != -ENOENT) ok = false;
            break;
        }
        }
    }
    return ok;
}

enum { k_version = 0x100, k_sequential, k_root };
constexpr OptionSpec k_options[] = {
    {'h', "help", 'h', ValueKind::None, "Show this help"},
    {k_version, "version", 0, ValueKind::None, "Show package version"},
    {'j', "jobs", 'j', ValueKind::Number, "Load up to N entries at once (default: one per CPU)"},
    {k_sequential, "sequential", 0, ValueKind::None, "Load one entry after another"},
    {'n', "dry-run", 'n', ValueKind::None, "Print each entry's file:line and plan, load nothing"},
    {k_root, "root", 0, ValueKind::Directory, "Read configuration and modules under ROOT"},
};

int parse_args(int argc, char** argv, Options& opt) {
    optind = 0;
    OptionParser parser(k_options);
    for (;;) {
        int c = parser.next(argc, argv);
        if (c == -1) break;
        switch (c) {
        case 'h':
            help(std::string(util::basename(argv[0])));
            return 0;
        case k_version:
            util::Output::write("modkit " MODKIT_VERSION "\n");
            return 0;
        case 'j': {
            char* end = nullptr;
            unsigned long v = std::strtoul(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v == 0 || v > 1024) {
                util::Diag::raw(std::string("Invalid number of jobs: ") + optarg + "\n");
                return -EINVAL;
            }
            opt.jobs = static_cast<unsigned>(v);
            break;
        }
        case k_sequential:
            opt.jobs = 1;
            break;
        case 'n':
            opt.dry_run = true;
            break;
        case k_root:
            opt.root = parser.value();
            break;
        default:
            return -EINVAL;
        }
    }
    for (int i = optind; i < argc; ++i)
        opt.files.emplace_back(argv[i]);
    return 1;
}

} // namespace

std::span<const OptionSpec> modules_load_options() {
    return k_options;
}

int modules_load_run(int argc, char** argv, exec::System& sys) {
    Options opt;
    if (int r = parse_args(argc, argv, opt); r <= 0) {
        util::Output::flush();
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
    }
    Log log;
    ::umask(0022);

    // The kernel command line, as systemd reads it ($SYSTEMD_PROC_CMDLINE overrides, for tests);
    // libkmod reads /proc/cmdline itself for module options.
    std::optional<std::string> cmdline;
    auto proc_cmdline = sys.read_file("/proc/cmdline");
    if (const char* e = std::getenv("SYSTEMD_PROC_CMDLINE"))
        cmdline = e;
    else if (proc_cmdline)
        cmdline = *proc_cmdline;
    else
        log.line(LogLevel::Warning, "Failed to parse kernel command line, ignoring: " +
                                        errno_text(proc_cmdline.error().sys_errno));

    // libkmod's context: modprobe.d, the module directory, the kernel command line's options.
    std::string dirname = opt.root + "/lib/modules/" + sys.kernel_release();
    auto conf_dirs = config::default_config_dirs(config::ConfigKind::Modprobe, opt.root);
    auto conf_files = config::list_config_files(conf_dirs, {config::ConfigKind::Modprobe, dirname});
    std::optional<std::string_view> kcmdline;
    if (proc_cmdline) kcmdline = *proc_cmdline;
    auto cfg = config::ModprobeConfig::load(conf_files, kcmdline);
    for (const auto& d : cfg.diagnostics()) {
        if (d.level > LogLevel::Error) continue;
        util::Diag::raw("libkmod: ERROR: " + (d.source.empty() ? "" : d.source + ": ") + d.message +
                        "\n");
    }

    std::vector<config::LoadEntry> entries;
    std::vector<Record> records;
    auto add_entries = [&](const std::vector<config::LoadEntry>& list) {
        for (const config::LoadEntry& e : list) {
            records.push_back({std::nullopt, false, entries.size()});
            entries.push_back(e);
        }
    };
    auto add_file = [&](const util::Expected<config::ParsedLoadFile>& parsed,
                        const std::string& shown, bool ignore_missing) {
        if (!parsed) {
            if (ignore_missing && parsed.error().sys_errno == ENOENT) return;
            records.push_back(
                {std::make_pair(LogLevel::Error, "Failed to open " + shown + ": " +
                                                     errno_text(parsed.error().sys_errno)),
                 true, 0});
            return;
        }
        records.push_back({std::make_pair(LogLevel::Debug, "apply: " + shown), false, 0});
        add_entries(parsed->entries);
        if (parsed->error) {
            const util::Error& e = *parsed->error;
            records.push_back(
                {std::make_pair(LogLevel::Error, "Failed to read file '" + e.path + "', line " +
                                                     std::to_string(e.line) + ": " +
                                                     errno_text(e.sys_errno)),
                 true, 0});
        }
    };

    auto load_dirs = config::modules_load_dirs(opt.root);
    if (!opt.files.empty()) {
        for (const std::string& f : opt.files) {
            auto parsed = open_named(f, load_dirs);
            add_file(parsed, parsed ? parsed->path : f, false);
        }
    } else {
        if (cmdline) {
            auto cl = config::parse_modules_load_cmdline(
                *cmdline, in_initrd(opt.root) ? config::InInitrd::Yes : config::InInitrd::No);
            for (const auto& d : cl.diagnostics)
                log.line(d.level, d.message);
            add_entries(cl.entries);
        }
        for (const std::string& path : config::list_modules_load_files(load_dirs))
            add_file(config::read_modules_load_file(path), path, true);
    }

    index::ModuleDirectory dir(dirname);
    resolve::Resolver resolver(dir, cfg);
    auto items = resolve::plan_load_list(resolver, entries);

    if (opt.dry_run) {
        for (const Record& rec : records)
            if (!rec.message)
                print_plan(entries[rec.entry], items[rec.entry]);
            else if (rec.counts)
                log.line(rec.message->first, rec.message->second);
        util::Output::flush();
        return EXIT_SUCCESS;
    }

    exec::LoadListOptions run;
    run.jobs = opt.jobs != 0 ? opt.jobs : util::default_jobs();
    auto outcomes = exec::run_load_list(items, sys, run);

    bool ok = true;
    for (const Record& rec : records) {
        if (rec.message) {
            log.line(rec.message->first, rec.message->second);
            if (rec.counts) ok = false;
        } else if (!report(log, items[rec.entry], outcomes[rec.entry])) {
            ok = false;
        }
    }
    util::Output::flush();
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}

int modules_load_main(int argc, char** argv) {
    return modules_load_run(argc, argv, exec::real_system());
}

} // namespace modkit::cli
