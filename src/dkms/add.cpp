// add_module and add_source_tree from dkms.in.
#include "dkms/add.hpp"

#include "dkms/conf.hpp"
#include "dkms/scripts.hpp"
#include "dkms/tree.hpp"
#include "util/atomic_file.hpp"
#include "util/copy_tree.hpp"
#include "util/fs.hpp"

#include <climits>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::dkms {

namespace {

using util::is_directory;

std::string canonical(const std::string& p) {
    char buf[PATH_MAX];
    return realpath(p.c_str(), buf) == nullptr ? std::string() : std::string(buf);
}

} // namespace

Outcome check_module_args(const std::string& action, const std::string& module,
                          const std::string& version) {
    if (!module.empty() && !version.empty()) return {};
    return die(exit_code::k_generic, {"Arguments <module> and <module-version> are not specified.",
                                      "Usage: " + action + " <module>/<module-version> or",
                                      "       " + action + " -m <module>/<module-version> or",
                                      "       " + action + " -m <module> -v <module-version>"});
}

Outcome add_source_tree(const Context& ctx, AddRequest& req, const std::string& path,
                        Report& report) {
    std::string from = canonical(path);
    if (from.empty() || access((from + "/dkms.conf").c_str(), F_OK) != 0)
        return die(exit_code::k_no_conf_in_source, {path + " must contain a dkms.conf file!"});
    if (geteuid() != 0) return die(exit_code::k_generic, {"You must be root to use this command."});
    ConfRequest cr;
    cr.conf_path = from + "/dkms.conf";
    cr.target = make_target(ctx, req.kernelver, req.arch);
    auto conf = read_conf(ctx, cr, report);
    if (!conf) return die(10, {"Malformed dkms.conf file. Cannot load source tree."});
    req.module = conf->package_name;
    req.version = conf->package_version;
    Tree tree{ctx};
    std::string dest = tree.source_dir(req.module, req.version);
    if (ctx.force && is_directory(dest)) {
        report.err("\n");
        report.out("Forcing install of " + req.module + "/" + req.version + "\n");
        if (auto r = util::remove_tree(dest); !r) return die(1, {r.error().describe()});
    }
    if (from == canonical(dest) || from == canonical(tree.source_link(req.module, req.version)) ||
        from == canonical(tree.build_dir(req.module, req.version)))
        return {};
    if (auto r = util::make_directories(dest); !r) return die(1, {r.error().describe()});
    if (auto r = util::copy_tree_contents(from, dest, util::Preserve::Mode); !r)
        return die(1, {r.error().describe()});
    return {};
}

Outcome add_module(const Context& ctx, AddRequest& req, Report& report) {
    if (!req.source_path.empty() && req.module.empty() && req.version.empty())
        if (auto r = add_source_tree(ctx, req, req.source_path, report); !r) return r;
    if (auto r = check_module_args("add", req.module, req.version); !r) return r;
    Tree tree{ctx};
    if (tree.is_added(req.module, req.version))
        return die(exit_code::k_exists,
                   {"DKMS tree already contains: " + req.module + "/" + req.version,
                    "You cannot add the same module/version combo more than once."});
    std::string conf_path =
        ctx.conf.empty() ? tree.source_dir(req.module, req.version) + "/dkms.conf" : ctx.conf;
    std::string src = tree.source_dir(req.module, req.version);
    if (!is_directory(src))
        return die(exit_code::k_usage, {"Could not find module source directory.",
                                        "Directory: " + src + " does not exist."});
    ConfRequest cr;
    cr.module = req.module;
    cr.module_version = req.version;
    cr.conf_path = conf_path;
    cr.target = make_target(ctx, req.kernelver, req.arch);
    cr.strict = true;
    auto conf = read_conf(ctx, cr, report);
    if (!conf) {
        if (conf.error().kind == util::ErrorKind::NotFound)
            return die(exit_code::k_conf_missing, {"Could not locate dkms.conf file.",
                                                   "File: " + conf_path + " does not exist."});
        return die(exit_code::k_bad_conf,
                   {"Bad conf file.",
                    "File: " + conf_path + " does not represent a valid dkms.conf file."});
    }
    report.out("Creating symlink " + tree.source_link(req.module, req.version) + " -> " + src +
               "\n");
    if (auto r = util::make_directories(tree.build_dir(req.module, req.version)); !r)
        return die(1, {r.error().describe()});
    if (symlink(src.c_str(), tree.source_link(req.module, req.version).c_str()) != 0)
        return die(1, {"Cannot create " + tree.source_link(req.module, req.version)});
    ScriptRun run{ScriptKind::PostAdd, conf->post_add, req.module, req.version, -1, "", ""};
    run_package_script(ctx, run, report);
    return {};
}

} // namespace modkit::dkms
