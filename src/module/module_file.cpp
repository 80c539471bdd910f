// ModuleFile: opening, decompression and libkmod-compatible extraction of module data.
#include "module/module_file.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace modkit::module {

using elf::ElfClass;
using util::ByteReader;
using util::ErrorKind;

namespace {

constexpr size_t k_modversion_entry = 64; // { unsigned long crc; char name[64 - sizeof(long)]; }

// Splits a string table the way libkmod's kmod_elf_get_strings does: leading NUL padding is
// skipped, runs of NULs separate strings, and a final unterminated string is kept.
template <class Fn> void for_each_string(std::string_view data, Fn&& fn) {
    size_t i = 0;
    while (i + 1 < data.size() && data[i] == '\0')
        ++i; // libkmod keeps size > 1
    if (data.size() - i <= 1) return;
    while (i < data.size()) {
        size_t end = data.find('\0', i);
        if (end == std::string_view::npos) end = data.size();
        fn(data.substr(i, end - i));
        i = end;
        while (i < data.size() && data[i] == '\0')
            ++i;
    }
}

} // namespace

ModuleFile::ModuleFile(ModuleFile&&) noexcept = default;
ModuleFile& ModuleFile::operator=(ModuleFile&&) noexcept = default;
ModuleFile::~ModuleFile() = default;

std::span<const uint8_t> ModuleFile::image() const {
    auto whole = m_source ? m_source->whole() : std::nullopt;
    return whole ? *whole : std::span<const uint8_t>();
}

util::Expected<void> ModuleFile::parse_elf() {
    auto parsed = elf::ElfFile::parse(*m_source, m_path);
    if (!parsed) return std::unexpected(parsed.error());
    m_elf = std::move(*parsed);
    return {};
}

util::Expected<void> ModuleFile::init_from_raw(const std::string& path) {
    m_path = path;
    std::span<const uint8_t> data = m_raw.bytes();
    // libkmod reads 6 magic bytes first; a shorter file is EINVAL.
    if (data.size() < 6) return util::fail(ErrorKind::Corrupt, EINVAL, path, "file too short");
    m_compression = detect_compression(data);
    if (m_compression != Compression::None) {
        auto inflated = decompress(data, m_compression, path);
        if (!inflated) return std::unexpected(inflated.error());
        m_inflated = std::move(*inflated);
        m_raw = util::Buffer(); // the compressed bytes are not needed any more
        m_source = std::make_unique<util::MemorySource>(m_inflated.bytes());
    } else {
        m_source = std::make_unique<util::MemorySource>(m_raw.bytes());
    }
    return parse_elf();
}

