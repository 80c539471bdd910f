// What a target kernel expects of a module built for it: its release, the vermagic string every
// module built for it carries, and (when Module.symvers is there) the CRC of every symbol it
// exports. DKMS reads this once per kernel and checks each built .ko against it
// (abi/module_check.hpp), so that a module built for another kernel is never installed.
//
// The vermagic comes from the kernel's build directory when it has one: UTS_RELEASE from
// include/generated/utsrelease.h, then the flags include/linux/vermagic.h appends according to
// include/config/auto.conf (or .config):
//   UTS_RELEASE " " ["SMP "] ["preempt " | "preempt_rt "] ["mod_unload "] ["modversions "]
//   MODULE_ARCH_VERMAGIC [RANDSTRUCT_<seed>]
// e.g. "6.1.0-50-amd64 SMP preempt mod_unload modversions " for Debian's 6.1 amd64 kernels.
// Without headers it is the vermagic of an in-tree module of the kernel's module directory.
#pragma once

#include "abi/symvers.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace modkit::abi {

// Where to look for a kernel's expectations.
struct KernelLocation {
    // The kernel release K. When empty, UTS_RELEASE of the headers is taken as K.
    std::string release;
    // The kernel's build (headers) directory, normally <install_tree>/K/build. May be empty or
    // missing, then module_dir is used.
    std::string source_dir;
    // The kernel's module directory, <install_tree>/K, for the fallback. May be empty.
    std::string module_dir;
};

enum class VermagicSource : uint8_t {
    Headers,      // UTS_RELEASE and the kernel configuration of source_dir
    InTreeModule, // the vermagic of a module listed in module_dir's modules.dep/modules.order
};

struct KernelAbi {
    std::string release;
    std::string vermagic;
    VermagicSource vermagic_source = VermagicSource::Headers;
    // The files the vermagic came from: utsrelease.h and the configuration file, or the module.
    std::string vermagic_file;
    std::string config_file; // Headers only
    // Absent when source_dir has no Module.symvers: CRCs cannot be checked then.
    std::optional<Symvers> symvers;

    // "derived from <utsrelease.h> and <auto.conf>" or "taken from in-tree module <path>".
    std::string vermagic_origin() const;
    // True if the kernel checks symbol CRCs (CONFIG_MODVERSIONS: "modversions" in vermagic).
    bool has_modversions() const;
};

// Reads the expectations of the kernel at `where`. Headers win when utsrelease.h exists; a
// missing or unusable build directory falls back to module_dir. Fails with NotFound when neither
// gives a vermagic, Corrupt (naming file and line) for malformed headers, configuration or
// Module.symvers, and Invalid when the headers or the in-tree module belong to another release
// than where.release.
util::Expected<KernelAbi> load_kernel_abi(const KernelLocation& where);

// The vermagic include/linux/vermagic.h builds from `uts_release` and the kernel configuration
// in `config_path` (auto.conf or .config syntax). RANDSTRUCT seeds are read from
// `source_dir`/include/generated. Unsupported for an architecture whose MODULE_ARCH_VERMAGIC
// cannot be derived from the configuration alone.
util::Expected<std::string> vermagic_from_config(const std::string& uts_release,
                                                 const std::string& config_path,
                                                 const std::string& source_dir);

class KernelConfig;
// The same over a configuration already loaded.
util::Expected<std::string> vermagic_from_config(const std::string& uts_release,
                                                 const KernelConfig& config,
                                                 const std::string& source_dir);

// UTS_RELEASE from a utsrelease.h.
util::Expected<std::string> read_uts_release(const std::string& path);

} // namespace modkit::abi
