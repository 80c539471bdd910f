// mktarball and ldtarball: DKMS's archive layout (./dkms_main_tree/<K>/<A>/..., plus
// ./dkms_source_tree/ or ./dkms_binaries_only/{dkms.conf,PACKAGE_NAME,PACKAGE_VERSION}),
// written and read with tar as DKMS does, so archives move between the two.
#include "dkms/actions.hpp"

#include "dkms/add.hpp"
#include "dkms/conf.hpp"
#include "dkms/shell.hpp"
#include "dkms/transaction.hpp"
#include "util/atomic_file.hpp"
#include "util/copy_tree.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::dkms {

namespace {

using util::is_directory;

// A temporary directory removed when this goes out of scope.
struct TempDir {
    std::string path;
    explicit TempDir(const std::string& tmp) {
        std::string t = tmp + "/dkms.XXXXXX";
        if (mkdtemp(t.data()) != nullptr) path = t;
    }
    ~TempDir() {
        if (!path.empty()) (void)util::remove_tree(path);
    }
};

bool run_tar(const std::vector<std::string>& args) {
    ShellCommand cmd;
    cmd.script = "exec tar \"$@\" 2>/dev/null";
    cmd.args = args;
    auto st = run_shell(cmd);
    return st && *st == 0;
}

} // namespace

Outcome mktarball_action(Context& ctx, const Selection& sel, Report& report) {
    Tree tree{ctx};
    const std::string& m = sel.module;
    const std::string& v = sel.version;
    std::string conf_path = ctx.conf.empty() ? tree.source_link(m, v) + "/dkms.conf" : ctx.conf;
    const KernelArch& first =
        sel.targets.empty() ? KernelArch{ctx.current_kernel, ctx.machine} : sel.targets[0];
    ConfRequest cr{m, v, conf_path, make_target(ctx, first.kernel, first.arch), false};
    if (auto conf = read_conf(ctx, cr, report); !conf)
        return die(conf.error().kind == util::ErrorKind::NotFound ? exit_code::k_conf_missing
                                                                  : exit_code::k_bad_conf,
                   {conf.error().kind == util::ErrorKind::NotFound
                        ? "Could not locate dkms.conf file."
                        : "Bad conf file.",
                    "File: " + conf_path +
                        (conf.error().kind == util::ErrorKind::NotFound
                             ? " does not exist."
                             : " does not represent a valid dkms.conf file.")});
    TempDir tmp(ctx.tmp_location);
    if (tmp.path.empty()) return die(exit_code::k_generic, {"Unable to make temporary directory"});
    (void)util::make_directories(tmp.path + "/dkms_main_tree");
    std::string kernels;
    if (ctx.source_only) {
        kernels = "source-only";
    } else {
        for (const auto& t : sel.targets) {
            std::string built = tree.built_dir(m, v, t.kernel, t.arch);
            if (!is_directory(built))
                return die(exit_code::k_install_failed,
                           {"No modules built for " + t.kernel + " (" + t.arch + ").",
                            "Modules must already be in the built state before using mktarball."});
            report.out("Marking modules for " + t.kernel + " (" + t.arch + ") for archiving...\n");
            kernels +=
                (kernels.empty() ? "" : "-") + std::string("kernel") + t.kernel + "-" + t.arch;
            std::string to = tmp.path + "/dkms_main_tree/" + t.kernel + "/" + t.arch;
            (void)util::make_directories(to);
            if (auto r = util::copy_tree_contents(built, to, util::Preserve::Mode); !r)
                return die(exit_code::k_install_failed, {r.error().describe()});
        }
    }
    if (ctx.binaries_only) {
        report.out("\nCreating tarball structure to specifically accommodate binaries.\n");
        std::string dir = tmp.path + "/dkms_binaries_only";
        (void)util::make_directories(dir);
        (void)util::write_file_atomic(dir + "/PACKAGE_NAME", m + "\n");
        (void)util::write_file_atomic(dir + "/PACKAGE_VERSION", v + "\n");
        (void)util::copy_file(conf_path, dir + "/dkms.conf", util::Preserve::Mode);
    } else {
        std::string source = tree.source_link(m, v);
        report.out("\nMarking " + source + " for archiving...\n");
        if (auto r = util::copy_tree_contents(source + "/", tmp.path + "/dkms_source_tree",
                                              util::Preserve::Mode);
            !r)
            return die(exit_code::k_install_failed, {r.error().describe()});
    }
    if (kernels.size() > 200) kernels = "manykernels";
    std::string name = m + "-" + v + "-" + kernels + ".dkms.tar.gz";
    std::string dest = tree.version_dir(m, v) + "/tarball/";
    if (!ctx.archive_location.empty()) {
        name = std::string(util::basename(ctx.archive_location));
        if (ctx.archive_location.find('/') != std::string::npos)
            dest = std::string(util::dirname(ctx.archive_location));
    }
    report.out("\nTarball location: " + dest + "/" + name + "\n");
    if (!is_directory(dest) && !util::make_directories(dest))
        return die(exit_code::k_no_conf_in_source, {"Missing write permissions for " + dest + "."});
    if (access(dest.c_str(), W_OK) != 0)
        return die(exit_code::k_no_conf_in_source, {"Missing write permissions for " + dest + "."});
    if (!run_tar({"-C", tmp.path, "-caf", dest + "/" + name, "."}))
        return die(exit_code::k_install_failed, {"Failed to make tarball."});
    return {};
}