util::Expected<ModuleFile> ModuleFile::open(const std::string& path, Load load,
                                            util::MemoryBudget* budget) {
    ModuleFile mod;
    if (load == Load::Full && budget == nullptr) {
        auto bytes = util::read_file_bytes(path);
        if (!bytes) return std::unexpected(bytes.error());
        mod.m_raw = std::move(*bytes);
        if (auto r = mod.init_from_raw(path); !r) return std::unexpected(r.error());
        return mod;
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return util::fail_errno(errno, path, "could not open");
    struct stat st;
    int stat_err = fstat(fd, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (stat_err != 0) {
        ::close(fd);
        return util::fail_errno(stat_err, path, "could not read");
    }
    auto source = std::make_unique<util::FileSource>(fd, static_cast<uint64_t>(st.st_size), path);
    auto magic = source->read(0, 6, util::Endian::Little);
    if (!magic) return util::fail(ErrorKind::Corrupt, EINVAL, path, "file too short");
    mod.m_path = path;
    mod.m_compression = detect_compression(magic->bytes());
    if (mod.m_compression != Compression::None) {
        // Stream the compressed bytes through the decoder; only the output is kept.
        auto read_at = [&](uint64_t off, uint64_t len) -> std::optional<util::Buffer> {
            auto r = source->read(off, len, util::Endian::Little);
            if (!r) return std::nullopt;
            return util::Buffer(r->bytes());
        };
        uint64_t hint = decompressed_size_hint(mod.m_compression, source->size(), read_at);
        // A size field is only a claim: reserve no more than an image may ever take.
        uint64_t reserve = hint != 0 ? hint : source->size() * 4;
        mod.m_lease =
            util::MemoryBudget::Lease(budget, std::min<uint64_t>(reserve, uint64_t{1} << 30));
        util::Buffer chunk(1 << 16);
        uint64_t offset = 0;
        InputFn input = [&]() -> util::Expected<std::span<const uint8_t>> {
            for (;;) {
                ssize_t n = ::pread(fd, chunk.data(), chunk.size(), static_cast<off_t>(offset));
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) return util::fail_errno(errno, path, "could not read");
                offset += static_cast<uint64_t>(n);
                return std::span<const uint8_t>(chunk.data(), static_cast<size_t>(n));
            }
        };
        auto inflated = decompress_stream(input, mod.m_compression, hint, path);
        source.reset(); // closes fd
        if (!inflated) return std::unexpected(inflated.error());
        mod.m_inflated = std::move(*inflated);
        mod.m_source = std::make_unique<util::MemorySource>(mod.m_inflated.bytes());
    } else if (load == Load::Full) {
        auto whole = source->read(0, source->size(), util::Endian::Little);
        if (!whole) return util::fail_errno(EIO, path, "could not read");
        mod.m_raw = util::Buffer(whole->bytes());
        mod.m_source = std::make_unique<util::MemorySource>(mod.m_raw.bytes());
    } else {
        mod.m_source = std::move(source);
    }
    if (auto r = mod.parse_elf(); !r) return std::unexpected(r.error());
    return mod;
}

util::Expected<ModuleFile> ModuleFile::from_memory(util::Buffer data, const std::string& path) {
    ModuleFile mod;
    mod.m_raw = std::move(data);
    if (auto r = mod.init_from_raw(path); !r) return std::unexpected(r.error());
    return mod;
}

util::Expected<std::vector<ModinfoEntry>> ModuleFile::modinfo() const {
    auto data = m_elf.section_data(".modinfo");
    if (!data) return util::fail(ErrorKind::NotFound, ENOENT, m_path, "no .modinfo section");
    std::vector<ModinfoEntry> out;
    for_each_string(data->chars(), [&](std::string_view s) {
        auto eq = s.find('=');
        if (eq == std::string_view::npos)
            out.push_back({s, {}});
        else
            out.push_back({s.substr(0, eq), s.substr(eq + 1)});
    });
    return out;
}

std::optional<std::string_view> ModuleFile::vermagic() const {
    auto info = modinfo();
    if (!info) return std::nullopt;
    for (const auto& e : *info)
        if (e.key == "vermagic") return e.value;
    return std::nullopt;
}

std::vector<ExportedSymbol> ModuleFile::exports() const {
    std::vector<ExportedSymbol> out;
    static constexpr std::string_view k_crc = "__crc_";
    if (auto table = m_elf.symbol_table()) {
        bool fallback = false;
        for (size_t i = 1; i < table->count; ++i) {
            uint32_t name_off = 0;
            elf::Symbol sym;
            m_elf.symbol_raw(*table, i, name_off, sym);
            if (name_off >= table->strtab.size()) {
                fallback = true; // libkmod gives up on .symtab entirely
                break;
            }
            auto name = table->strtab.cstring(name_off);
            if (!name || !name->starts_with(k_crc)) continue;
            ExportedSymbol e;
            e.name = name->substr(k_crc.size());
            switch (sym.bind()) {
            case elf::k_stb_local:
                e.bind = SymbolBind::Local;
                break;
            case elf::k_stb_global:
                e.bind = SymbolBind::Global;
                break;
            case elf::k_stb_weak:
                e.bind = SymbolBind::Weak;
                break;
            default:
                e.bind = SymbolBind::None;
                break;
            }
            // The CRC is the symbol value itself (absolute) or a u32 stored in its section.
            e.crc = sym.value;
            if (sym.shndx != elf::k_shn_undef && sym.shndx != elf::k_shn_abs) {
                const auto& secs = m_elf.sections();
                e.crc = UINT64_MAX;
                if (sym.shndx < secs.size() && secs[sym.shndx].data_ok) {
                    const auto& s = secs[sym.shndx];
                    if (s.size >= 4 && sym.value <= s.size - 4)
                        if (auto crc = m_elf.section_data(s)->u32(sym.value)) e.crc = *crc;
                }
            }
            out.push_back(e);
        }
        if (fallback) out.clear();
        if (!fallback && !out.empty()) return out;
    }
    // Without __crc_* symbols (no CONFIG_MODVERSIONS) the names come from __ksymtab_strings.
    if (auto strings = m_elf.section_data("__ksymtab_strings")) {
        for_each_string(strings->chars(), [&](std::string_view s) {
            out.push_back({s, 0, SymbolBind::Global});
        });
    }
    return out;
}

util::Expected<std::vector<VersionEntry>> ModuleFile::versions() const {
    auto data = m_elf.section_data("__versions");
    if (!data) return util::fail(ErrorKind::NotFound, ENOENT, m_path, "no __versions section");
    if (data->size() % k_modversion_entry != 0)
        return util::fail(ErrorKind::Corrupt, EINVAL, m_path, "__versions has a bad size");
    const unsigned crc_len = m_elf.word_size();
    std::vector<VersionEntry> out;
    out.reserve(data->size() / k_modversion_entry);
    for (size_t off = 0; off < data->size(); off += k_modversion_entry) {
        std::string_view field = *data->str(off + crc_len, k_modversion_entry - crc_len);
        std::string_view name = field.substr(0, field.find('\0'));
        if (name.starts_with('.')) name.remove_prefix(1); // ppc64 dot symbols
        out.push_back({name, *data->uint(off, crc_len)});
    }
    return out;
}

util::Expected<std::vector<ImportedSymbol>> ModuleFile::imports() const {
    struct Version {
        std::string_view name;
        uint64_t crc;
        bool visited;
    };
    std::vector<Version> versions;
    const unsigned crc_len = m_elf.word_size();
    if (auto data = m_elf.section_data("__versions");
        data && data->size() % k_modversion_entry == 0) {
        for (size_t off = 0; off < data->size(); off += k_modversion_entry) {
            std::string_view field = *data->str(off + crc_len, k_modversion_entry - crc_len);
            versions.push_back(
                {field.substr(0, field.find('\0')), *data->uint(off, crc_len), false});
        }
    }
    auto table = m_elf.symbol_table();
    if (!table) return util::fail(ErrorKind::Corrupt, EINVAL, m_path, "no usable .symtab/.strtab");
    const bool sparc = m_elf.machine() == elf::k_em_sparc || m_elf.machine() == elf::k_em_sparcv9;

    std::vector<ImportedSymbol> out;
    for (size_t i = 1; i < table->count; ++i) {
        uint32_t name_off = 0;
        elf::Symbol sym;
        m_elf.symbol_raw(*table, i, name_off, sym);
        if (sym.shndx != elf::k_shn_undef) continue;
        if (sparc && sym.type() == elf::k_stt_register) continue;
        if (name_off >= table->strtab.size())
            return util::fail(ErrorKind::Corrupt, EINVAL, m_path, "symbol name out of .strtab");
        auto name = table->strtab.cstring(name_off);
        if (!name)
            return util::fail(ErrorKind::Corrupt, EINVAL, m_path, "unterminated symbol name");
        if (name->empty()) continue;
        ImportedSymbol imp{*name, 0, sym.bind() == elf::k_stb_weak};
        for (auto& v : versions) {
            if (v.name == *name) {
                imp.crc = v.crc;
                v.visited = true;
                break;
            }
        }
        out.push_back(imp);
    }
    // module_layout and friends have a version entry but no undefined symbol.
    for (const auto& v : versions)
        if (!v.visited) out.push_back({v.name, v.crc, false});
    return out;
}

std::optional<std::string_view> ModuleFile::this_module_name() const {
    auto data = m_elf.section_data(".gnu.linkonce.this_module");
    if (!data) return std::nullopt;
    // struct module { enum state; struct list_head list; char name[64 - sizeof(long)]; ... }:
    // the enum is padded to a word, the list head is two pointers.
    const unsigned word = m_elf.word_size();
    const uint64_t off = 3 * word;
    auto field = data->str(off, 64 - word);
    if (!field) return std::nullopt;
    auto nul = field->find('\0');
    if (nul == std::string_view::npos || nul == 0) return std::nullopt;
    return field->substr(0, nul);
}

std::optional<SignatureInfo> ModuleFile::signature() const {
    return parse_signature(*m_source);
}

util::Expected<std::vector<uint8_t>> ModuleFile::stripped_image(unsigned strip_flags) const {
    if (image().empty())
        return util::fail(ErrorKind::Invalid, EINVAL, m_path, "module image not loaded");
    std::vector<uint8_t> copy(image().begin(), image().end());
    if (strip_flags & static_cast<unsigned>(Strip::ModVersions)) {
        if (const elf::Section* s = m_elf.find("__versions")) {
            const bool is64 = m_elf.elf_class() == ElfClass::Elf64;
            const uint64_t flags_off = s->header_offset + 8;
            const unsigned width = is64 ? 8 : 4;
            uint64_t flags = s->flags & ~elf::k_shf_alloc;
            for (unsigned i = 0; i < width; ++i) {
                unsigned shift =
                    m_elf.endian() == util::Endian::Little ? 8 * i : 8 * (width - 1 - i);
                copy[flags_off + i] = static_cast<uint8_t>(flags >> shift);
            }
        }
    }
    if (strip_flags & static_cast<unsigned>(Strip::Vermagic)) {
        const elf::Section* s = m_elf.find(".modinfo");
        bool found = false;
        if (s != nullptr) {
            std::string_view data = m_elf.section_data(*s)->chars();
            size_t i = 0;
            while (i < data.size()) {
                size_t end = data.find('\0', i);
                if (end == std::string_view::npos) end = data.size();
                if (end > i && data.substr(i, end - i).starts_with("vermagic=")) {
                    std::memset(copy.data() + s->offset + i, 0, end - i);
                    found = true;
                    break;
                }
                i = end + 1;
            }
        }
        if (!found)
            return util::fail(ErrorKind::NotFound, ENOENT, m_path, "no vermagic in .modinfo");
    }
    return copy;
}

} // namespace modkit::module
