// A kernel module on disk: opened (and decompressed) once, then queried for what tools need:
// .modinfo, exported and imported symbols with CRCs, the __versions table, vermagic, the
// name in .gnu.linkonce.this_module and the appended signature.
//
// Extraction rules follow libkmod so output is identical: .modinfo strings skip leading
// padding and collapse runs of NULs; exports come from __crc_* symbols, else from
// __ksymtab_strings; imports are undefined .symtab entries followed by unvisited __versions.
#pragma once

#include "elf/elf_file.hpp"
#include "module/decompress.hpp"
#include "module/signature.hpp"
#include "util/buffer.hpp"
#include "util/error.hpp"
#include "util/memory_budget.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::module {

struct ModinfoEntry {
    std::string_view key;
    std::string_view value; // empty when the string has no '='
};

enum class SymbolBind : uint8_t { None, Local, Global, Weak, Undef };

struct ExportedSymbol {
    std::string_view name;
    uint64_t crc = 0;
    SymbolBind bind = SymbolBind::Global;
};

struct ImportedSymbol {
    std::string_view name;
    uint64_t crc = 0; // from __versions; 0 if the symbol has no version entry
    bool weak = false;
};

struct VersionEntry {
    std::string_view name;
    uint64_t crc = 0;
};

class ModuleFile {
public:
    // How much of an uncompressed file to read up front. Compressed files are always
    // decompressed whole.
    enum class Load {
        Full,     // the whole image in memory (needed for loading, stripping, image())
        OnDemand, // only the ranges that queries ask for, with pread (modinfo, depmod)
    };

    // Opens `path`, decompresses it if its magic says so, and parses the ELF headers.
    // With a budget, the decompressed size of a compressed module is held from it while the
    // ModuleFile lives, so parallel readers never inflate several huge modules at once.
    static util::Expected<ModuleFile> open(const std::string& path, Load load = Load::Full,
                                           util::MemoryBudget* budget = nullptr);
    // Takes ownership of an in-memory image (compressed or not).
    static util::Expected<ModuleFile> from_memory(util::Buffer data, const std::string& path);

    ModuleFile(ModuleFile&&) noexcept;
    ModuleFile& operator=(ModuleFile&&) noexcept;
    ~ModuleFile();

    const std::string& path() const { return m_path; }
    Compression compression() const { return m_compression; }
    // The decompressed ELF image (signature included); empty when opened with Load::OnDemand
    // and not compressed.
    std::span<const uint8_t> image() const;
    const elf::ElfFile& elf() const { return m_elf; }
    const util::ByteSource& source() const { return *m_source; }

    // .modinfo entries in section order. Fails with ENOENT if the section is missing.
    util::Expected<std::vector<ModinfoEntry>> modinfo() const;
    std::optional<std::string_view> vermagic() const;
    // Exported symbols (libkmod's kmod_elf_get_symbols).
    std::vector<ExportedSymbol> exports() const;
    // Undefined symbols with their CRCs (libkmod's kmod_elf_get_dependency_symbols).
    util::Expected<std::vector<ImportedSymbol>> imports() const;
    // The __versions table. Fails with ENOENT if absent, EINVAL if its size is not a multiple
    // of the entry size.
    util::Expected<std::vector<VersionEntry>> versions() const;
    // The module name stored in .gnu.linkonce.this_module.
    std::optional<std::string_view> this_module_name() const;
    // The appended signature, if the image ends with the signature trailer.
    std::optional<SignatureInfo> signature() const;

    // A copy of the image with __versions' SHF_ALLOC cleared and/or vermagic zeroed, as the
    // kernel's force flags need when loading through init_module.
    enum class Strip : uint8_t { ModVersions = 1, Vermagic = 2 };
    util::Expected<std::vector<uint8_t>> stripped_image(unsigned strip_flags) const;

private:
    ModuleFile() = default;
    // Decompresses m_raw if needed and parses the ELF headers.
    util::Expected<void> init_from_raw(const std::string& path);
    util::Expected<void> parse_elf();

    std::string m_path;
    Compression m_compression = Compression::None;
    util::Buffer m_raw;                         // the file as stored (Load::Full or compressed)
    util::Buffer m_inflated;                    // the decompressed image (compressed files only)
    std::unique_ptr<util::ByteSource> m_source; // what the ELF parser reads from
    util::MemoryBudget::Lease m_lease;          // budget held for m_inflated
    elf::ElfFile m_elf;
};

} // namespace modkit::module
