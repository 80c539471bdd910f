// Planning weak-updates/: candidates from every other kernel's extra/ and updates/, judged
// against each target kernel with the load prediction, newest compatible build first.
#include "abi/weak_modules.hpp"

#include "abi/target_files.hpp"
#include "module/ksymtab.hpp"
#include "module/module_file.hpp"
#include "util/atomic_file.hpp"
#include "util/strings.hpp"

#include "module/names.hpp"
#include "util/fs.hpp"
#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <map>
#include <sys/stat.h>

namespace modkit::abi {
namespace {

struct Build {
    std::string kernel;
    std::string path;    // absolute (under the root)
    std::string subpath; // below extra/ or updates/
    std::string name;
};

bool is_symlink(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

// Every file under dir (recursively), relative to it, sorted.
void walk(const std::string& dir, const std::string& rel, std::vector<std::string>& out,
          int depth) {
    if (depth > 32) return;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return;
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d))
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
            names.emplace_back(e->d_name);
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
        std::string path = dir + "/" + n, r = rel.empty() ? n : rel + "/" + n;
        if (!is_symlink(path) && util::is_directory(path))
            walk(path, r, out, depth + 1);
        else
            out.push_back(r);
    }
}

std::string kernel_dir(const std::string& root, const std::string& kernel) {
    return module_dir_for(root, kernel);
}

// The real (not symlinked) out-of-tree module files of a kernel.
std::vector<Build> external_builds(const std::string& root, const std::string& kernel) {
    std::vector<Build> out;
    std::string dir = kernel_dir(root, kernel);
    for (const char* sub : {"updates", "extra"}) {
        std::vector<std::string> files;
        walk(dir + "/" + sub, "", files, 0);
        for (const auto& f : files) {
            std::string path = dir + "/" + sub + "/" + f;
            if (!module::has_module_extension(f) || is_symlink(path)) continue;
            out.push_back({kernel, path, f, module::path_to_modname(f)});
        }
    }
    return out;
}

// The target of a symbolic link at `link` that leads to `to` (both absolute, normalised).
std::string relative_link(const std::string& link, const std::string& to) {
    auto a = util::split(util::dirname(link), '/');
    auto b = util::split(to, '/');
    size_t common = 0;
    while (common < a.size() && common < b.size() && a[common] == b[common])
        ++common;
    std::string out;
    for (size_t i = common; i < a.size(); ++i)
        out += "../";
    for (size_t i = common; i < b.size(); ++i)
        out += std::string(b[i]) + (i + 1 < b.size() ? "/" : "");
    return out;
}

std::string reason_of(const Prediction& p) {
    if (p.verdict == Verdict::Loads) return "loads";
    std::string taints;
    for (char c : p.taints)
        taints += std::string(taints.empty() ? "" : " ") + c;
    if (p.verdict == Verdict::Taints) return "loads, taints " + taints;
    for (const auto& f : p.findings)
        if (f.effect == Effect::Refuse) return "refused: " + f.message;
    return "refused";
}

} // namespace

bool release_less(std::string_view a, std::string_view b) {
    return ::strverscmp(std::string(a).c_str(), std::string(b).c_str()) < 0;
}

std::vector<std::string> installed_kernels(const std::string& root) {
    std::vector<std::string> out;
    for (const char* base : {"/lib/modules", "/usr/lib/modules"}) {
        std::string dir = (root == "/" ? std::string() : root) + base;
        DIR* d = ::opendir(dir.c_str());
        if (d == nullptr) continue;
        while (dirent* e = ::readdir(d)) {
            std::string n = e->d_name;
            if (n == "." || n == "..") continue;
            std::string k = dir + "/" + n;
            if (util::target_exists(k + "/modules.order") ||
                util::target_exists(k + "/modules.dep") || util::is_directory(k + "/kernel"))
                out.push_back(n);
        }
        ::closedir(d);
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return release_less(a, b); });
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::optional<ModuleLocation> locate_external_module(const std::string& root,
                                                     const std::string& module_path) {
    for (const auto& k : installed_kernels(root)) {
        std::string dir = kernel_dir(root, k);
        for (const char* sub : {"/extra/", "/updates/"}) {
            std::string prefix = dir + sub;
            if (module_path.starts_with(prefix))
                return ModuleLocation{k, module_path.substr(prefix.size())};
        }
    }
    return std::nullopt;
}

