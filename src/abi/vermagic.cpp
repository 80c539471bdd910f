// The vermagic a kernel's build directory makes modules carry: include/linux/vermagic.h and
// arch/*/include/asm/vermagic.h evaluated over the kernel configuration, as of Linux 6.1 (and
// the older spellings of the same options, so older headers give the same answer).
#include "abi/kernel_abi.hpp"
#include "abi/kernel_config.hpp"

#include "util/mapped_file.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <utility>

namespace modkit::abi {
namespace {

using util::ErrorKind;

// Calls fn(line_no, line) for each line of `text`, stopping when fn returns false.
template <class Fn> void for_each_line(std::string_view text, Fn&& fn) {
    util::LineCursor lines(text);
    for (std::string_view line; lines.next(line);)
        if (!fn(lines.number(), line)) return;
}

bool is_name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// The string literal of `#define <name> "<value>"` in a generated header.
util::Expected<std::string> read_define(const std::string& path, std::string_view name) {
    auto file = util::MappedFile::open(path);
    if (!file) return util::fail(std::move(file.error()));
    std::optional<util::Expected<std::string>> result;
    for_each_line(file->chars(), [&](unsigned line_no, std::string_view line) {
        std::string_view rest = line;
        if (!rest.starts_with("#define ")) return true;
        rest.remove_prefix(8);
        rest.remove_prefix(std::min(rest.find_first_not_of(" \t"), rest.size()));
        if (!rest.starts_with(name) || rest.size() == name.size() ||
            is_name_char(rest[name.size()]))
            return true;
        rest.remove_prefix(name.size());
        rest.remove_prefix(std::min(rest.find_first_not_of(" \t"), rest.size()));
        size_t close = rest.size() > 1 ? rest.find('"', 1) : std::string_view::npos;
        if (!rest.starts_with('"') || close == std::string_view::npos)
            result = util::fail(ErrorKind::Corrupt, EINVAL, path,
                                std::string(name) + " is not a string literal", line_no);
        else
            result = std::string(rest.substr(1, close - 1));
        return false;
    });
    if (!result)
        return util::fail(ErrorKind::Corrupt, EINVAL, path, "no #define " + std::string(name));
    return std::move(*result);
}

// MODULE_PROC_FAMILY of arch/x86/include/asm/vermagic.h for 32-bit kernels.
constexpr std::pair<std::string_view, std::string_view> k_x86_32_families[] = {
    {"M486SX", "486SX "},
    {"M486", "486 "},
    {"M586", "586 "},
    {"M586TSC", "586TSC "},
    {"M586MMX", "586MMX "},
    {"MCORE2", "CORE2 "},
    {"MATOM", "ATOM "},
    {"M686", "686 "},
    {"MPENTIUMII", "PENTIUMII "},
    {"MPENTIUMIII", "PENTIUMIII "},
    {"MPENTIUMM", "PENTIUMM "},
    {"MPENTIUM4", "PENTIUM4 "},
    {"MK6", "K6 "},
    {"MK7", "K7 "},
    {"MK8", "K8 "},
    {"MELAN", "ELAN "},
    {"MCRUSOE", "CRUSOE "},
    {"MEFFICEON", "EFFICEON "},
    {"MWINCHIPC6", "WINCHIPC6 "},
    {"MWINCHIP3D", "WINCHIP3D "},
    {"MCYRIXIII", "CYRIXIII "},
    {"MVIAC3_2", "VIAC3-2 "},
    {"MVIAC7", "VIAC7 "},
    {"MGEODEGX1", "GEODEGX1 "},
    {"MGEODE_LX", "GEODE "},
};

// __LINUX_ARM_ARCH__ as arch/arm/Makefile sets it: the last arch-$(CONFIG_CPU_32vN) assignment
// that applies wins, and the list runs from v7 down, so the oldest selected architecture wins.
constexpr std::pair<std::string_view, char> k_arm_arches[] = {
    {"CPU_32v3", '3'},  {"CPU_32v4", '4'}, {"CPU_32v4T", '4'}, {"CPU_32v5", '5'},
    {"CPU_32v6K", '6'}, {"CPU_32v6", '6'}, {"CPU_32v7", '7'},  {"CPU_32v7M", '7'},
};

// MODULE_ARCH_VERMAGIC.
util::Expected<std::string> arch_vermagic(const KernelConfig& cfg, const std::string& path) {
    auto unsupported = [&](std::string what) {
        return util::fail(ErrorKind::Unsupported, ENOTSUP, path,
                          "cannot derive the " + what + " part of vermagic from the configuration");
    };
    if (cfg.enabled("X86_64")) return std::string();
    if (cfg.enabled("X86_32")) {
        for (auto [opt, family] : k_x86_32_families)
            if (cfg.enabled(opt)) return std::string(family);
        return unsupported("x86 processor family");
    }
    if (cfg.enabled("ARM64")) return std::string("aarch64");
    if (cfg.enabled("RISCV")) return std::string("riscv");
    if (cfg.enabled("PPC")) {
        std::string out;
        if (cfg.enabled("MPROFILE_KERNEL")) out += "mprofile-kernel ";
        if (cfg.enabled("RELOCATABLE")) out += "relocatable ";
        return out;
    }
    if (cfg.enabled("ARM")) {
        for (auto [opt, version] : k_arm_arches) {
            if (!cfg.enabled(opt)) continue;
            std::string out = std::string("ARMv") + version + " ";
            if (cfg.enabled("THUMB2_KERNEL")) out += "thumb2 ";
            if (cfg.enabled("ARM_PATCH_PHYS_VIRT")) out += "p2v8 ";
            return out;
        }
        return unsupported("ARM architecture version");
    }
    if (cfg.enabled("S390")) return std::string(); // asm-generic/vermagic.h
    return unsupported("architecture (MODULE_ARCH_VERMAGIC)");
}

} // namespace

util::Expected<std::string> read_uts_release(const std::string& path) {
    return read_define(path, "UTS_RELEASE");
}

util::Expected<std::string> vermagic_from_config(const std::string& uts_release,
                                                 const std::string& config_path,
                                                 const std::string& source_dir) {
    auto cfg = KernelConfig::load(config_path);
    if (!cfg) return util::fail(std::move(cfg.error()));
    return vermagic_from_config(uts_release, *cfg, source_dir);
}

util::Expected<std::string> vermagic_from_config(const std::string& uts_release,
                                                 const KernelConfig& cfg_ref,
                                                 const std::string& source_dir) {
    const KernelConfig* cfg = &cfg_ref;
    const std::string& config_path = cfg_ref.path();
    std::string out = uts_release + " ";
    if (cfg->enabled("SMP")) out += "SMP ";
    // 5.13+ tests PREEMPT_BUILD (selected by PREEMPT and PREEMPT_DYNAMIC); older kernels PREEMPT.
    if (cfg->enabled("PREEMPT_BUILD") || cfg->enabled("PREEMPT"))
        out += "preempt ";
    else if (cfg->enabled("PREEMPT_RT"))
        out += "preempt_rt ";
    if (cfg->enabled("MODULE_UNLOAD")) out += "mod_unload ";
    if (cfg->enabled("MODVERSIONS")) out += "modversions ";
    auto arch = arch_vermagic(*cfg, config_path);
    if (!arch) return util::fail(std::move(arch.error()));
    out += *arch;
    // 5.19+: -DRANDSTRUCT for CONFIG_RANDSTRUCT; before, CONFIG_GCC_PLUGIN_RANDSTRUCT.
    if (cfg->enabled("RANDSTRUCT") || cfg->enabled("GCC_PLUGIN_RANDSTRUCT")) {
        bool plugin_era = !cfg->enabled("RANDSTRUCT");
        std::string hash = source_dir + (plugin_era ? "/include/generated/randomize_layout_hash.h"
                                                    : "/include/generated/randstruct_hash.h");
        auto seed = read_define(hash, "RANDSTRUCT_HASHED_SEED");
        if (!seed) return util::fail(std::move(seed.error()));
        out += plugin_era ? "RANDSTRUCT_PLUGIN_" : "RANDSTRUCT_";
        out += *seed;
    }
    return out;
}

} // namespace modkit::abi
