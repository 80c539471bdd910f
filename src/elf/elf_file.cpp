// ElfFile: header and section-table parsing with libkmod's acceptance rules.
#include "elf/elf_file.hpp"

#include <algorithm>
#include <cstring>

namespace modkit::elf {

using util::ByteReader;
using util::Endian;
using util::ErrorKind;

namespace {

constexpr size_t k_ei_nident = 16;
constexpr size_t k_ehdr32_size = 52, k_ehdr64_size = 64;
constexpr size_t k_shdr32_size = 40, k_shdr64_size = 64;

util::Expected<ElfFile> invalid(const std::string& path, const char* why) {
    return util::fail(ErrorKind::Corrupt, EINVAL, path, why);
}

} // namespace

util::Expected<ElfFile> ElfFile::parse(const util::ByteSource& source, const std::string& path) {
    const uint64_t size = source.size();
    auto ident = source.read(0, std::min<uint64_t>(size, k_ehdr64_size + 1), Endian::Little);
    if (!ident || size <= k_ei_nident ||
        ident->str(0, 4) != std::string_view("\x7f"
                                             "ELF",
                                             4))
        return util::fail(ErrorKind::Corrupt, ENOEXEC, path, "not an ELF file");
    ElfFile elf;
    elf.m_source = &source;
    switch (*ident->u8(4)) {
    case 1:
        if (size <= k_ehdr32_size) return invalid(path, "truncated ELF header");
        elf.m_class = ElfClass::Elf32;
        break;
    case 2:
        if (size <= k_ehdr64_size) return invalid(path, "truncated ELF header");
        elf.m_class = ElfClass::Elf64;
        break;
    default:
        return invalid(path, "unknown ELF class");
    }
    switch (*ident->u8(5)) {
    case 1:
        elf.m_endian = Endian::Little;
        break;
    case 2:
        elf.m_endian = Endian::Big;
        break;
    default:
        return invalid(path, "unknown ELF byte order");
    }
    const ByteReader r(ident->bytes(), elf.m_endian);
    const bool is64 = elf.m_class == ElfClass::Elf64;

    // e_machine is at 18 in both classes; the rest of the header differs in width.
    uint64_t shoff = is64 ? *r.u64(40) : *r.u32(32);
    uint16_t shentsize = *r.u16(is64 ? 58 : 46);
    uint16_t shnum = *r.u16(is64 ? 60 : 48);
    uint16_t shstrndx = *r.u16(is64 ? 62 : 50);
    elf.m_machine = *r.u16(18);
    elf.m_type = *r.u16(16);

    const size_t shdr_size = is64 ? k_shdr64_size : k_shdr32_size;
    if (shentsize != shdr_size) return invalid(path, "unexpected section header size");
    auto table = source.read(shoff, static_cast<uint64_t>(shdr_size) * shnum, elf.m_endian);
    if (!table) return invalid(path, "file is too short to hold the section headers");

    elf.m_sections.resize(shnum);
    for (uint16_t i = 0; i < shnum; ++i) {
        Section& s = elf.m_sections[i];
        uint64_t h = static_cast<uint64_t>(i) * shdr_size;
        s.index = i;
        s.header_offset = shoff + h;
        s.type = *table->u32(h + 4);
        if (is64) {
            s.flags = *table->u64(h + 8);
            s.addr = *table->u64(h + 16);
            s.offset = *table->u64(h + 24);
            s.size = *table->u64(h + 32);
        } else {
            s.flags = *table->u32(h + 8);
            s.addr = *table->u32(h + 12);
            s.offset = *table->u32(h + 16);
            s.size = *table->u32(h + 20);
        }
        s.data_ok = s.offset <= size && s.size <= size - s.offset;
    }

    // The section-name table must be a valid section ending in NUL.
    if (shstrndx == 0 || shstrndx >= shnum) return invalid(path, "no section-name table");
    const Section& names_sec = elf.m_sections[shstrndx];
    if (!names_sec.data_ok) return invalid(path, "section-name table out of bounds");
    auto names = source.read(names_sec.offset, names_sec.size, elf.m_endian);
    if (!names || names->size() == 0 || names->bytes().back() != 0)
        return invalid(path, "section-name table does not end with NUL");

    for (uint16_t i = 1; i < shnum; ++i) {
        Section& s = elf.m_sections[i];
        uint32_t name_off = *table->u32(static_cast<uint64_t>(i) * shdr_size);
        if (name_off < names->size()) {
            s.name = *names->cstring(name_off); // terminated: the table ends in NUL
            s.name_ok = true;
        }
    }
    return elf;
}

const Section* ElfFile::find(std::string_view name) const {
    for (size_t i = 1; i < m_sections.size(); ++i) {
        const Section& s = m_sections[i];
        if (s.data_ok && s.name_ok && s.name == name) return &s;
    }
    return nullptr;
}

std::optional<ByteReader> ElfFile::section_data(const Section& s) const {
    if (m_source == nullptr) return std::nullopt;
    return m_source->read(s.offset, s.size, m_endian);
}

std::optional<ByteReader> ElfFile::section_data(std::string_view name) const {
    const Section* s = find(name);
    if (s == nullptr) return std::nullopt;
    return section_data(*s);
}

std::optional<ElfFile::SymbolTable> ElfFile::symbol_table() const {
    auto strtab = section_data(".strtab");
    auto symtab = section_data(".symtab");
    if (!strtab || !symtab) return std::nullopt;
    SymbolTable t;
    t.entry_size = m_class == ElfClass::Elf64 ? 24 : 16;
    if (symtab->size() % t.entry_size != 0) return std::nullopt;
    t.symtab = *symtab;
    t.strtab = *strtab;
    t.count = symtab->size() / t.entry_size;
    return t;
}

bool ElfFile::symbol_raw(const SymbolTable& t, size_t i, uint32_t& name_offset, Symbol& out) const {
    const ByteReader& s = t.symtab;
    uint64_t off = static_cast<uint64_t>(i) * t.entry_size;
    if (!s.has(off, t.entry_size)) return false;
    // Elf64_Sym: name u32, info u8, other u8, shndx u16, value u64, size u64.
    // Elf32_Sym: name u32, value u32, size u32, info u8, other u8, shndx u16.
    name_offset = *s.u32(off);
    if (m_class == ElfClass::Elf64) {
        out.info = *s.u8(off + 4);
        out.shndx = *s.u16(off + 6);
        out.value = *s.u64(off + 8);
    } else {
        out.value = *s.u32(off + 4);
        out.info = *s.u8(off + 12);
        out.shndx = *s.u16(off + 14);
    }
    return true;
}

std::optional<Symbol> ElfFile::symbol(const SymbolTable& t, size_t i) const {
    Symbol sym;
    uint32_t name_off = 0;
    if (!symbol_raw(t, i, name_off, sym)) return std::nullopt;
    auto name = t.strtab.cstring(name_off);
    if (!name) return std::nullopt;
    sym.name = *name;
    return sym;
}

} // namespace modkit::elf
