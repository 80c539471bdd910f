// Test helpers: temporary directories, file I/O and the module summary.
#include "test_support.hpp"

#include "util/strings.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace modkit::test {

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/modkit_unit.XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_path = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

void write_file(const std::string& path, std::span<const uint8_t> bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
}

void write_file(const std::string& path, std::string_view text) {
    write_file(
        path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

namespace {

std::string error_line(std::string_view what, const util::Error& e) {
    return std::string(what) + ": error " + std::to_string(e.sys_errno) + " " + e.message + "\n";
}

std::string hex(uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
    return buf;
}

} // namespace

std::string summarize(const module::ModuleFile& mod) {
    std::string out;
    if (auto info = mod.modinfo()) {
        for (const auto& e : *info)
            out += "modinfo " + std::string(e.key) + "=" + std::string(e.value) + "\n";
    } else {
        out += error_line("modinfo", info.error());
    }
    out += "vermagic " + std::string(mod.vermagic().value_or("<none>")) + "\n";
    for (const auto& e : mod.exports())
        out += "export " + std::string(e.name) + " " + hex(e.crc) + " " +
               std::to_string(static_cast<int>(e.bind)) + "\n";
    if (auto imps = mod.imports()) {
        for (const auto& i : *imps)
            out +=
                "import " + std::string(i.name) + " " + hex(i.crc) + (i.weak ? " weak" : "") + "\n";
    } else {
        out += error_line("imports", imps.error());
    }
    if (auto vers = mod.versions()) {
        for (const auto& v : *vers)
            out += "version " + std::string(v.name) + " " + hex(v.crc) + "\n";
    } else {
        out += error_line("versions", vers.error());
    }
    out += "this_module " + std::string(mod.this_module_name().value_or("<none>")) + "\n";
    if (auto sig = mod.signature()) {
        out += "signature " + sig->id_type + " " + sig->algo + " " + sig->hash_algo +
               " signer=" + sig->signer + " key=" + util::hex_colon(sig->key_id, 0) +
               " sig=" + util::hex_colon(sig->signature, 0) +
               " signed_size=" + std::to_string(sig->signed_size) + "\n";
    } else {
        out += "signature <none>\n";
    }
    return out;
}

std::string summarize_bytes(std::span<const uint8_t> bytes) {
    auto mod = module::ModuleFile::from_memory(util::Buffer(bytes), "mem.ko");
    if (!mod) return error_line("open", mod.error());
    return summarize(*mod);
}

} // namespace modkit::test
