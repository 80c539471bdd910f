// ElfBuilder: lays out header, section data, .symtab/.strtab, .shstrtab and the section
// header table, writing every field with explicit width and byte order.
#include "elf_builder.hpp"

#include <algorithm>
#include <cstring>
#include <lzma.h>
#include <stdexcept>
#include <zlib.h>
#include <zstd.h>

namespace modkit::test {

using elf::ElfClass;
using util::Endian;

namespace {

void append_uint(std::vector<uint8_t>& out, uint64_t v, unsigned width, Endian endian) {
    size_t at = out.size();
    out.resize(at + width);
    put_uint(out, at, v, width, endian);
}

void align(std::vector<uint8_t>& out, size_t a) {
    while (out.size() % a != 0)
        out.push_back(0);
}

} // namespace

void put_uint(std::vector<uint8_t>& bytes, uint64_t off, uint64_t v, unsigned width,
              Endian endian) {
    for (unsigned i = 0; i < width; ++i) {
        unsigned shift = endian == Endian::Little ? 8 * i : 8 * (width - 1 - i);
        bytes.at(off + i) = static_cast<uint8_t>(v >> shift);
    }
}

uint64_t get_uint(const std::vector<uint8_t>& bytes, uint64_t off, unsigned width, Endian endian) {
    uint64_t v = 0;
    for (unsigned i = 0; i < width; ++i) {
        unsigned shift = endian == Endian::Little ? 8 * i : 8 * (width - 1 - i);
        v |= static_cast<uint64_t>(bytes.at(off + i)) << shift;
    }
    return v;
}

ElfPatcher::ElfPatcher(std::vector<uint8_t>& bytes, ElfClass cls, Endian endian)
    : m_bytes(bytes)
    , m_is64(cls == ElfClass::Elf64)
    , m_endian(endian) {}

ElfPatcher::ElfPatcher(std::vector<uint8_t>& bytes)
    : m_bytes(bytes)
    , m_is64(bytes.at(4) == 2)
    , m_endian(bytes.at(5) == 2 ? Endian::Big : Endian::Little) {}

void ElfPatcher::shoff(uint64_t v) {
    put_uint(m_bytes, m_is64 ? 40 : 32, v, w(), m_endian);
}
void ElfPatcher::shentsize(uint16_t v) {
    put_uint(m_bytes, m_is64 ? 58 : 46, v, 2, m_endian);
}
void ElfPatcher::shnum(uint16_t v) {
    put_uint(m_bytes, m_is64 ? 60 : 48, v, 2, m_endian);
}
void ElfPatcher::shstrndx(uint16_t v) {
    put_uint(m_bytes, m_is64 ? 62 : 50, v, 2, m_endian);
}
uint64_t ElfPatcher::shoff() const {
    return get_uint(m_bytes, m_is64 ? 40 : 32, w(), m_endian);
}
uint16_t ElfPatcher::shnum() const {
    return static_cast<uint16_t>(get_uint(m_bytes, m_is64 ? 60 : 48, 2, m_endian));
}
uint16_t ElfPatcher::shstrndx() const {
    return static_cast<uint16_t>(get_uint(m_bytes, m_is64 ? 62 : 50, 2, m_endian));
}

uint64_t ElfPatcher::header_offset(uint16_t index) const {
    return shoff() + uint64_t{index} * (m_is64 ? 64 : 40);
}
void ElfPatcher::section_name(uint16_t index, uint32_t v) {
    put_uint(m_bytes, header_offset(index), v, 4, m_endian);
}
void ElfPatcher::section_flags(uint16_t index, uint64_t v) {
    put_uint(m_bytes, header_offset(index) + 8, v, w(), m_endian);
}
void ElfPatcher::section_addr(uint16_t index, uint64_t v) {
    put_uint(m_bytes, header_offset(index) + (m_is64 ? 16 : 12), v, w(), m_endian);
}
void ElfPatcher::section_offset(uint16_t index, uint64_t v) {
    put_uint(m_bytes, header_offset(index) + (m_is64 ? 24 : 16), v, w(), m_endian);
}
void ElfPatcher::section_size(uint16_t index, uint64_t v) {
    put_uint(m_bytes, header_offset(index) + (m_is64 ? 32 : 20), v, w(), m_endian);
}
uint64_t ElfPatcher::section_flags(uint16_t index) const {
    return get_uint(m_bytes, header_offset(index) + 8, w(), m_endian);
}
uint64_t ElfPatcher::section_offset(uint16_t index) const {
    return get_uint(m_bytes, header_offset(index) + (m_is64 ? 24 : 16), w(), m_endian);
}
uint64_t ElfPatcher::section_size(uint16_t index) const {
    return get_uint(m_bytes, header_offset(index) + (m_is64 ? 32 : 20), w(), m_endian);
}

ElfBuilder::ElfBuilder(ElfClass cls, Endian endian)
    : m_class(cls)
    , m_endian(endian) {}

ElfBuilder& ElfBuilder::machine(uint16_t m) {
    m_machine = m;
    return *this;
}

ElfBuilder& ElfBuilder::section(std::string name, std::string data, uint32_t type, uint64_t flags) {
    m_sections.push_back(Sec{std::move(name), std::move(data), type, flags});
    return *this;
}

ElfBuilder& ElfBuilder::modinfo(const std::vector<std::string>& entries) {
    std::string data;
    for (const auto& e : entries) {
        data += e;
        data += '\0';
    }
    return section(".modinfo", std::move(data));
}

ElfBuilder& ElfBuilder::ksymtab_strings(const std::vector<std::string>& names) {
    std::string data;
    for (const auto& n : names) {
        data += n;
        data += '\0';
    }
    return section("__ksymtab_strings", std::move(data));
}

ElfBuilder& ElfBuilder::versions(const std::vector<TestVersion>& entries) {
    std::string data;
    for (const auto& e : entries) {
        std::string entry = word(e.crc) + e.name;
        if (entry.size() > 64) throw std::invalid_argument("__versions name too long");
        entry.resize(64, '\0');
        data += entry;
    }
    return section("__versions", std::move(data), k_sht_progbits, elf::k_shf_alloc);
}

ElfBuilder& ElfBuilder::this_module(std::string_view name) {
    // struct module: enum state (padded to a word), list_head (two pointers), name[64 - word].
    std::string data(3 * word_size(), '\0');
    std::string field(name);
    field.resize(64 - word_size(), '\0');
    data += field;
    data.resize(data.size() + 8 * word_size(), '\0'); // the rest of struct module
    return section(".gnu.linkonce.this_module", std::move(data), k_sht_progbits,
                   elf::k_shf_alloc | 0x1);
}

ElfBuilder& ElfBuilder::symbols(std::vector<TestSymbol> syms) {
    m_symbols = std::move(syms);
    return *this;
}

std::string ElfBuilder::u32(uint32_t v) const {
    std::vector<uint8_t> b(4);
    put_uint(b, 0, v, 4, m_endian);
    return std::string(b.begin(), b.end());
}

std::string ElfBuilder::word(uint64_t v) const {
    std::vector<uint8_t> b(word_size());
    put_uint(b, 0, v, word_size(), m_endian);
    return std::string(b.begin(), b.end());
}

uint16_t ElfBuilder::index_of(std::string_view name) const {
    for (size_t i = 0; i < m_sections.size(); ++i)
        if (m_sections[i].name == name) return static_cast<uint16_t>(i + 1);
    if (m_symbols) {
        if (name == ".symtab") return static_cast<uint16_t>(m_sections.size() + 1);
        if (name == ".strtab") return static_cast<uint16_t>(m_sections.size() + 2);
    }
    return 0;
}

std::vector<uint8_t> ElfBuilder::build() const {
    const bool is64 = m_class == ElfClass::Elf64;
    const unsigned w = word_size();
    std::vector<Sec> secs = m_sections;

    if (m_symbols) {
        std::string strtab(1, '\0');
        std::string symtab(is64 ? 24 : 16, '\0'); // symbol 0
        for (const auto& s : *m_symbols) {
            uint32_t name_off = 0;
            if (!s.name.empty()) {
                name_off = static_cast<uint32_t>(strtab.size());
                strtab += s.name;
                strtab += '\0';
            }
            if (s.name_offset) name_off = *s.name_offset;
            uint16_t shndx = s.shndx;
            if (!s.section.empty()) {
                shndx = index_of(s.section);
                if (shndx == 0) throw std::invalid_argument("no section " + s.section);
            }
            const auto info = static_cast<uint8_t>((s.bind << 4) | (s.type & 0xf));
            std::vector<uint8_t> e;
            append_uint(e, name_off, 4, m_endian);
            if (is64) {
                e.push_back(info);
                e.push_back(0);
                append_uint(e, shndx, 2, m_endian);
                append_uint(e, s.value, 8, m_endian);
                append_uint(e, 0, 8, m_endian);
            } else {
                append_uint(e, s.value, 4, m_endian);
                append_uint(e, 0, 4, m_endian);
                e.push_back(info);
                e.push_back(0);
                append_uint(e, shndx, 2, m_endian);
            }
            symtab.append(e.begin(), e.end());
        }
        Sec sym{".symtab", std::move(symtab), k_sht_symtab, 0};
        sym.link = static_cast<uint32_t>(secs.size() + 2);
        sym.entsize = is64 ? 24 : 16;
        secs.push_back(std::move(sym));
        secs.push_back(Sec{".strtab", std::move(strtab), k_sht_strtab, 0});
    }

    std::string shstrtab(1, '\0');
    std::vector<uint32_t> name_offs;
    for (const auto& s : secs) {
        name_offs.push_back(static_cast<uint32_t>(shstrtab.size()));
        shstrtab += s.name;
        shstrtab += '\0';
    }
    name_offs.push_back(static_cast<uint32_t>(shstrtab.size()));
    shstrtab += ".shstrtab";
    shstrtab += '\0';
    secs.push_back(Sec{".shstrtab", shstrtab, k_sht_strtab, 0});

    const size_t ehdr = is64 ? 64 : 52;
    const size_t shdr = is64 ? 64 : 40;
    std::vector<uint8_t> out(ehdr, 0);
    std::vector<uint64_t> offsets;
    for (const auto& s : secs) {
        align(out, w);
        offsets.push_back(out.size());
        out.insert(out.end(), s.data.begin(), s.data.end());
    }
    align(out, w);
    const uint64_t shoff = out.size();
    const auto shnum = static_cast<uint16_t>(secs.size() + 1);
    out.resize(out.size() + shdr, 0); // section 0
    for (size_t i = 0; i < secs.size(); ++i) {
        const Sec& s = secs[i];
        const uint64_t align_to = s.type == k_sht_strtab ? 1 : w;
        if (is64) {
            append_uint(out, name_offs[i], 4, m_endian);
            append_uint(out, s.type, 4, m_endian);
            append_uint(out, s.flags, 8, m_endian);
            append_uint(out, 0, 8, m_endian); // addr
            append_uint(out, offsets[i], 8, m_endian);
            append_uint(out, s.data.size(), 8, m_endian);
            append_uint(out, s.link, 4, m_endian);
            append_uint(out, 0, 4, m_endian); // info
            append_uint(out, align_to, 8, m_endian);
            append_uint(out, s.entsize, 8, m_endian);
        } else {
            append_uint(out, name_offs[i], 4, m_endian);
            append_uint(out, s.type, 4, m_endian);
            append_uint(out, s.flags, 4, m_endian);
            append_uint(out, 0, 4, m_endian); // addr
            append_uint(out, offsets[i], 4, m_endian);
            append_uint(out, s.data.size(), 4, m_endian);
            append_uint(out, s.link, 4, m_endian);
            append_uint(out, 0, 4, m_endian); // info
            append_uint(out, align_to, 4, m_endian);
            append_uint(out, s.entsize, 4, m_endian);
        }
    }

    // The ELF header.
    const uint8_t ident[16] = {0x7f,
                               'E',
                               'L',
                               'F',
                               static_cast<uint8_t>(is64 ? 2 : 1),
                               static_cast<uint8_t>(m_endian == Endian::Little ? 1 : 2),
                               1};
    std::copy(std::begin(ident), std::end(ident), out.begin());
    put_uint(out, 16, 1, 2, m_endian); // ET_REL
    put_uint(out, 18, m_machine, 2, m_endian);
    put_uint(out, 20, 1, 4, m_endian); // EV_CURRENT
    if (is64) {
        put_uint(out, 40, shoff, 8, m_endian);
        put_uint(out, 52, ehdr, 2, m_endian);
        put_uint(out, 58, shdr, 2, m_endian);
        put_uint(out, 60, shnum, 2, m_endian);
        put_uint(out, 62, shnum - 1, 2, m_endian);
    } else {
        put_uint(out, 32, shoff, 4, m_endian);
        put_uint(out, 40, ehdr, 2, m_endian);
        put_uint(out, 46, shdr, 2, m_endian);
        put_uint(out, 48, shnum, 2, m_endian);
        put_uint(out, 50, shnum - 1, 2, m_endian);
    }
    return out;
}

TestSymbol sym_undef(std::string name, uint8_t bind) {
    TestSymbol s;
    s.name = std::move(name);
    s.bind = bind;
    return s;
}

TestSymbol sym_abs(std::string name, uint64_t value, uint8_t bind) {
    TestSymbol s;
    s.name = std::move(name);
    s.value = value;
    s.shndx = elf::k_shn_abs;
    s.bind = bind;
    return s;
}

TestSymbol sym_in(std::string name, std::string section, uint64_t value, uint8_t bind,
                  uint8_t type) {
    TestSymbol s;
    s.name = std::move(name);
    s.section = std::move(section);
    s.value = value;
    s.bind = bind;
    s.type = type;
    return s;
}

ElfBuilder sample_module(ElfClass cls, Endian endian) {
    ElfBuilder b(cls, endian);
    b.section(".text", std::string(16, '\xcc'), k_sht_progbits, 0x6);
    b.modinfo({"license=GPL", "description=Sample module", "author=Modkit Tests",
               "alias=pci:v00008086d*sv*", "depends=", "intree=Y", "name=sample",
               "vermagic=6.1.0-test SMP preempt mod_unload modversions "});
    b.ksymtab_strings({"sample_hello", "sample_value", "sample_weak"});
    b.section("__kcrctab", b.u32(0x11111111) + b.u32(0x2BAD5EED));
    b.versions(
        {{0x6C1F4D5E, "module_layout"}, {0x92997ED8, "_printk"}, {0x1234ABCD, "sample_dep_fn"}});
    b.this_module("sample");
    TestSymbol file = sym_abs("sample.c", 0, elf::k_stb_local);
    file.type = 4; // STT_FILE
    b.symbols({
        file,
        sym_abs("__crc_sample_hello", 0xCAFEBABE),
        sym_in("__crc_sample_value", "__kcrctab", 4),
        sym_in("sample_hello", ".text", 0, elf::k_stb_global, 2),
        sym_undef("_printk"),
        sym_undef("sample_optional", elf::k_stb_weak),
        sym_undef("sample_dep_fn"),
        sym_abs("__crc_sample_weak", 0x0BADF00D, elf::k_stb_weak),
    });
    return b;
}

std::vector<uint8_t> append_signature(std::vector<uint8_t> image, const ModuleSig& sig) {
    image.insert(image.end(), sig.signer.begin(), sig.signer.end());
    image.insert(image.end(), sig.key_id.begin(), sig.key_id.end());
    image.insert(image.end(), sig.signature.begin(), sig.signature.end());
    image.push_back(sig.algo);
    image.push_back(sig.hash);
    image.push_back(sig.id_type);
    image.push_back(sig.signer_len.value_or(static_cast<uint8_t>(sig.signer.size())));
    image.push_back(sig.key_id_len.value_or(static_cast<uint8_t>(sig.key_id.size())));
    image.insert(image.end(), 3, 0);
    append_uint(image, sig.sig_len.value_or(static_cast<uint32_t>(sig.signature.size())), 4,
                Endian::Big);
    static constexpr std::string_view k_magic = "~Module signature appended~\n";
    image.insert(image.end(), k_magic.begin(), k_magic.end());
    return image;
}

std::vector<uint8_t> gzip_compress(std::span<const uint8_t> data) {
    z_stream zs{};
    if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2");
    std::vector<uint8_t> out(deflateBound(&zs, data.size()) + 64);
    zs.next_in = const_cast<Bytef*>(data.data());
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

std::vector<uint8_t> xz_compress(std::span<const uint8_t> data, uint32_t dict_size) {
    // As the kernel's modules_install does: xz --check=crc32 --lzma2=dict=1MiB.
    lzma_options_lzma opt;
    if (lzma_lzma_preset(&opt, 6)) throw std::runtime_error("lzma_lzma_preset");
    opt.dict_size = dict_size;
    lzma_filter filters[] = {{LZMA_FILTER_LZMA2, &opt}, {LZMA_VLI_UNKNOWN, nullptr}};
    std::vector<uint8_t> out(lzma_stream_buffer_bound(data.size()));
    size_t pos = 0;
    if (lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC32, nullptr, data.data(), data.size(),
                                  out.data(), &pos, out.size()) != LZMA_OK)
        throw std::runtime_error("lzma_stream_buffer_encode");
    out.resize(pos);
    return out;
}

std::vector<uint8_t> zstd_compress(std::span<const uint8_t> data, bool content_size) {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 19);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, content_size ? 1 : 0);
    std::vector<uint8_t> out(ZSTD_compressBound(data.size()) + 64);
    size_t n = ZSTD_compress2(cctx, out.data(), out.size(), data.data(), data.size());
    ZSTD_freeCCtx(cctx);
    if (ZSTD_isError(n)) throw std::runtime_error("zstd compress");
    out.resize(n);
    return out;
}

} // namespace modkit::test