Outcome ldtarball_action(Context& ctx, Selection& sel, Report& report) {
    const std::string& archive = ctx.archive_location;
    if (archive.empty() || !util::target_exists(archive))
        return die(exit_code::k_usage, {archive + " does not exist."});
    auto lock = TreeLock::acquire(ctx, report, MissingTree::Create);
    if (!lock) return die(exit_code::k_generic, {lock.error().describe()});
    if (auto r = recover(ctx, report); !r) return die(exit_code::k_generic, {r.error().describe()});
    TempDir tmp(ctx.tmp_location);
    if (tmp.path.empty()) return die(exit_code::k_generic, {"Unable to make temporary directory"});
    run_tar({"-xaf", archive, "-C", tmp.path});
    const KernelArch first =
        sel.targets.empty() ? KernelArch{ctx.current_kernel, ctx.machine} : sel.targets[0];
    AddRequest req{"", "", first.kernel, first.arch, ""};
    if (!is_directory(tmp.path + "/dkms_main_tree")) {
        // Not made by mktarball: a plain source archive with a dkms.conf somewhere inside.
        ShellCommand find;
        find.script = "find \"$1\"/ -name dkms.conf 2>/dev/null | head -n 1";
        find.args = {tmp.path};
        auto found = capture_shell(find);
        std::string conf = found ? std::string(util::trim(found->out)) : "";
        if (conf.empty())
            return die(exit_code::k_exists, {"Tarball does not appear to be a correctly formed "
                                             "DKMS archive. No dkms.conf found within it."});
        if (auto r = add_source_tree(ctx, req, std::string(util::dirname(conf)), report); !r)
            return r;
        return add_module(ctx, req, report);
    }
    std::string loc;
    Tree tree{ctx};
    for (const char* candidate : {"dkms_source_tree", "dkms_binaries_only"}) {
        std::string conf = tmp.path + "/" + candidate + "/dkms.conf";
        if (!util::target_exists(conf)) continue;
        ConfRequest cr{"", "", conf, make_target(ctx, first.kernel, first.arch), false};
        auto parsed = read_conf(ctx, cr, report);
        if (!parsed) {
            report.err("\nMalformed dkms.conf, refusing to load.\n");
            continue;
        }
        if (tree.is_added(parsed->package_name, parsed->package_version) && !ctx.force)
            return die(exit_code::k_bad_conf,
                       {parsed->package_name + "/" + parsed->package_version + " is already added!",
                        "Aborting."});
        req.module = parsed->package_name;
        req.version = parsed->package_version;
        loc = candidate;
        break;
    }
    if (loc.empty())
        return die(exit_code::k_no_module_built,
                   {"No valid dkms.conf in dkms_source_tree or dkms_binaries_only.",
                    archive + " is not a valid DKMS tarball."});
    report.out("\nLoading tarball for " + req.module + "/" + req.version + "\n");
    if (loc == "dkms_source_tree") {
        AddRequest copy = req;
        if (auto r = add_source_tree(ctx, copy, tmp.path + "/dkms_source_tree", report); !r)
            return r;
    } else if (!is_directory(tree.source_dir(req.module, req.version))) {
        std::string source = tree.source_link(req.module, req.version);
        report.out("Creating " + source + "\n");
        (void)util::make_directories(source);
        report.out("Copying dkms.conf to " + source + " ...\n");
        (void)util::copy_file(tmp.path + "/dkms_binaries_only/dkms.conf", source + "/dkms.conf",
                              util::Preserve::Mode);
    }
    for (const auto& k : Tree::list(tmp.path + "/dkms_main_tree")) {
        for (const auto& a : Tree::list(tmp.path + "/dkms_main_tree/" + k)) {
            std::string from = tmp.path + "/dkms_main_tree/" + k + "/" + a;
            if (!is_directory(from)) continue;
            std::string to = tree.built_dir(req.module, req.version, k, a);
            if (is_directory(to) && !ctx.force) {
                report.warning({to + " already exists. Skipping..."});
                continue;
            }
            report.out("Loading " + to + "...\n");
            (void)util::remove_tree(to);
            (void)util::make_directories(to);
            if (auto r = util::copy_tree_contents(from, to, util::Preserve::Mode); !r)
                return die(exit_code::k_generic, {r.error().describe()});
        }
    }
    sel.module = req.module;
    sel.version = req.version;
    if (loc == "dkms_binaries_only" && !is_directory(tree.source_dir(req.module, req.version)))
        return std::unexpected(Failure{exit_code::k_generic, {}, false});
    if (tree.is_added(req.module, req.version)) return {};
    return add_module(ctx, req, report);
}

} // namespace modkit::dkms
