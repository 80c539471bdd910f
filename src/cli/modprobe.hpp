// What modprobe's pieces share: the parsed options, the module directory, the configuration,
// the resolver and the system. Internal to src/cli (modprobe.cpp, modprobe_actions.cpp,
// explain.cpp).
#pragma once

#include "config/modprobe_config.hpp"
#include "exec/probe_exec.hpp"
#include "index/module_dir.hpp"
#include "kernel/system.hpp"
#include "resolve/resolver.hpp"

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

struct Context {
    Options opt;
    std::string dirname;
    index::ModuleDirectory dir;
    config::ModprobeConfig config;
    resolve::Resolver resolver;
    kernel::System& system;
    // The level modprobe's own LOG() messages use: FATAL (exits), or WARNING with -a.
    util::LogLevel log_level = util::LogLevel::Fatal;

    Context(Options o, std::string dirname_, config::ModprobeConfig cfg, kernel::System& sys)
        : opt(std::move(o))
        , dirname(dirname_)
        , dir(std::move(dirname_))
        , config(std::move(cfg))
        , resolver(dir, config)
        , system(sys) {}
    Context(const Context&) = delete;

    bool show_actions() const { return opt.show_depends || opt.verbose > 4; }
    exec::Effects effects();
    // modprobe's LOG(): at log_level; FATAL ends the process with status 1, as kmod's does.
    void log(const std::string& msg);
    // Prints (and forgets) what the resolver logged while resolving, as libkmod would.
    void flush_resolver_messages();
};

int insert_all(Context& ctx, const std::vector<std::string_view>& args);
int insert_one(Context& ctx, const std::string& name, const std::string* extra_options);
int remove_all(Context& ctx, const std::vector<std::string_view>& args);
int show_config(Context& ctx);
int show_modversions(Context& ctx, const std::string& path);
int show_exports(Context& ctx, const std::string& path);
int explain(Context& ctx, const std::vector<std::string_view>& args);

} // namespace modkit::cli::modprobe
