// Will this module load into that kernel? The checks of the target's module loader, in the order
// it makes them (Linux 6.1 kernel/module/main.c load_module, unchanged in what matters up to
// 7.2), each measured against the real kernel in the VM (tests/vm/cases/abi-oracle.sh):
//   1. signature     trusted signer whose signature does not match: EKEYREJECTED (even without
//                    enforcement); malformed: EBADMSG; unsigned or unknown key: taint E, or
//                    EKEYREJECTED with CONFIG_MODULE_SIG_FORCE
//   2. ELF           not relocatable, another machine or class: ENOEXEC
//   3. module_layout with modversions, the module's CRC of module_layout against the kernel's
//                    (every build has its own): ENOEXEC; no __versions at all: taint F with
//                    CONFIG_MODULE_FORCE_LOAD, else ENOEXEC
//   4. vermagic      missing: taint F (or ENOEXEC); compared after the first space when the
//                    module has CRCs and the kernel modversions, else whole: ENOEXEC
//   5. modinfo       no intree: taint O; staging: C; a license that is not GPL-compatible: P;
//                    livepatch: K
//   6. symbols       each undefined symbol in .symtab order; unknown, or GPL-only for a non-GPL
//                    module: ENOENT; CRC differs: EINVAL; namespace not imported: EINVAL; the
//                    kernel reports the error of the last failing symbol
// Nothing here has side effects; the target is read once (KernelTarget) and shared by threads.
#pragma once

#include "abi/kernel_target.hpp"
#include "module/module_file.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace modkit::abi {

// Ordered by severity.
enum class Verdict : uint8_t { Loads, Taints, Refused };
std::string_view verdict_name(Verdict v); // "loads", "taints", "refused"

enum class Effect : uint8_t { Note, Taint, Refuse };

enum class FindingKind : uint8_t {
    SignatureValid,
    Unsigned,
    SignatureUnknownKey,
    SignatureUnsupported,
    SignatureRejected,
    SignatureMalformed,
    SignatureNotVerified,
    ElfMismatch,
    NotAModule,
    LayoutMismatch,
    NoVersions,
    NoVermagic,
    VermagicMismatch,
    ReleaseIgnored,
    OutOfTree,
    Staging,
    Proprietary,
    Livepatch,
    UnknownSymbol,
    GplOnlySymbol,
    CrcMismatch,
    NamespaceNotImported,
    NoSymbolVersion,
    NeedsModule,
    MissingDependency,
    BuiltIn,
    NotChecked,
};
std::string_view finding_kind_name(FindingKind k); // "crc-mismatch", ...

struct Finding {
    FindingKind kind = FindingKind::NotChecked;
    Effect effect = Effect::Note;
    char taint = 0;             // Taint: the letter
    int error = 0;              // Refuse: the errno the kernel returns
    std::string symbol;         // symbol findings; NeedsModule/MissingDependency: the module
    std::string message;        // a sentence for the user
    std::string kernel_message; // what the kernel logs for it, when it logs something
    unsigned count = 1;         // > 1: this finding stands for `count` symbols of one kind
};

struct Prediction {
    std::string path;
    std::string name; // the module name (from .gnu.linkonce.this_module, else the file name)
    Verdict verdict = Verdict::Loads;
    int error = 0;                 // Refused: what init_module/finit_module returns
    std::string taints;            // letters in /sys/module/<name>/taint order (P F C O E K)
    std::vector<Finding> findings; // in the loader's order
};

Prediction predict_load(const KernelTarget& target, const module::ModuleFile& mod);

// Opens `path` (compressed or not) and predicts. Fails when the file cannot be read as a
// module at all (missing, not ELF, corrupt compression): the kernel would not see one.
util::Expected<Prediction> predict_file(const KernelTarget& target, const std::string& path);

// How much detail: by default many symbol failures of one kind become one finding with a count;
// Fold::No keeps one finding per symbol (abi check --all, the differential tests).
enum class Fold : uint8_t { Yes, No };

// predict_file() for many files on `jobs` threads, in order; the modules are read while the
// target's kernel image is still being read.
std::vector<util::Expected<Prediction>> predict_files(const KernelTarget& target,
                                                      std::span<const std::string> paths,
                                                      unsigned jobs, Fold fold = Fold::Yes);

// Whether a MODULE_LICENSE lets a module use GPL-only symbols (include/linux/license.h).
bool license_is_gpl_compatible(std::string_view license);

} // namespace modkit::abi
