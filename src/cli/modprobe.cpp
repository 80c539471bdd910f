// modprobe: the context (config, indexes, kernel command line) and the choice of action. The
// command line is read in modprobe_options.cpp. The actions are in
// modprobe_actions.cpp and explain.cpp; the logic they call is in src/resolve and src/exec.
#include "cli/modprobe.hpp"

#include "cli/tools.hpp"
#include "config/config_files.hpp"
#include "module/params.hpp"
#include "util/diag.hpp"
#include "util/fs.hpp"
#include "util/json.hpp"
#include "util/output.hpp"

#include <cstdlib>
#include <cstring>

namespace modkit::cli {

int modprobe_main(int argc, char** argv) {
    return modprobe_run(argc, argv, exec::real_system());
}

namespace {

// The module directory: -d/-S, else /lib/modules/`uname -r`; libkmod makes it absolute.
std::string module_directory(const modprobe::Options& opt, exec::System& sys) {
    std::string kver = opt.kversion ? *opt.kversion : sys.kernel_release();
    return util::absolute_path(opt.root.value_or("") + "/lib/modules/" + kver);
}

// Configuration: the -C paths or the default directories, modules.softdep and modules.weakdep
// from the module directory, then the kernel command line. Its errors are logged by libkmod
// before modprobe sets up its own logging: with libkmod's prefix, and only errors.
config::ModprobeConfig load_config(const modprobe::Options& opt, const std::string& dirname,
                                   exec::System& sys) {
    std::vector<std::string> paths = opt.config_paths;
    if (paths.empty()) paths = config::default_config_dirs(config::ConfigKind::Modprobe);
    auto files = config::list_config_files(paths, {config::ConfigKind::Modprobe, dirname});
    auto cmdline = sys.read_file("/proc/cmdline");
    std::optional<std::string_view> kcmdline;
    if (cmdline) kcmdline = *cmdline;
    auto cfg = config::ModprobeConfig::load(files, kcmdline);
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
    return cfg;
}

// --json with -D, -R, --show-modversions or --show-exports: the same answers as one document
// (docs/json.md). -D and -R answer per argument, as their text does.
int dispatch_json(modprobe::Context& ctx, const std::vector<std::string_view>& args) {
    const modprobe::Options& o = ctx.opt;
    util::JsonWriter w;
    ctx.json = &w;
    w.begin_object().field("version", 1);
    int err = 0;
    if (o.show_config) {
        err = modprobe::show_config(ctx);
        w.end_object();
        util::Output::write(w.take());
    } else if (o.show_modversions || o.show_exports) {
        w.field("module", args[0]);
        err = o.show_modversions ? modprobe::show_modversions(ctx, std::string(args[0]))
                                 : modprobe::show_exports(ctx, std::string(args[0]));
        w.end_object();
        if (err >= 0) util::Output::write(w.take());
    } else {
        w.key("queries").begin_array();
        if (o.all) {
            err = modprobe::insert_all(ctx, args);
        } else {
            bool have_opts = args.size() > 1;
            std::string opts = module::join_options(std::span(args).subspan(1));
            err = modprobe::insert_one(ctx, std::string(args[0]), have_opts ? &opts : nullptr);
        }
        w.end_array().end_object();
        util::Output::write(w.take());
    }
    ctx.json = nullptr;
    return err;
}

int dispatch(modprobe::Context& ctx, const std::vector<std::string_view>& args) {
    const modprobe::Options& o = ctx.opt;
    if (o.explain) return modprobe::explain(ctx, args);
    if (o.json) return dispatch_json(ctx, args);
    if (o.show_config) return modprobe::show_config(ctx);
    if (o.show_modversions) return modprobe::show_modversions(ctx, std::string(args[0]));
    if (o.show_exports) return modprobe::show_exports(ctx, std::string(args[0]));
    if (o.remove) return modprobe::remove_all(ctx, args);
    if (o.all) return modprobe::insert_all(ctx, args);
    // The first argument names the module; the others are its options.
    bool have_opts = args.size() > 1;
    std::string opts = module::join_options(std::span(args).subspan(1));
    return modprobe::insert_one(ctx, std::string(args[0]), have_opts ? &opts : nullptr);
}

} // namespace

int modprobe_run(int argc, char** argv, exec::System& sys) {
    modprobe::CommandLine cl;
    if (auto done = modprobe::parse_command_line(argc, argv, cl)) return *done;
    std::string dirname = module_directory(cl.opt, sys);
    auto cfg = load_config(cl.opt, dirname, sys);
    util::Diag::set_level(static_cast<util::LogLevel>(std::min(cl.opt.verbose, 7)));
    modprobe::Context ctx(std::move(cl.opt), dirname, std::move(cfg), sys);
    if (ctx.opt.all) ctx.log_level = util::LogLevel::Warning;
    int err = dispatch(ctx, cl.args);
    util::Output::flush();
    return err >= 0 && !ctx.halted ? EXIT_SUCCESS : EXIT_FAILURE;
}

} // namespace modkit::cli
