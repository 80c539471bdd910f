// weak-modules, as RHEL and SUSE have it, deciding with the load prediction (abi/predict.hpp)
// instead of depmod's warnings: an out-of-tree module built for one installed kernel is linked
// into another kernel's weak-updates/ when that kernel would load it, so it need not be rebuilt
// for every kernel of a stable ABI.
//
// Layout (RHEL's): /lib/modules/K2/weak-updates/<path> is a symbolic link to
// /lib/modules/K1/extra/<path> (or updates/<path>), <path> being the module's path below
// extra/ or updates/ of K1. Unlike RHEL's, the link is relative (../../K1/extra/<path>), so it
// leads to the module inside an image, a chroot or under depmod -b as well. A kernel never gets a
// weak link for a module name it has its own build of in extra/ or updates/.
//
// The plan is computed per target kernel from scratch: for each module name that other kernels
// have out-of-tree builds of, the build of the newest kernel (version order) that the target
// would load wins; builds of one group are judged together (a module may need symbols another
// one of them exports) and dropped until all that remain load. The plan holds the links to
// make and those to remove so that weak-updates/ is exactly that; nothing is changed here.
#pragma once

#include "abi/kernel_target.hpp"
#include "abi/predict.hpp"

#include <set>
#include <string>
#include <vector>

namespace modkit::abi {

struct WeakLink {
    std::string kernel; // the kernel whose weak-updates/ holds the link
    std::string link;   // absolute path of the link
    std::string target; // absolute path of the module it points to
};

struct WeakDecision {
    std::string kernel; // target kernel
    std::string module; // the candidate build's path
    bool compatible = false;
    std::string reason; // the verdict ("loads, taints O E") or the first refusal
};

struct WeakPlan {
    std::vector<WeakLink> add;           // links to create (replacing what is there)
    std::vector<std::string> remove;     // links to remove
    std::vector<std::string> kernels;    // kernels whose weak-updates/ changes, sorted
    std::vector<WeakDecision> decisions; // every candidate considered, for --verbose
    std::vector<std::string> notes;      // kernels that could not be read, and why
};

struct WeakOptions {
    std::string root = "/";
    // Modules being removed (their files may already be gone): never candidates.
    std::set<std::string> excluded_modules;
    // A kernel being removed: never a target, its modules never candidates.
    std::string excluded_kernel;
    unsigned jobs = 0;
};

// The installed kernels under ROOT/lib/modules (or usr/lib/modules): directories with a
// modules.order, modules.dep or kernel/, sorted by version.
std::vector<std::string> installed_kernels(const std::string& root);

// The plan that makes each kernel of `targets` have exactly the weak links it should.
WeakPlan plan_weak_updates(const std::vector<std::string>& targets, const WeakOptions& options);

// The module directory holding `module_path` and the kernel it belongs to, if it is under
// ROOT/lib/modules/<kernel>/{extra,updates}/.
struct ModuleLocation {
    std::string kernel;
    std::string subpath; // below extra/ or updates/
};
std::optional<ModuleLocation> locate_external_module(const std::string& root,
                                                     const std::string& module_path);

// Version order of kernel releases ("6.1.0-9" < "6.1.0-10"), as sort -V does.
bool release_less(std::string_view a, std::string_view b);

} // namespace modkit::abi
