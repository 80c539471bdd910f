// What modprobe's pieces share: the parsed options, the module directory, the configuration,
// the resolver and the system. Internal to src/cli (modprobe.cpp, modprobe_actions.cpp,
// explain.cpp).
#pragma once

#include "config/modprobe_config.hpp"
#include "exec/probe_exec.hpp"
#include "index/module_dir.hpp"
#include "resolve/resolver.hpp"
#include "util/json.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::cli::modprobe {

struct Options {
    bool all = false;            // -a
    bool remove = false;         // -r
    bool remove_holders = false; // --remove-holders
    unsigned long long wait_msec = 0;
    bool lookup_only = false; // -R
    bool first_time = false;
    bool ignore_commands = false; // -i
    bool use_blacklist = false;   // -b
    bool force = false;           // -f
    bool force_modversion = false;
    bool force_vermagic = false;
    bool show_depends = false; // -D: ignore loaded, dry run, show
    bool show_config = false;  // -c
    bool show_modversions = false;
    bool show_exports = false;
    bool dry_run = false;                  // -n
    bool explain = false;                  // --explain (modkit)
    bool json = false;                     // --json (modkit)
    std::vector<std::string> config_paths; // -C
    std::optional<std::string> root;       // -d
    std::optional<std::string> kversion;   // -S
    int verbose = 4;                       // LOG_WARNING + -v count, or 0 with -q
    bool quiet = false;
};

// The command line as parsed: options, the words after them, and the storage they point into.
struct CommandLine {
    Options opt;
    std::vector<std::string_view> args;
    std::vector<std::string> env_words; // $MODPROBE_OPTIONS, split
    std::vector<char*> words;           // argv[0], $MODPROBE_OPTIONS, the rest of argv
};

// Parses argv (with $MODPROBE_OPTIONS first) into `cl`. Returns the exit status when the
// command line ends the run: -h, -V, a bad option, or options that do not go together.
std::optional<int> parse_command_line(int argc, char** argv, CommandLine& cl);
// The usage rules: arguments present, modkit's --json/--explain only where they apply.
std::optional<int> check_usage(const CommandLine& cl);

struct Context {
    Options opt;
    std::string dirname;
    index::ModuleDirectory dir;
    config::ModprobeConfig config;
    resolve::Resolver resolver;
    exec::System& system;
    // The level modprobe's own LOG() messages use: FATAL, or WARNING with -a.
    util::LogLevel log_level = util::LogLevel::Fatal;
    // A FATAL message was printed: kmod's modprobe exits there with status 1, so every action
    // stops at once and nothing more is done or printed.
    bool halted = false;
    // With --json (-D, -R, --show-modversions, --show-exports): where the answers go instead of
    // modprobe's text lines (docs/json.md).
    util::JsonWriter* json = nullptr;

    Context(Options o, std::string dirname_, config::ModprobeConfig cfg, exec::System& sys)
        : opt(std::move(o))
        , dirname(dirname_)
        , dir(std::move(dirname_))
        , config(std::move(cfg))
        , resolver(dir, config, [this](util::LogLevel l, const std::string& m) { log(l, m); })
        , system(sys) {}
    Context(const Context&) = delete;

    bool show_actions() const { return opt.show_depends || opt.verbose > 4; }
    exec::Effects effects();
    // modprobe's LOG(): at log_level. A FATAL message that is printed halts the run (kmod's
    // log_printf exits on CRIT; one that -q suppresses does not).
    void log(const std::string& msg);
    void log(util::LogLevel level, const std::string& msg);
};

int insert_all(Context& ctx, const std::vector<std::string_view>& args);
int insert_one(Context& ctx, const std::string& name, const std::string* extra_options);
int remove_all(Context& ctx, const std::vector<std::string_view>& args);
int show_config(Context& ctx);
int show_modversions(Context& ctx, const std::string& path);
int show_exports(Context& ctx, const std::string& path);
int explain(Context& ctx, const std::vector<std::string_view>& args);

} // namespace modkit::cli::modprobe
