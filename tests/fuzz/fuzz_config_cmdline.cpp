// libFuzzer target for the kernel command-line parser (a state machine that rewrites its
// buffer in place to re-quote grub-mangled tokens): the input is /proc/cmdline. Nothing stored
// may be longer than the 4095 bytes kmod reads, and "modprobe -c" must print one line per
// entry.
#include "config/modprobe_config.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace modkit;

namespace {
volatile size_t g_sink;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
    std::string_view data(reinterpret_cast<const char*>(bytes), size);
    config::ModprobeConfig cfg;
    cfg.parse_kcmdline(data);

    for (const auto& opt : cfg.options()) {
        // Whatever was parsed came from the (at most 4095-byte) input.
        if (opt.module.size() + opt.options.size() > 4095) __builtin_trap();
        if (opt.module.find('\0') != std::string::npos) __builtin_trap();
        g_sink = g_sink + cfg.options_for(opt.module).size();
    }
    for (const auto& bl : cfg.blacklists())
        g_sink = g_sink + cfg.is_blacklisted(bl.module);

    std::string shown = cfg.show_config();
    size_t lines = 0;
    for (char c : shown)
        lines += c == '\n';
    if (lines != cfg.options().size() + cfg.blacklists().size()) __builtin_trap();
    return 0;
}
