// Everything the module loader of a target kernel will check, gathered once from the files an
// installed (or unpacked) kernel leaves on disk, so `abi check`, `preflight` and weak-modules can
// predict what loading a module into it would do without booting it:
//   release, vermagic        -k KVER; an in-tree module's vermagic, else derived from the config
//   loader configuration     config-KVER: MODVERSIONS, MODULE_SIG(_FORCE), MODULE_FORCE_LOAD,
//                            MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS, MODULE_DECOMPRESS
//   exports                  --symvers FILE, the headers' Module.symvers, /boot/symvers-KVER.gz,
//                            else the export tables of vmlinuz and of every module of the tree
//   trusted certificates     the system keyring built into vmlinuz-KVER (+ --cert FILE...)
//   ELF identity             machine, class and byte order of an in-tree module
//   modules and built-ins    the module tree (modules.dep, else a walk) and modules.builtin
// Files are looked for where Debian, Fedora/RHEL and kernel-install put them: ROOT/boot/
// {config,vmlinuz,System.map,symvers}-KVER[.gz], ROOT/{usr/,}lib/modules/KVER/{config,vmlinuz,
// symvers.gz,build/}, ROOT/usr/src/linux-headers-KVER. What is missing is a note, not an error:
// the checks that need it are skipped and the notes say which.
#pragma once

#include "abi/export_table.hpp"
#include "abi/kernel_config.hpp"
#include "elf/elf_file.hpp"
#include "module/sig_verify.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace modkit::abi {

struct TargetOptions {
    std::string root = "/";         // -b/--basedir: every path below is under it
    std::string release;            // -k KVER (may be empty when `tree` names it)
    std::string tree;               // --tree DIR: the module directory
    std::string boot;               // --boot DIR: vmlinuz-KVER, config-KVER, symvers-KVER.gz
    std::string symvers;            // --symvers FILE (Module.symvers, or .gz)
    std::vector<std::string> certs; // --cert FILE: more trusted certificates (enrolled MOKs)
    unsigned jobs = 0;              // for reading a tree's exports; 0: all CPUs
    bool want_keys = true;          // read the image's certificates (abi diff does not)
};

struct ElfIdentity {
    uint16_t machine = 0;
    elf::ElfClass elf_class = elf::ElfClass::Elf64;
    util::Endian endian = util::Endian::Little;
};

// The loader's configuration as far as the checks care.
struct LoaderConfig {
    bool modversions = true;
    bool signatures = true;          // CONFIG_MODULE_SIG: signatures are checked at all
    bool sig_enforce = false;        // CONFIG_MODULE_SIG_FORCE
    bool force_load = true;          // CONFIG_MODULE_FORCE_LOAD: missing versions only taint
    bool missing_ns_allowed = false; // CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS
    std::string decompress;          // "xz", "zstd", "gzip" with CONFIG_MODULE_DECOMPRESS, else ""
};

class KernelTarget {
public:
    // Fails only when the target cannot be identified at all (no release and no tree) or a file
    // that exists is corrupt (naming it); missing files become notes.
    static util::Expected<KernelTarget> load(const TargetOptions& options);

    KernelTarget(const KernelTarget&) = default; // shares the certificates being read
    KernelTarget(KernelTarget&&) noexcept;
    KernelTarget& operator=(KernelTarget&&) noexcept;
    ~KernelTarget();

    // A module the target will have besides its tree (weak-modules: the builds being linked in
    // at `rel`): its exports join the table. Call finish_exports() after the last one.
    void add_module_exports(const std::string& name, const std::string& rel,
                            const std::vector<module::KernelExport>& exports);
    void finish_exports();

    const std::string& release() const { return m_release; }
    const std::string& module_dir() const { return m_module_dir; } // may not exist
    const std::string& vermagic() const { return m_vermagic; }
    const std::string& vermagic_origin() const { return m_vermagic_origin; }
    const LoaderConfig& loader() const { return m_loader; }
    bool config_known() const { return !m_config_path.empty(); }
    const std::string& config_path() const { return m_config_path; }
    const std::optional<ElfIdentity>& elf_identity() const { return m_elf; }
    const ExportTable* exports() const { return m_exports ? &*m_exports : nullptr; }
    // The certificates the kernel trusts; waits for the image to be read (it is read in the
    // background from load() on). nullptr when unknown (no vmlinuz, unreadable image).
    const module::TrustedKeys* trusted_keys() const;
    // Module name -> path relative to module_dir ("kernel/drivers/net/dummy.ko").
    const std::map<std::string, std::string>& modules() const { return m_modules; }
    bool has_module(const std::string& name) const { return m_modules.contains(name); }
    bool is_builtin(const std::string& name) const;
    // The serial number of the key the target's own modules are signed with (empty: unknown).
    const std::vector<uint8_t>& build_key_id() const { return m_build_key_id; }
    // What could not be found and which checks that disables, one sentence each.
    std::vector<std::string> notes() const;

private:
    KernelTarget();
    struct Keys;
    std::string m_release;
    std::string m_module_dir;
    std::string m_vermagic;
    std::string m_vermagic_origin;
    std::string m_config_path;
    LoaderConfig m_loader;
    std::optional<ElfIdentity> m_elf;
    std::optional<ExportTable> m_exports;
    std::map<std::string, std::string> m_modules;
    std::vector<std::string> m_builtin; // sorted
    std::vector<std::string> m_notes;
    std::vector<uint8_t> m_build_key_id;
    std::shared_ptr<Keys> m_keys;

    friend class TargetLoader;
};

// Normalised module name: '-' -> '_'.
std::string normalize_module_name(std::string_view name);

} // namespace modkit::abi
