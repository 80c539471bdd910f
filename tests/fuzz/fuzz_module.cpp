// libFuzzer target for the module reader: any bytes (plain ELF or gzip/xz/zstd by magic) go
// through ModuleFile::from_memory, then every query runs. Every string a query returns is
// read in full, so a view that points outside the image is caught by ASan.
#include "module/info.hpp"
#include "module/module_file.hpp"

#include <cstddef>
#include <cstdint>

using namespace modkit;

namespace {

volatile size_t g_sink;

void touch(std::string_view s) {
    size_t h = s.size();
    for (char c : s)
        h = h * 31 + static_cast<unsigned char>(c);
    g_sink = g_sink + h;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto mod = module::ModuleFile::from_memory(util::Buffer(std::span(data, size)), "fuzz.ko");
    if (!mod) {
        touch(mod.error().message);
        return 0;
    }
    if (auto info = mod->modinfo()) {
        for (const auto& e : *info) {
            touch(e.key);
            touch(e.value);
        }
    }
    if (auto v = mod->vermagic()) touch(*v);
    for (const auto& e : mod->exports())
        touch(e.name);
    if (auto imps = mod->imports()) {
        for (const auto& i : *imps)
            touch(i.name);
    }
    if (auto vers = mod->versions()) {
        for (const auto& v : *vers)
            touch(v.name);
    }
    if (auto name = mod->this_module_name()) touch(*name);
    if (auto sig = mod->signature()) {
        touch(sig->signer);
        touch(sig->hash_algo);
        if (sig->signed_size > mod->image().size()) __builtin_trap();
    }
    if (auto info = module::module_info(*mod)) {
        for (const auto& e : *info)
            touch(e.value);
    }
    for (unsigned flags : {1u, 2u, 3u}) {
        auto stripped = mod->stripped_image(flags);
        if (stripped && stripped->size() != mod->image().size()) __builtin_trap();
    }
    return 0;
}
