// libFuzzer target for the kernel command-line parser (a state machine that rewrites its
// buffer in place to re-quote grub-mangled tokens): the input is /proc/cmdline. Nothing stored
// may be longer than the 4095 bytes kmod reads, and "modprobe -c" must print exactly one
// "<kind> <key>[ <value>]" line per entry (a quoted value may hold a newline, so this counts
// bytes, not lines).
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

    size_t expected = 0;
    for (const auto& opt : cfg.options()) {
        if (opt.module.size() + opt.options.size() > 4095) __builtin_trap();
        if (opt.module.find('\0') != std::string::npos) __builtin_trap();
        g_sink = g_sink + cfg.options_for(opt.module).size();
        expected += std::string_view("options  \n").size() + opt.module.size() + opt.options.size();
    }
    for (const auto& bl : cfg.blacklists()) {
        g_sink = g_sink + cfg.is_blacklisted(bl.module);
        expected += std::string_view("blacklist \n").size() + bl.module.size();
    }
    if (cfg.show_config().size() != expected) __builtin_trap();
    return 0;
}
