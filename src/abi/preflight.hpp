// `modkit preflight KVER`: what would change at the next boot into an installed kernel that is
// not running yet. The facts are gathered by the caller (the running system through exec/, the
// trees and configuration through resolve/ and config/, DKMS's tree through dkms/) and passed
// in as data; this decides what each means for KVER and whether the boot would lose something.
//
//   loaded modules      each module loaded now: KVER has it, has it built in, has another
//                       module answering to its aliases (renamed), or has nothing (gone)
//   out-of-tree modules each module of updates/, extra/, weak-updates/ of the running kernel:
//                       KVER has a build of it that loads (abi/predict.hpp), a build that would
//                       be refused, the module in its own tree, or nothing
//   DKMS                each module/version: built and installed for KVER, built only, or a
//                       failed build (with its log's last lines), or nothing at all
//   initramfs           KVER's initramfs exists and holds the modules the root file system's
//                       devices and file system type need (or KVER has them built in)
//   configuration       modules-load.d entries, options, install and blacklist lines naming
//                       modules KVER does not have
#pragma once

#include "abi/kernel_target.hpp"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace modkit::abi {

struct LoadedModule {
    std::string name;
    // Names other modules of KVER answer to for this module's aliases (renames), found by the
    // caller in KVER's modules.alias; empty when none.
    std::vector<std::string> alias_matches;
};

struct ExternalModule {
    std::string name;
    std::string path;   // in the running kernel's tree
    std::string source; // "dkms", "updates", "extra", "weak-updates"
};

struct DkmsEntry {
    std::string module, version;
    enum class State { None, Built, Installed, Failed } state = State::None;
    std::string log_tail; // Failed: the last lines of the build log
};

struct RootNeeds {
    bool known = false;      // the root file system's devices could be read
    std::string description; // "/dev/vda1 (ext4)"
    // Modules (of KVER) that must be in the initramfs: for each device or the file system, the
    // names that would drive it in KVER; an entry with no names is a device KVER cannot drive.
    struct Need {
        std::string what;                 // "ext4 file system", "virtio0 (virtio:d00000002v...)"
        std::vector<std::string> modules; // candidates (any one will do)
        bool builtin = false;
    };
    std::vector<Need> needs;
};

struct ConfigReference {
    std::string kind; // "modules-load.d", "options", "blacklist", "install", "softdep"
    std::string module;
    std::string origin; // file:line
    // Found by the caller: KVER's modules.alias maps the name to a module (as "fs-vfat" is),
    // and whether the running kernel has it (module, built-in or alias): a name neither kernel
    // has is stale configuration, not something the next boot loses.
    bool target_alias = false;
    bool running_has = true;
};

struct PreflightInput {
    std::string running; // uname -r
    std::vector<LoadedModule> loaded;
    std::vector<ExternalModule> external;
    std::vector<DkmsEntry> dkms;
    std::string initramfs;                                  // its path, "" when KVER has none
    std::optional<std::set<std::string>> initramfs_modules; // names inside it (nullopt: unreadable)
    std::string initramfs_error;
    RootNeeds root;
    std::vector<ConfigReference> config;
    std::set<std::string> config_aliases; // names that are modprobe.d aliases, not modules
};

enum class Severity : uint8_t { Info, Warning, Loss };

struct PreflightItem {
    std::string section; // "loaded", "external", "dkms", "initramfs", "config"
    std::string subject; // a module, a DKMS module/version, a file
    Severity severity = Severity::Info;
    std::string message;
};

struct PreflightReport {
    std::string kernel, running;
    std::vector<PreflightItem> items;
    size_t loaded_present = 0, loaded_builtin = 0, loaded_renamed = 0, loaded_gone = 0;
    bool loses_something() const;
};

PreflightReport preflight(const KernelTarget& target, const PreflightInput& input);

} // namespace modkit::abi
