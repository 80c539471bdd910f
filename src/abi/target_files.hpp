// Where a target kernel's files are, and the readers KernelTarget uses for them: the module
// tree listing, Module.symvers in plain or gzip form, and the export tables of a tree.
#pragma once

#include "abi/export_table.hpp"
#include "abi/kernel_config.hpp"
#include "abi/kernel_target.hpp"
#include "abi/symvers.hpp"

#include <map>
#include <string>
#include <vector>

namespace modkit::abi {

struct TargetFiles {
    std::string config; // empty when not found
    std::string vmlinuz;
    std::string symvers;
};

// ROOT/lib/modules/KVER, or ROOT/usr/lib/modules/KVER when only that exists.
std::string module_dir_for(const std::string& root, const std::string& release);

// Looks for the files in the usual places (kernel_target.hpp); explicit options win.
TargetFiles locate_target_files(const TargetOptions& options, const std::string& release,
                                const std::string& module_dir);

struct TreeListing {
    bool exists = false;
    std::map<std::string, std::string> modules; // name -> relative path
    std::vector<std::string> builtin;           // sorted names
};

// The modules of a module directory: modules.dep when there is one (depmod ran), else every
// module file under it. With two files for one name, updates/ wins over extra/, extra/ over
// weak-updates/ and those over kernel/ (the search order of RHEL's and Debian's depmod.d).
TreeListing list_tree(const std::string& module_dir);

// A Module.symvers, decompressed first when it is gzip/xz/zstd (/boot/symvers-K.gz).
util::Expected<Symvers> load_symvers_file(const std::string& path);

// The exports of vmlinux (from the kernel image) and of every module of the tree.
util::Expected<ExportTable> exports_from_tree(const std::string& vmlinuz,
                                              const std::string& module_dir,
                                              const std::map<std::string, std::string>& modules,
                                              unsigned jobs);

// The ELF identity an architecture's modules have (for targets without a tree).
std::optional<ElfIdentity> elf_identity_from_config(const KernelConfig& config);

} // namespace modkit::abi
