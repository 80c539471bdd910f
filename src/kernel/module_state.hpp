// What the running kernel says about its modules, read through a System exactly as libkmod
// reads it: initstate, refcnt, holders and size from /sys/module/<name>, the loaded list from
// /proc/modules, and which compression the kernel decompresses itself. Whether a module is
// built in is not here: that comes from modules.builtin.bin (index::ModuleDirectory).
//
// Errors are negative errno values, as libkmod returns them; failures libkmod logs are logged
// here too, through a util::LogFn, with libkmod's wording.
#pragma once

#include "kernel/system.hpp"
#include "util/diag.hpp"

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::kernel {

enum class InitState { Live, Coming, Going };
// "live", "coming", "going".
std::string_view initstate_name(InitState s);

// /sys/module/<name>/initstate. A module directory without the file is Coming (a module
// being loaded, or a built-in module with parameters); no directory gives -ENOENT (or the
// errno of the failed read). Unknown contents give -EINVAL, logged as libkmod does.
std::expected<InitState, int> initstate(System& sys, std::string_view name,
                                        const util::LogFn& log = {});

// /sys/module/<name>/refcnt, or -errno when it cannot be read (-ENOENT: not loaded, or a
// kernel without CONFIG_MODULE_UNLOAD). Unparsable contents give -EINVAL, logged.
int refcnt(System& sys, std::string_view name, const util::LogFn& log = {});

// The entries of /sys/module/<name>/holders in readdir order. A directory that cannot be
// listed is logged ("could not open '...': ...") and gives -errno.
std::expected<std::vector<std::string>, int> holders(System& sys, std::string_view name,
                                                     const util::LogFn& log = {});

// The module's size: /sys/module/<name>/coresize, else its /proc/modules line; -errno when
// /sys/module/<name> does not exist (kmod_module_get_size). An unparsable coresize is logged
// and gives 0, as libkmod's reader zeroes its result first.
long module_size(System& sys, std::string_view name, const util::LogFn& log = {});

// /sys/module/<name>/sections: each file's name and the hexadecimal address it holds, in
// readdir order (kmod_module_get_sections). A directory that cannot be listed, or a file that
// cannot be read or parsed, is logged with libkmod's wording and gives -errno.
struct Section {
    std::string name;
    unsigned long address = 0;
};
std::expected<std::vector<Section>, int> sections(System& sys, std::string_view name,
                                                  const util::LogFn& log = {});

// One line of /proc/modules: "name size refcnt used_by state address".
struct LoadedModule {
    std::string name; // first field, as the kernel wrote it
    long size = 0;
    int refcnt = 0;
    std::string used_by; // "a,b," or "-"
    std::string state;   // "Live", "Loading", "Unloading"
    std::string address;
};

// Every module in /proc/modules, in file order. When the file cannot be read this logs
// "could not open /proc/modules: ..." and returns -errno. Missing fields are left empty.
std::expected<std::vector<LoadedModule>, int> loaded_modules(System& sys,
                                                             const util::LogFn& log = {});

enum class KernelCompression { None, Gzip, Xz, Zstd };

// The compression the kernel decompresses itself (/sys/module/compression: "zstd", "xz",
// "gzip"); None when the file is absent (kernels before 6.4, no CONFIG_MODULE_DECOMPRESS).
// Other contents are logged ("unknown kernel compression ...") and mean None.
KernelCompression kernel_compression(System& sys, const util::LogFn& log = {});

} // namespace modkit::kernel
