// Tree predicates and listings: stat/readlink/readdir only.
#include "dkms/tree.hpp"
#include "util/atomic_file.hpp"
#include "util/fs.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::dkms {

namespace {

using util::is_directory;

bool is_symlink(const std::string& p) {
    struct stat st;
    return lstat(p.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

bool exists_no_follow(const std::string& p) {
    struct stat st;
    return lstat(p.c_str(), &st) == 0;
}

std::string canonical(const std::string& p) {
    char buf[PATH_MAX];
    if (realpath(p.c_str(), buf) == nullptr) return {};
    return buf;
}

} // namespace

bool looks_like_kernel_dir(const std::string& name) {
    size_t i = 0;
    while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i])) != 0)
        ++i;
    return i > 0 && i < name.size() && name[i] == '.';
}

bool Tree::is_added(const std::string& m, const std::string& v) const {
    if (m.empty() || v.empty()) return false;
    std::string src = source_link(m, v);
    return is_symlink(src) && is_directory(src);
}

bool Tree::is_broken(const std::string& m, const std::string& v) const {
    if (m.empty() || v.empty() || !is_directory(version_dir(m, v))) return false;
    std::string src = source_link(m, v);
    if (is_symlink(src)) return !is_directory(src);
    return !exists_no_follow(src) && is_directory(source_dir(m, v));
}

bool Tree::is_built(const std::string& m, const std::string& v, const std::string& k,
                    const std::string& a) const {
    if (m.empty() || v.empty() || k.empty() || a.empty()) return false;
    return is_directory(built_dir(m, v, k, a) + "/module");
}

bool Tree::is_installed(const std::string& m, const std::string& v, const std::string& k,
                        const std::string& a) const {
    std::string link = kernel_link(m, k, a);
    if (!is_symlink(link)) return false;
    std::string target = canonical(link);
    return !target.empty() && target == canonical(built_dir(m, v, k, a));
}

std::string Tree::installed_version(const std::string& m, const std::string& k,
                                    const std::string& a) const {
    std::string link = kernel_link(m, k, a);
    if (!is_symlink(link)) return {};
    std::string target = canonical(link);
    std::string base = canonical(module_dir(m));
    if (target.empty() || base.empty() || target.compare(0, base.size() + 1, base + "/") != 0)
        return {};
    std::string rest = target.substr(base.size() + 1); // v/k/a
    size_t slash = rest.find('/');
    return slash == std::string::npos ? std::string() : rest.substr(0, slash);
}

std::vector<std::string> Tree::list(const std::string& dir) {
    std::vector<std::string> names;
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d))
            if (e->d_name[0] != '.') names.emplace_back(e->d_name);
        closedir(d);
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> Tree::modules() const {
    return list(ctx.dkms_tree);
}

std::vector<std::string> Tree::versions(const std::string& m) const {
    return list(module_dir(m));
}

std::vector<KernelArch> Tree::built_for(const std::string& m, const std::string& v,
                                        const std::string& kernel, const std::string& arch) const {
    std::vector<KernelArch> out;
    std::vector<std::string> kernels;
    if (!kernel.empty())
        kernels.push_back(kernel);
    else
        for (auto& k : list(version_dir(m, v)))
            if (looks_like_kernel_dir(k)) kernels.push_back(k);
    for (const auto& k : kernels) {
        std::string kdir = version_dir(m, v) + "/" + k;
        if (!arch.empty()) {
            if (exists_no_follow(kdir + "/" + arch)) out.push_back({k, arch});
            continue;
        }
        for (auto& a : list(kdir))
            out.push_back({k, a});
    }
    return out;
}

std::vector<std::string> list_all(const std::string& dir) {
    std::vector<std::string> names;
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            if (n != "." && n != "..") names.push_back(std::move(n));
        }
        closedir(d);
    }
    std::sort(names.begin(), names.end());
    return names;
}

void remove_empty_directories(const std::string& dir) {
    struct stat st;
    if (lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
    for (const auto& e : list_all(dir))
        remove_empty_directories(dir + "/" + e);
    rmdir(dir.c_str()); // fails, harmlessly, unless it is empty now
}

bool make_tree_writable(const Context& ctx) {
    if (!util::is_directory(ctx.dkms_tree) && !util::make_directories(ctx.dkms_tree, 0755))
        return false;
    return access(ctx.dkms_tree.c_str(), W_OK) == 0;
}

} // namespace modkit::dkms
