// Is this built module for that kernel? DKMS asks after every build and before every install:
// a .ko whose vermagic names another kernel release, whose flags differ, or whose __versions
// CRCs disagree with the kernel's Module.symvers is reported, and must not be installed.
//
// Stricter than the kernel on purpose: with CONFIG_MODVERSIONS the kernel compares vermagic
// only after the first word (the release), so a module built against another release of a
// compatible ABI loads. DKMS must refuse it anyway: it was built for another kernel.
// Like the kernel, only symbols the kernel's Module.symvers knows are compared; symbols from
// other out-of-tree modules are not errors here.
#pragma once

#include "abi/kernel_abi.hpp"
#include "module/module_file.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace modkit::abi {

enum class ProblemKind : uint8_t {
    NoVermagic,    // no vermagic in .modinfo (or no .modinfo)
    WrongRelease,  // vermagic names another kernel release
    VermagicFlags, // same release, different flags (SMP, preempt, modversions, ...)
    NoVersions,    // the kernel has CONFIG_MODVERSIONS but the module has no __versions
    CrcMismatch,   // a __versions CRC differs from Module.symvers
};

struct Problem {
    ProblemKind kind;
    std::string symbol;      // CrcMismatch: the symbol
    uint64_t module_crc = 0; // CrcMismatch
    uint64_t kernel_crc = 0; // CrcMismatch
    std::string message;     // a whole sentence naming the module file, for the user
};

// Checks `mod` against `abi`. An empty list means the module is for this kernel. Fails only if
// the module itself cannot be read (a __versions section of a bad size).
util::Expected<std::vector<Problem>> check_module(const KernelAbi& abi,
                                                  const module::ModuleFile& mod);

// Reads a kernel's expectations once and checks many modules against them.
class ModuleChecker {
public:
    static util::Expected<ModuleChecker> open(const KernelLocation& where);
    explicit ModuleChecker(KernelAbi abi)
        : m_abi(std::move(abi)) {}

    const KernelAbi& abi() const { return m_abi; }
    // Opens `path` (compressed or not) and checks it. Fails if the file cannot be opened.
    util::Expected<std::vector<Problem>> check(const std::string& path) const;

    struct Result {
        std::string path;
        util::Expected<std::vector<Problem>> problems;
        bool ok() const { return problems && problems->empty(); }
    };
    // check() for each path, in order.
    std::vector<Result> check_all(std::span<const std::string> paths) const;

private:
    KernelAbi m_abi;
};

} // namespace modkit::abi
