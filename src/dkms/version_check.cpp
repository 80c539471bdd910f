// check_version_sanity and its helpers.
#include "dkms/version_check.hpp"

#include "dkms/compare.hpp"
#include "module/module_file.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <ftw.h>

namespace modkit::dkms {

VersionInfo module_version_info(const std::string& path) {
    VersionInfo info;
    auto mod = module::ModuleFile::open(path);
    if (!mod) return info;
    auto entries = mod->modinfo();
    if (!entries) return info;
    for (const auto& e : *entries) {
        if (e.key == "version" && info.version.empty()) info.version = std::string(e.value);
        if (e.key == "srcversion" && info.srcversion.empty())
            info.srcversion = std::string(e.value);
    }
    return info;
}

std::string compare_module_versions(const VersionInfo& a, const VersionInfo& b) {
    if (a.version == b.version) return a.srcversion == b.srcversion ? "==" : "=";
    if (a.version.empty() || b.version.empty()) return "?";
    return ver_key(a.version) > ver_key(b.version) ? ">" : "<";
}

std::vector<std::string> find_module_files(const std::string& dir, const std::string& name) {
    static thread_local std::vector<std::string>* hits;
    static thread_local const std::string* wanted;
    std::vector<std::string> out;
    hits = &out;
    wanted = &name;
    nftw(
        dir.c_str(),
        [](const char* path, const struct stat*, int type, struct FTW* ftw) -> int {
            if (type != FTW_F) return 0;
            std::string_view base(path + ftw->base);
            for (const char* ext : {".ko", ".ko.gz", ".ko.xz", ".ko.zst"})
                if (base.size() == wanted->size() + std::string_view(ext).size() &&
                    util::starts_with(base, *wanted) && util::ends_with(base, ext))
                    hits->push_back(path);
            return 0;
        },
        32, FTW_PHYS);
    std::sort(out.begin(), out.end());
    return out;
}

namespace {

std::vector<std::string> dash_split(const std::string& s) {
    std::vector<std::string> out;
    for (auto p : util::split_any(s, "-"))
        out.emplace_back(p);
    return out;
}

// The OBSOLETE_BY part of check_version_sanity.
bool obsoleted(const std::string& kernelver, const std::string& obsolete_by, bool force) {
    if (obsolete_by.empty() || force) return false;
    auto obs = dash_split(obsolete_by);
    auto my = dash_split(kernelver);
    if (obs.empty() || my.empty()) return false;
    if (ver_key(obs[0]) == ver_key(my[0])) {
        if (obs.size() < 2) return true;
        std::string mine = my.size() > 1 ? ver_key(my[1]) : "";
        return mine >= ver_key(obs[1]);
    }
    return ver_key(my[0]) > ver_key(obs[0]);
}

} // namespace

bool check_version_sanity(const Context& ctx, const std::string& kernelver,
                          const std::string& obsolete_by, const std::string& dest_name,
                          const std::string& tree_module, Report& report) {
    if (obsoleted(kernelver, obsolete_by, ctx.force)) {
        report.err("\nModule has been obsoleted due to being included\nin kernel " + obsolete_by +
                   ".  We will avoid installing\nfor future kernels above " + obsolete_by +
                   ".\nYou may override by specifying --force.\n");
        return false;
    }
    auto found = find_module_files(ctx.install_tree + "/" + kernelver, dest_name);
    if (found.empty() || ctx.force_version_override) return true;
    if (found.size() > 1) {
        report.warning({"Warning! Cannot do version sanity checking because multiple " + dest_name +
                        ".ko modules were found in kernel " + kernelver + "."});
        return true;
    }
    VersionInfo kernel_info = module_version_info(found[0]);
    VersionInfo dkms_info = module_version_info(tree_module);
    std::string cmp = compare_module_versions(kernel_info, dkms_info);
    if (ctx.force) return true;
    if (cmp == ">") {
        report.error({"Module version " + dkms_info.version + " for " + dest_name + ".ko",
                      "is not newer than what is already found in kernel " + kernelver + " (" +
                          kernel_info.version + ").",
                      "You may override by specifying --force."});
        return false;
    }
    if (cmp == "=" || cmp == "==") {
        report.err(
            "Module version " + dkms_info.version + " for " + dest_name +
            ".ko\nexactly matches what is already found in kernel " + kernelver +
            ".\nDKMS will not replace this module.\nYou may override by specifying --force.\n");
        return false;
    }
    return true;
}

} // namespace modkit::dkms
