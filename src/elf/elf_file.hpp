// ELF32/ELF64 relocatable objects in either byte order: the header, the section table and
// symbol tables. Everything is read through util::ByteReader; nothing casts mapped memory.
//
// Lookup semantics follow libkmod: a section is found by name as the first section from
// index 1 whose header and data lie inside the file; damaged headers are skipped, not fatal.
#pragma once

#include "util/byte_reader.hpp"
#include "util/byte_source.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::elf {

enum class ElfClass : uint8_t { Elf32 = 1, Elf64 = 2 };

inline constexpr uint32_t k_sht_nobits = 8;
inline constexpr uint64_t k_shf_alloc = 0x2;
inline constexpr uint16_t k_shn_undef = 0;
inline constexpr uint16_t k_shn_abs = 0xfff1;
inline constexpr uint8_t k_stb_local = 0, k_stb_global = 1, k_stb_weak = 2;
inline constexpr uint16_t k_em_sparc = 2, k_em_sparcv9 = 43;
inline constexpr uint8_t k_stt_register = 13;

struct Section {
    uint16_t index = 0;
    std::string_view name; // empty if the name offset is out of range
    bool name_ok = false;  // the name offset lies inside the section-name table
    bool data_ok = false;  // [offset, offset + size) lies inside the file
    uint32_t type = 0;
    uint64_t flags = 0;
    uint64_t addr = 0; // sh_addr: where an executable (vmlinux) has the section in memory
    uint64_t offset = 0;
    uint64_t size = 0;
    uint64_t header_offset = 0; // file offset of this section's header
};

struct Symbol {
    std::string_view name;
    uint64_t value = 0;
    uint8_t info = 0;
    uint16_t shndx = 0;
    uint8_t bind() const { return info >> 4; }
    uint8_t type() const { return info & 0xf; }
};

class ElfFile {
public:
    // Parses the ELF header and section table, reading only those bytes from `source`, which
    // must outlive the ElfFile (section data is read from it on demand).
    // Errors: not ELF -> ENOEXEC; bad class/data/sizes/section table -> EINVAL (as libkmod).
    static util::Expected<ElfFile> parse(const util::ByteSource& source, const std::string& path);

    ElfClass elf_class() const { return m_class; }
    util::Endian endian() const { return m_endian; }
    uint16_t machine() const { return m_machine; }
    uint16_t type() const { return m_type; } // e_type: 1 relocatable (.ko), 2 executable
    uint64_t file_size() const { return m_source != nullptr ? m_source->size() : 0; }
    unsigned word_size() const { return m_class == ElfClass::Elf64 ? 8 : 4; }

    const std::vector<Section>& sections() const { return m_sections; }
    // The first section (index >= 1) named `name` whose header and data are in bounds.
    const Section* find(std::string_view name) const;
    // The data of a section found by find(); nullopt if absent.
    std::optional<util::ByteReader> section_data(std::string_view name) const;
    std::optional<util::ByteReader> section_data(const Section& s) const;

    // Number of entries in ".symtab" (entry 0 included) and the i-th one; names come from
    // ".strtab" as in libkmod. nullopt if the tables are missing or malformed.
    struct SymbolTable {
        util::ByteReader symtab;
        util::ByteReader strtab;
        size_t count = 0;
        size_t entry_size = 0;
    };
    std::optional<SymbolTable> symbol_table() const;
    // Reads symbol i; nullopt if its name offset is outside .strtab or unterminated.
    std::optional<Symbol> symbol(const SymbolTable& table, size_t i) const;
    // Reads symbol i without resolving its name (name_offset set instead).
    bool symbol_raw(const SymbolTable& table, size_t i, uint32_t& name_offset, Symbol& out) const;

private:
    const util::ByteSource* m_source = nullptr;
    util::Endian m_endian = util::Endian::Little;
    ElfClass m_class = ElfClass::Elf64;
    uint16_t m_machine = 0;
    uint16_t m_type = 0;
    std::vector<Section> m_sections; // index 0 included
};

} // namespace modkit::elf
