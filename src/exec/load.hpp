// Loading one module file into the kernel, as libkmod's kmod_module_insert_module does:
// finit_module(2) on the file when it is uncompressed or compressed the way the kernel
// decompresses itself (MODULE_INIT_COMPRESSED_FILE), otherwise - or when finit_module answers
// ENOSYS - the image prepared by module/image (decompressed, stripped for the force flags) goes
// to init_module(2). Force flags become MODULE_INIT_IGNORE_* for finit_module.
#pragma once

#include "exec/system.hpp"
#include "module/image.hpp"
#include "util/diag.hpp"

#include <string>

namespace modkit::exec {

// Inserts the module file `path` with parameters `params` ("a=1 b=2"). Returns 0, or -errno:
// the kernel's answer (-EEXIST: already loaded, -ENOEXEC: bad format, -ENOENT: unknown symbol
// or parameter...), or why the file could not be read (-ENOENT, -EISDIR, -EINVAL for a file
// shorter than a compression magic or a corrupt compressed image). The final "Failed to insert
// module" INFO line is left to the caller, as in libkmod.
int insert_module(System& sys, const std::string& path, const std::string& params,
                  module::ForceFlags force = {}, const util::LogFn& log = {});

} // namespace modkit::exec
