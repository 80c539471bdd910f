// libFuzzer target for what `abi check` reads of a module: its export tables (__ksymtab,
// __ksymtab_gpl, __kflagstab, namespaces), both kinds of symbol versions, the signature blob
// and its verification, and a whole prediction against a small kernel target written to a
// temporary directory at start-up. Every failure is a value; no read leaves the image (ASan).
#include "abi/kernel_target.hpp"
#include "abi/predict.hpp"
#include "module/ksymtab.hpp"
#include "module/module_file.hpp"
#include "module/modversions.hpp"
#include "module/sig_verify.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>

using namespace modkit;

namespace {
volatile size_t g_sink;
std::optional<abi::KernelTarget> g_target;

void write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}
} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    char tmpl[] = "/tmp/modkit-fuzz-abi.XXXXXX";
    const char* dir = ::mkdtemp(tmpl);
    if (dir == nullptr) return 0;
    std::string root = dir;
    std::string moddir = root + "/lib/modules/1.0.0-fuzz";
    std::system(("mkdir -p " + moddir + " " + root + "/boot").c_str());
    write(root + "/boot/config-1.0.0-fuzz",
          "CONFIG_X86_64=y\nCONFIG_SMP=y\nCONFIG_MODULE_UNLOAD=y\nCONFIG_MODVERSIONS=y\n"
          "CONFIG_MODULE_SIG=y\nCONFIG_MODULE_FORCE_LOAD=y\n");
    write(moddir + "/Module.symvers", "0x12345678\tmodule_layout\tvmlinux\tEXPORT_SYMBOL\t\n"
                                      "0x0badcafe\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n"
                                      "0x00c0ffee\tgpl_only\tvmlinux\tEXPORT_SYMBOL_GPL\t\n"
                                      "0x00000001\tns_sym\tvmlinux\tEXPORT_SYMBOL_GPL\tNS\n");
    abi::TargetOptions o;
    o.root = root;
    o.release = "1.0.0-fuzz";
    o.symvers = moddir + "/Module.symvers";
    auto t = abi::KernelTarget::load(o);
    if (t) g_target.emplace(std::move(*t));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto mod = module::ModuleFile::from_memory(util::Buffer(std::span(data, size)), "fuzz.ko");
    if (!mod) return 0;
    if (auto exports = module::module_exports(*mod))
        for (const auto& e : *exports)
            g_sink = g_sink + e.name.size() + e.name_space.size();
    for (auto view : {module::VersionView::Tools, module::VersionView::Loader})
        if (auto v = module::symbol_versions(*mod, view))
            for (const auto& e : v->entries)
                g_sink = g_sink + e.name.size();
    auto blob = module::read_signature_blob(mod->source());
    if (blob.signed_size > size) __builtin_trap();
    module::TrustedKeys none;
    auto r = none.verify(blob, {});
    g_sink = g_sink + r.signer.size();
    if (g_target) {
        abi::Prediction p = abi::predict_load(*g_target, *mod);
        if (p.verdict == abi::Verdict::Refused && p.error == 0) __builtin_trap();
        if (p.verdict != abi::Verdict::Refused && p.error != 0) __builtin_trap();
        for (const auto& f : p.findings)
            g_sink = g_sink + f.message.size();
    }
    return 0;
}
