// Builds relocatable ELF objects and module-signature trailers in memory, so tests (and the fuzz
// seed generator) control every byte: class, byte order, sections, symbols, __versions and the
// name in .gnu.linkonce.this_module. Nothing here uses the code under test.
#pragma once

#include "elf/elf_file.hpp"
#include "util/byte_reader.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modkit::test {

inline constexpr uint32_t k_sht_progbits = 1;
inline constexpr uint32_t k_sht_symtab = 2;
inline constexpr uint32_t k_sht_strtab = 3;

struct TestSymbol {
    std::string name;
    uint64_t value = 0;
    std::string section; // defined in this section (by name); empty: use shndx
    uint16_t shndx = elf::k_shn_undef;
    uint8_t bind = elf::k_stb_global;
    uint8_t type = 0;
    std::optional<uint32_t> name_offset; // raw st_name, overriding the real offset of `name`
};

// Shorthands (designated initialisers would trip -Wmissing-field-initializers in g++ 12).
TestSymbol sym_undef(std::string name, uint8_t bind = elf::k_stb_global);
TestSymbol sym_abs(std::string name, uint64_t value, uint8_t bind = elf::k_stb_global);
TestSymbol sym_in(std::string name, std::string section, uint64_t value = 0,
                  uint8_t bind = elf::k_stb_global, uint8_t type = 0);

struct TestVersion {
    uint64_t crc = 0;
    std::string name;
};

class ElfBuilder {
public:
    explicit ElfBuilder(elf::ElfClass cls = elf::ElfClass::Elf64,
                        util::Endian endian = util::Endian::Little);

    ElfBuilder& machine(uint16_t m);
    // A section with raw contents. Sections get indexes 1, 2, ... in the order they are added;
    // .symtab and .strtab (if symbols() was called) and .shstrtab come after them.
    ElfBuilder& section(std::string name, std::string data, uint32_t type = k_sht_progbits,
                        uint64_t flags = 0);
    // .modinfo holding each entry followed by one NUL.
    ElfBuilder& modinfo(const std::vector<std::string>& entries);
    ElfBuilder& ksymtab_strings(const std::vector<std::string>& names);
    // __versions: 64-byte entries { word crc; char name[64 - word]; }, flagged SHF_ALLOC.
    ElfBuilder& versions(const std::vector<TestVersion>& entries);
    // .gnu.linkonce.this_module with `name` at offset 3 * word size.
    ElfBuilder& this_module(std::string_view name);
    // .symtab/.strtab with a null symbol 0 followed by `syms`.
    ElfBuilder& symbols(std::vector<TestSymbol> syms);

    // Integers encoded in this object's byte order.
    std::string u32(uint32_t v) const;
    std::string word(uint64_t v) const;

    uint16_t index_of(std::string_view name) const; // 0 if absent
    std::vector<uint8_t> build() const;

    unsigned word_size() const { return m_class == elf::ElfClass::Elf64 ? 8 : 4; }
    util::Endian endian() const { return m_endian; }
    elf::ElfClass elf_class() const { return m_class; }

private:
    struct Sec {
        std::string name;
        std::string data;
        uint32_t type;
        uint64_t flags;
        uint32_t link = 0;
        uint64_t entsize = 0;
    };

    elf::ElfClass m_class;
    util::Endian m_endian;
    uint16_t m_machine = 62; // EM_X86_64
    std::vector<Sec> m_sections;
    std::optional<std::vector<TestSymbol>> m_symbols;
};

// Writes `v` as a `width`-byte integer at `off`.
void put_uint(std::vector<uint8_t>& bytes, uint64_t off, uint64_t v, unsigned width,
              util::Endian endian);
uint64_t get_uint(const std::vector<uint8_t>& bytes, uint64_t off, unsigned width,
                  util::Endian endian);

// Rewrites header and section-header fields of a built object, to make it corrupt on purpose.
class ElfPatcher {
public:
    ElfPatcher(std::vector<uint8_t>& bytes, elf::ElfClass cls, util::Endian endian);
    explicit ElfPatcher(std::vector<uint8_t>& bytes); // class and byte order from e_ident

    void shoff(uint64_t v);
    void shentsize(uint16_t v);
    void shnum(uint16_t v);
    void shstrndx(uint16_t v);
    uint64_t shoff() const;
    uint16_t shnum() const;
    uint16_t shstrndx() const;

    uint64_t header_offset(uint16_t index) const;
    void section_name(uint16_t index, uint32_t v);
    void section_flags(uint16_t index, uint64_t v);
    void section_offset(uint16_t index, uint64_t v);
    void section_addr(uint16_t index, uint64_t v); // sh_addr, as an executable (vmlinux) has
    void section_size(uint16_t index, uint64_t v);
    uint64_t section_flags(uint16_t index) const;
    uint64_t section_offset(uint16_t index) const;
    uint64_t section_size(uint16_t index) const;

private:
    unsigned w() const { return m_is64 ? 8 : 4; }
    std::vector<uint8_t>& m_bytes;
    bool m_is64;
    util::Endian m_endian;
};

// The standard module most tests use: .modinfo, __ksymtab_strings, a __kcrctab with
// section-relative CRCs, .symtab with __crc_* (ABS and relative), defined and undefined
// (weak too) symbols, __versions and .gnu.linkonce.this_module ("sample").
ElfBuilder sample_module(elf::ElfClass cls = elf::ElfClass::Elf64,
                         util::Endian endian = util::Endian::Little);

// struct module_signature + "~Module signature appended~\n", appended after signer, key id
// and signature bytes. The *_len overrides write a different length than the data has.
struct ModuleSig {
    uint8_t algo = 1;    // RSA
    uint8_t hash = 4;    // sha256
    uint8_t id_type = 2; // PKCS#7
    std::string signer;
    std::vector<uint8_t> key_id;
    std::vector<uint8_t> signature;
    std::optional<uint8_t> signer_len;
    std::optional<uint8_t> key_id_len;
    std::optional<uint32_t> sig_len;
};
std::vector<uint8_t> append_signature(std::vector<uint8_t> image, const ModuleSig& sig);

// Compressed copies made with the libraries' own encoders.
std::vector<uint8_t> gzip_compress(std::span<const uint8_t> data);
// xz as the kernel's modules_install makes it (CRC32 check, LZMA2) with a 1 MiB dictionary by
// default; loops that decode thousands of damaged copies pass a small one (the decoder allocates
// the whole dictionary up front, which is slow under ASan).
std::vector<uint8_t> xz_compress(std::span<const uint8_t> data, uint32_t dict_size = 1 << 20);
// With `content_size` false the frame header omits the size (a streaming encoder's output).
std::vector<uint8_t> zstd_compress(std::span<const uint8_t> data, bool content_size = true);

} // namespace modkit::test
