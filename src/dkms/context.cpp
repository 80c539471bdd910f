// Framework files, the distribution and the per-kernel directories.
#include "dkms/context.hpp"
#include "util/atomic_file.hpp"

#include "dkms/conf_eval.hpp"
#include "util/fs.hpp"
#include "util/mapped_file.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <dirent.h>
#include <sys/stat.h>

namespace modkit::dkms {

const std::vector<std::string>& framework_names() {
    static const std::vector<std::string> names = {"source_tree",
                                                   "dkms_tree",
                                                   "install_tree",
                                                   "tmp_location",
                                                   "verbose",
                                                   "symlink_modules",
                                                   "autoinstall_all_kernels",
                                                   "modprobe_on_install",
                                                   "parallel_jobs",
                                                   "compress_gzip_opts",
                                                   "compress_xz_opts",
                                                   "compress_zstd_opts",
                                                   "post_transaction"};
    return names;
}

const std::vector<std::string>& framework_signing_names() {
    static const std::vector<std::string> names = {"sign_file", "mok_signing_key",
                                                   "mok_certificate", "try_sign_modules"};
    return names;
}

namespace {

// True when the file has no line that could set anything: only blanks and comments.
bool only_comments(const std::string& path) {
    auto data = util::read_file(path);
    if (!data) return false;
    std::string_view text(*data);
    for (std::string_view line : util::split(text, '\n')) {
        line = util::trim(line);
        if (!line.empty() && line[0] != '#') return false;
    }
    return true;
}

std::vector<std::string> framework_files(const Context& ctx) {
    std::vector<std::string> files;
    files.push_back(ctx.framework_dir + "/framework.conf");
    std::vector<std::string> extra;
    std::string dir = ctx.framework_dir + "/framework.conf.d";
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d)) {
            std::string name = e->d_name;
            if (name.size() > 5 && util::ends_with(name, ".conf") && name[0] != '.')
                extra.push_back(dir + "/" + name);
        }
        closedir(d);
    }
    std::sort(extra.begin(), extra.end());
    files.insert(files.end(), extra.begin(), extra.end());
    return files;
}

std::string* field_of(Context& ctx, const std::string& name) {
    if (name == "source_tree") return &ctx.source_tree;
    if (name == "dkms_tree") return &ctx.dkms_tree;
    if (name == "install_tree") return &ctx.install_tree;
    if (name == "tmp_location") return &ctx.tmp_location;
    if (name == "parallel_jobs") return &ctx.parallel_jobs;
    if (name == "compress_gzip_opts") return &ctx.compress_gzip_opts;
    if (name == "compress_xz_opts") return &ctx.compress_xz_opts;
    if (name == "compress_zstd_opts") return &ctx.compress_zstd_opts;
    if (name == "post_transaction") return &ctx.post_transaction;
    if (name == "sign_file") return &ctx.sign_file;
    if (name == "mok_signing_key") return &ctx.mok_signing_key;
    if (name == "mok_certificate") return &ctx.mok_certificate;
    if (name == "try_sign_modules") return &ctx.try_sign_modules;
    return nullptr;
}

bool* flag_of(Context& ctx, const std::string& name) {
    if (name == "verbose") return &ctx.verbose;
    if (name == "symlink_modules") return &ctx.symlink_modules;
    if (name == "autoinstall_all_kernels") return &ctx.autoinstall_all_kernels;
    if (name == "modprobe_on_install") return &ctx.modprobe_on_install;
    return nullptr;
}

} // namespace

util::Expected<void>
read_framework(Context& ctx, const std::vector<std::string>& names,
               const std::vector<std::pair<std::string, std::string>>& extra_globals) {
    std::vector<std::string> files;
    for (const auto& f : framework_files(ctx))
        if (util::target_exists(f) && !only_comments(f)) files.push_back(f);
    if (files.empty()) return {};
    EvalRequest req;
    req.files = files;
    req.names = names;
    req.reset_names = false;
    req.globals = extra_globals;
    for (const auto& n : names) {
        if (std::string* f = field_of(ctx, n))
            req.globals.emplace_back(n, *f);
        else if (bool* b = flag_of(ctx, n); b != nullptr && *b)
            req.globals.emplace_back(n, "true");
    }
    auto result = evaluate_files(req);
    if (!result) return util::fail(result.error());
    for (const auto& n : names) {
        if (!result->vars.has(n)) {
            if (bool* b = flag_of(ctx, n)) *b = false;
            continue;
        }
        const std::string& v = result->vars.get(n);
        if (std::string* f = field_of(ctx, n))
            *f = v;
        else if (bool* b = flag_of(ctx, n))
            *b = !v.empty();
    }
    return {};
}

namespace {

// KEY=value from an os-release file, with shell-style quotes removed.
std::string os_release_value(std::string_view text, std::string_view key) {
    for (std::string_view line : util::split(text, '\n')) {
        line = util::trim(line);
        if (!util::starts_with(line, key) || line.size() <= key.size() || line[key.size()] != '=')
            continue;
        std::string_view v = line.substr(key.size() + 1);
        if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
            v = v.substr(1, v.size() - 2);
        return std::string(v);
    }
    return {};
}

} // namespace

util::Expected<std::string> detect_distribution(const std::string& root) {
    for (const char* p : {"/etc/os-release", "/usr/lib/os-release"}) {
        auto data = util::read_file(root + p);
        if (!data) continue;
        std::string_view text(*data);
        std::string id = os_release_value(text, "ID");
        if (id == "ubuntu") return id;
        std::string like = os_release_value(text, "ID_LIKE");
        if (!like.empty()) return like; // ${ID_LIKE[0]} of a scalar is all of it
        return id;
    }
    return util::fail(util::ErrorKind::NotFound, ENOENT, root + "/etc/os-release",
                      "System is missing os-release file.");
}

std::string distro_dest_location(const Context& ctx, const std::string& dest_module_location) {
    if (!ctx.addon_modules_dir.empty()) return "/" + ctx.addon_modules_dir;
    const std::string& d = ctx.running_distribution;
    auto is = [&](std::string_view prefix) { return util::starts_with(d, prefix); };
    if (is("fedora") || is("centos") || is("rhel")) return "/extra";
    if (is("sles") || is("suse") || is("opensuse")) return "/updates";
    if (is("debian") || is("ubuntu") || is("arch")) return "/updates/dkms";
    return dest_module_location;
}

std::string kernel_source_dir_for(const Context& ctx, const std::string& kernelver) {
    if (!ctx.cli_kernel_source_dir.empty()) return ctx.cli_kernel_source_dir;
    return ctx.install_tree + "/" + kernelver + "/build";
}

std::string kernel_config_for(const Context& ctx, const std::string& kernel_source_dir) {
    if (!ctx.cli_kernel_config.empty()) return ctx.cli_kernel_config;
    std::string auto_conf = kernel_source_dir + "/include/config/auto.conf";
    if (util::target_exists(auto_conf)) return auto_conf;
    return kernel_source_dir + "/.config";
}

} // namespace modkit::dkms