WeakPlan plan_weak_updates(const std::vector<std::string>& targets, const WeakOptions& o) {
    WeakPlan plan;
    std::vector<Build> all;
    for (const auto& k : installed_kernels(o.root)) {
        if (k == o.excluded_kernel) continue;
        for (auto& b : external_builds(o.root, k))
            if (!o.excluded_modules.contains(b.path)) all.push_back(std::move(b));
    }
    std::map<std::string, std::vector<module::KernelExport>> exports_of; // by path
    for (const auto& b : all) {
        auto mod = module::ModuleFile::open(b.path, module::ModuleFile::Load::OnDemand);
        if (!mod) continue;
        if (auto e = module::module_exports(*mod)) exports_of[b.path] = std::move(*e);
    }
    std::set<std::string> changed;
    for (const auto& target : targets) {
        // A kernel being removed keeps no weak links.
        const bool removing = target == o.excluded_kernel;
        std::set<std::string> own;
        for (const auto& b : all)
            if (b.kernel == target) own.insert(b.name);
        // Candidate builds per module name, newest kernel first.
        std::map<std::string, std::vector<const Build*>> by_name;
        for (const auto& b : all)
            if (!removing && b.kernel != target && !own.contains(b.name))
                by_name[b.name].push_back(&b);
        for (auto& [name, builds] : by_name)
            std::stable_sort(builds.begin(), builds.end(), [](const Build* x, const Build* y) {
                return release_less(y->kernel, x->kernel);
            });

        std::map<std::string, size_t> choice; // name -> index into by_name[name]
        if (!by_name.empty()) {
            TargetOptions to;
            to.root = o.root;
            to.release = target;
            to.jobs = o.jobs;
            auto base = KernelTarget::load(to);
            if (!base) {
                plan.notes.push_back("kernel " + target + " skipped: " + base.error().describe());
                continue;
            }
            for (const auto& [name, builds] : by_name)
                choice[name] = 0;
            for (bool again = true; again;) {
                again = false;
                KernelTarget t = *base;
                for (const auto& [name, i] : choice)
                    if (i < by_name[name].size())
                        t.add_module_exports(name, "weak-updates/" + by_name[name][i]->subpath,
                                             exports_of[by_name[name][i]->path]);
                t.finish_exports();
                for (auto& [name, i] : choice) {
                    if (i >= by_name[name].size()) continue;
                    const Build* b = by_name[name][i];
                    auto p = predict_file(t, b->path);
                    bool ok = p && p->verdict != Verdict::Refused;
                    plan.decisions.push_back(
                        {target, b->path, ok, p ? reason_of(*p) : p.error().describe()});
                    if (!ok) {
                        ++i;
                        again = true;
                    }
                }
            }
        }
        // What weak-updates/ should hold, against what it holds. Links are relative, so they
        // hold inside an image or a chroot as on the running system.
        std::string dir = kernel_dir(o.root, target) + "/weak-updates";
        std::map<std::string, std::string> want; // link -> target
        for (const auto& [name, i] : choice)
            if (i < by_name[name].size()) {
                std::string link = dir + "/" + by_name[name][i]->subpath;
                want[link] = relative_link(link, by_name[name][i]->path);
            }
        std::vector<std::string> present;
        walk(dir, "", present, 0);
        for (const auto& rel : present) {
            std::string link = dir + "/" + rel;
            if (!is_symlink(link)) continue;
            char buf[4096];
            ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
            std::string to = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
            auto it = want.find(link);
            if (it != want.end() && it->second == to) {
                want.erase(it);
            } else if (it == want.end()) {
                plan.remove.push_back(link);
                changed.insert(target);
            }
        }
        for (const auto& [link, to] : want) {
            plan.add.push_back({target, link, to});
            changed.insert(target);
        }
    }
    plan.kernels.assign(changed.begin(), changed.end());
    return plan;
}

} // namespace modkit::abi
