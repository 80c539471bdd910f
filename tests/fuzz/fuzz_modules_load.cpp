// libFuzzer target for systemd-modules-load's configuration: the input is parsed both as a
// modules-load.d file and as a kernel command line. Every entry must be a non-empty, stripped
// name that is no comment, with increasing line numbers within the lines read; command-line
// names must be unique and free of commas; a parse error may only be the 1 MiB line limit.
#include "config/modules_load.hpp"

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

using namespace modkit;

namespace {

bool blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
    std::string_view data(reinterpret_cast<const char*>(bytes), size);

    auto file = config::parse_modules_load(data, "/etc/modules-load.d/fuzz.conf");
    unsigned last = 0;
    for (const auto& e : file.entries) {
        if (e.name.empty() || e.name.front() == '#' || e.name.front() == ';') __builtin_trap();
        if (blank(e.name.front()) || blank(e.name.back())) __builtin_trap();
        if (e.name.find_first_of(std::string_view("\n\r\0", 3)) != std::string::npos)
            __builtin_trap();
        if (e.origin.line <= last || e.origin.line > file.lines) __builtin_trap();
        last = e.origin.line;
    }
    if (file.error && file.error->sys_errno != ENOBUFS) __builtin_trap();

    for (auto initrd : {config::InInitrd::No, config::InInitrd::Yes}) {
        auto cmdline = config::parse_modules_load_cmdline(data, initrd);
        std::set<std::string> seen;
        for (const auto& e : cmdline.entries) {
            if (e.name.empty() || e.name.find(',') != std::string::npos) __builtin_trap();
            if (!seen.insert(e.name).second) __builtin_trap();
            if (!e.origin.from_kcmdline()) __builtin_trap();
        }
    }
    return 0;
}
