// Loading one module file into the kernel, as libkmod's kmod_module_insert_module does:
// finit_module(2) on the file when it is uncompressed or compressed the way the kernel
// decompresses itself (MODULE_INIT_COMPRESSED_FILE), otherwise - or when finit_module answers
// ENOSYS - the image is read (and decompressed) here and handed to init_module(2). Force flags
// become MODULE_INIT_IGNORE_* for finit_module and a stripped copy of the image for init_module.
#pragma once

#include "kernel/klog.hpp"
#include "kernel/system.hpp"

#include <string>

namespace modkit::kernel {

// Flags for insert_module (libkmod's KMOD_INSERT_FORCE_*).
inline constexpr unsigned k_insert_force_vermagic = 1;   // ignore the vermagic string
inline constexpr unsigned k_insert_force_modversion = 2; // ignore symbol version CRCs

// Inserts the module file `path` with parameters `params` ("a=1 b=2"). Returns 0, or -errno:
// the kernel's answer (-EEXIST: already loaded, -ENOEXEC: bad format, -ENOENT: unknown symbol
// or parameter...), or why the file could not be read (-ENOENT, -EISDIR, -EINVAL for a file
// shorter than a compression magic or a corrupt compressed image). A corrupt compressed image
// is logged at ERROR, a failed strip for the force flags at INFO, as libkmod does; the final
// "Failed to insert module" INFO line is left to the caller.
int insert_module(System& sys, const std::string& path, const std::string& params,
                  unsigned flags = 0, const LogFn& log = {});

// `path` made absolute against the current directory without normalising it, as libkmod
// stores module paths (path_make_absolute_cwd).
std::string absolute_path(const std::string& path);

} // namespace modkit::kernel
