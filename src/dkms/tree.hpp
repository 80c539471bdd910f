// The DKMS tree on disk (dkms.in's layout, §3 of docs/reference): paths, the state
// predicates (added, broken, built, installed) and enumeration in bash glob order. Nothing
// here reads dkms.conf, so questions about state are answered from the tree alone.
#pragma once
#include "dkms/context.hpp"

#include <string>
#include <vector>

namespace modkit::dkms {

struct KernelArch {
    std::string kernel, arch;
    bool operator==(const KernelArch&) const = default;
};

struct Tree {
    const Context& ctx;

    std::string module_dir(const std::string& m) const { return ctx.dkms_tree + "/" + m; }
    std::string version_dir(const std::string& m, const std::string& v) const {
        return module_dir(m) + "/" + v;
    }
    std::string source_link(const std::string& m, const std::string& v) const {
        return version_dir(m, v) + "/source";
    }
    std::string build_dir(const std::string& m, const std::string& v) const {
        return version_dir(m, v) + "/build";
    }
    std::string built_dir(const std::string& m, const std::string& v, const std::string& k,
                          const std::string& a) const {
        return version_dir(m, v) + "/" + k + "/" + a;
    }
    std::string kernel_link(const std::string& m, const std::string& k,
                            const std::string& a) const {
        return module_dir(m) + "/kernel-" + k + "-" + a;
    }
    std::string original_dir(const std::string& m, const std::string& k,
                             const std::string& a) const {
        return module_dir(m) + "/original_module/" + k + "/" + a;
    }
    std::string source_dir(const std::string& m, const std::string& v) const {
        return ctx.source_tree + "/" + m + "-" + v;
    }

    // source is a symlink to a directory (DKMS 3.4: a binaries-only tarball's real source/
    // directory does not count).
    bool is_added(const std::string& m, const std::string& v) const;
    // The source link dangles, or it is missing while <source_tree>/<m>-<v> exists.
    bool is_broken(const std::string& m, const std::string& v) const;
    // <m>/<v>/<k>/<a>/module exists.
    bool is_built(const std::string& m, const std::string& v, const std::string& k,
                  const std::string& a) const;
    // kernel-<k>-<a> resolves to <m>/<v>/<k>/<a>.
    bool is_installed(const std::string& m, const std::string& v, const std::string& k,
                      const std::string& a) const;
    // The version whose kernel-<k>-<a> link is active, or "".
    std::string installed_version(const std::string& m, const std::string& k,
                                  const std::string& a) const;

    // Directory entries in bash glob order (byte order, no dot files).
    static std::vector<std::string> list(const std::string& dir);
    std::vector<std::string> modules() const;
    std::vector<std::string> versions(const std::string& m) const;
    // Kernel directories of m/v (names matching +([0-9]).*), each with its arch dirs.
    std::vector<KernelArch> built_for(const std::string& m, const std::string& v,
                                      const std::string& kernel = "",
                                      const std::string& arch = "") const;
};

// Every entry of `dir` but . and .., dot files included, in byte order.
std::vector<std::string> list_all(const std::string& dir);

// find DIR -type d -empty -delete: removes every directory under `dir` (and `dir` itself) that
// is or becomes empty, deepest first.
void remove_empty_directories(const std::string& dir);

// Whether the tree can be written to (DKMS's `[[ -w $dkms_tree ]]`). A tree that does not exist
// yet is created first (mode 0755, parents too): apt deletes /var/lib/dkms with the dkms
// package, and adding a module afterwards must still work.
bool make_tree_writable(const Context& ctx);

// bash's +([0-9]).* : one or more digits, a dot, anything.
bool looks_like_kernel_dir(const std::string& name);

} // namespace modkit::dkms
